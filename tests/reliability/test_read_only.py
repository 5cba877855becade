"""--read-only: every write of the facade is refused before any request leaves the process.

Writes are found by name: every public method of AzureService that is not a known read is a
write, so a new write method without the guard fails here until it refuses in read-only mode.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from reliability_world import World, connect

from console.errors import ReadOnlyError
from console.masked import MaskedValue
from console.models import NetworkRules, Permissions, WorkflowIdentity
from console.service import AzureService
from emulator.server import Emulator

READS = {
    "whoami",
    "resolve_principals",
    "close",
    "pinned_vault",
    "list_subscriptions",
    "list_resource_groups",
    "list_vaults",
    "iter_vault_pages",
    "get_vault",
    "list_role_assignments",
    "get_role_definition",
    "get_connector_vault",
    "list_logic_apps",
    "iter_logic_app_pages",
    "get_logic_app",
    "list_user_assigned_identities",
    "list_triggers",
    "iter_inventory_pages",
    "list_inventory_via_resource_graph",
    "iter_resource_group_pages",
    "iter_secret_pages",
    "list_secrets",
    "list_secret_versions",
    "get_secret",
    "list_deleted_secrets",
}


def public_methods() -> list[str]:
    return sorted(
        name
        for name, member in inspect.getmembers(AzureService)
        if not name.startswith("_") and callable(member)
    )


def write_methods() -> list[str]:
    return [name for name in public_methods() if name not in READS]


def arguments(world: World, emu: Emulator) -> dict[str, Any]:
    """A plausible value for every parameter name a write method takes."""
    vid = world.vault_id("kv-ap")
    return {
        "vault_id": vid,
        "object_id": world.principals[0],
        "permissions": Permissions(secrets=("get",)),
        "rules": NetworkRules(default_action="Deny"),
        "scope": vid,
        "role_definition_guid": "4633458b-17de-408a-b874-0445c86b69e6",
        "principal_id": world.principals[0],
        "assignment_id": f"{vid}/providers/Microsoft.Authorization/roleAssignments/x",
        "logic_app_id": f"{vid.rsplit('/providers/', 1)[0]}/providers/Microsoft.Logic/workflows/x",
        "previous": WorkflowIdentity(),
        "vault_uri": emu.vault_uri("kv-ap"),
        "name": "db-password",
        "value": MaskedValue("never-sent"),
    }


def test_the_write_list_is_what_we_expect() -> None:
    # Not a guard by itself: it shows the reviewer which methods the next test calls.
    assert set(READS) <= set(public_methods()), "a read was renamed: update READS"
    assert len(write_methods()) >= 14


async def test_every_write_is_refused_without_a_request(
    emu: Emulator, world: World, requests: list[str]
) -> None:
    given = arguments(world, emu)
    refused: list[str] = []
    async with AzureService(connect(emu, world), read_only=True) as service:
        for name in write_methods():
            method = getattr(service, name)
            params = [
                p
                for p in inspect.signature(method).parameters.values()
                if p.default is inspect.Parameter.empty
                and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            ]
            missing = [p.name for p in params if p.name not in given]
            assert not missing, f"{name}: give the test a value for {missing}"
            with pytest.raises(ReadOnlyError) as err:
                await method(**{p.name: given[p.name] for p in params})
            assert "--read-only" in err.value.message, name
            refused.append(name)
    assert requests == []
    assert refused == write_methods()
