"""The identity wizard's PUT sends back the workflow Azure has, changing only its identity."""

from __future__ import annotations

from typing import Any

import pytest
from adapter_world import RG, SUB, World

from console.errors import ConflictError
from console.service import AzureService
from emulator import factories as f
from emulator.server import Emulator

RETENTION = {
    "lifetime": {"unit": "day", "count": 30},
    "operationOptions": "OptimizedForHighThroughput",
}


def _add(world: World, name: str, **kwargs: Any) -> str:
    wf = f.add_workflow(world.state, SUB, RG, name, **kwargs)
    return str(wf["id"])


def _stored(emu: Emulator, wid: str) -> dict[str, Any]:
    return emu.state.workflows[wid.lower()]


async def test_identity_change_keeps_runtime_configuration_and_unknown_properties(
    service: AzureService, world: World, emu: Emulator
) -> None:
    wid = _add(
        world,
        "la-tuned",
        extra_properties={"runtimeConfiguration": RETENTION, "futureSetting": {"on": True}},
    )
    await service.enable_system_identity(wid)
    props = _stored(emu, wid)["properties"]
    assert _stored(emu, wid)["identity"]["type"] == "SystemAssigned"
    assert props["runtimeConfiguration"] == RETENTION
    assert props["futureSetting"] == {"on": True}
    await service.set_identity_none(wid)
    assert _stored(emu, wid)["properties"]["runtimeConfiguration"] == RETENTION


@pytest.mark.parametrize("default", [False, True], ids=["no-default", "with-default"])
async def test_secure_parameters_stop_the_identity_change_before_anything_is_sent(
    service: AzureService, world: World, emu: Emulator, default: bool
) -> None:
    declared: dict[str, Any] = {"type": "SecureString"}
    if default:
        declared["defaultValue"] = "placeholder"  # a PUT would silently fall back to it
    definition = {**f.empty_definition(), "parameters": {"apiKey": declared}}
    wid = _add(
        world,
        "la-secure",
        definition=definition,
        parameters={"apiKey": {"value": "prod-only-value"}},
    )
    before = _stored(emu, wid)["properties"]["version"]
    with pytest.raises(ConflictError) as err:
        await service.enable_system_identity(wid)
    message = err.value.message
    assert "apiKey" in message and "secure" in message.lower()
    assert "template" in message.lower() and "Portal" in message  # the ways that do work
    stored = _stored(emu, wid)
    assert "identity" not in stored  # nothing was sent
    assert stored["properties"]["version"] == before
    assert stored["properties"]["parameters"]["apiKey"] == {"value": "prod-only-value"}
