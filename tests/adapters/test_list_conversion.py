"""Vault and Logic App listings convert Azure's JSON items directly (the fast path); the models
must equal what the converters build from the SDK's own objects, field by field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from console.azure import convert
from console.azure.connection import Connection
from console.errors import ConsoleError
from console.service import AzureService
from emulator.seeds import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, build_state
from emulator.server import Emulator
from emulator.state import State


def _demo_with_edge_cases() -> State:
    """The demo tenant, plus what Azure may send and the demo does not: a vault without
    networkAcls / soft-delete flags and with a virtual network rule; parameters with unset
    fields; a user-assigned identity; a changedTime in another form."""
    state = build_state("demo")
    bare, vnet = list(state.vaults.values())[:2]
    for key in ("networkAcls", "enableSoftDelete", "softDeleteRetentionInDays"):
        bare["properties"].pop(key, None)
    vnet["properties"]["networkAcls"]["virtualNetworkRules"] = [
        {
            "id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/"
            "vn/subnets/s1",
            "ignoreMissingVnetServiceEndpoint": True,
        },
        {
            "id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/"
            "vn/subnets/s2"
        },
    ]
    first, second = list(state.workflows.values())[:2]
    first["properties"]["parameters"] = {
        "plain": {"type": "String", "value": "x", "description": None},
        "nested": {"type": "Object", "value": {"a": None, "b": [1, {"c": True}]}, "metadata": {}},
        "unset": None,
    }
    first["properties"]["changedTime"] = "2026-03-01T10:20:30.1234567Z"
    second["properties"]["changedTime"] = "2026-03-01T10:20:30+02:00"
    second["identity"] = {
        "type": "UserAssigned",
        "userAssignedIdentities": {
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ManagedIdentity/"
            "userAssignedIdentities/id-a": {"principalId": "p-a", "clientId": "c-a"},
        },
    }
    return state


@pytest.fixture
async def demo(run_emulator: Callable[[State], Emulator]) -> Any:
    emu = run_emulator(_demo_with_edge_cases())
    conn = Connection.for_emulator(
        emu.base_url, emu.ca_path, emu.state.tenant_id, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
    )
    async with AzureService(conn) as svc:
        yield svc, conn


def _full(app: Any) -> tuple[Any, ...]:
    return (app, app.definition, app.parameters)  # definition/parameters are compare=False


async def test_listed_models_equal_the_sdk_object_path(
    demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc, conn = demo
    fast: list[str] = []  # the JSON path must be the one taken, else this compares nothing new
    for name in ("vault_json", "logic_app_json"):
        real = getattr(convert, name)
        monkeypatch.setattr(
            convert, name, lambda x, real=real, name=name: (fast.append(name), real(x))[1]
        )
    vaults = apps = 0
    for sub in [s.subscription_id for s in await svc.list_subscriptions()]:
        kv, logic = conn.keyvault_client(sub), conn.logic_client(sub)
        listed = await svc.list_vaults(sub)
        expected = [convert.vault(v) async for v in kv.vaults.list_by_subscription()]
        assert listed == expected
        for v in listed:
            assert await svc.list_vaults(sub, v.resource_group) == [
                convert.vault(x) async for x in kv.vaults.list_by_resource_group(v.resource_group)
            ]
            assert await svc.get_vault(v.id) == v
        listed_apps = await svc.list_logic_apps(sub)
        expected_apps = [convert.logic_app(w) async for w in logic.workflows.list_by_subscription()]
        assert [_full(a) for a in listed_apps] == [_full(a) for a in expected_apps]
        for a in listed_apps:
            assert [_full(x) for x in await svc.list_logic_apps(sub, a.resource_group)] == [
                _full(convert.logic_app(w))
                async for w in logic.workflows.list_by_resource_group(a.resource_group)
            ]
            assert _full(await svc.get_logic_app(a.id)) == _full(a)
        vaults, apps = vaults + len(listed), apps + len(listed_apps)
    assert (vaults, apps) == (4, 7)  # every demo vault and Logic App was compared
    assert fast.count("vault_json") >= vaults and fast.count("logic_app_json") >= apps
    by_name = {
        a.name: a
        for sub in [s.subscription_id for s in await svc.list_subscriptions()]
        for a in await svc.list_logic_apps(sub)
    }
    assert any(a.parameters.get("unset", 0) is None for a in by_name.values())
    assert any(a.identity.user_assigned for a in by_name.values())


async def test_listed_secrets_equal_the_sdk_pager_path(demo: Any) -> None:
    svc, conn = demo
    compared = 0
    for sub in [s.subscription_id for s in await svc.list_subscriptions()]:
        for vault in await svc.list_vaults(sub):
            try:
                listed = await svc.list_secrets(vault.uri)
            except ConsoleError:
                continue  # a vault this caller may not read (firewall, no grant)
            client = conn.secret_client(vault.uri)
            expected = [
                convert.secret_properties(p, vault.uri)
                async for p in client.list_properties_of_secrets()
            ]
            assert listed == expected
            compared += len(listed)
    assert compared >= 5
