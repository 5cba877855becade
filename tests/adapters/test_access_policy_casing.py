"""Access-policy removal on entries spelt the Portal's way ("Get"): Azure's remove matches names
case-sensitively and answers 200 on a mismatch; the console must remove them all the same and
never call a write done that the vault does not show."""

from __future__ import annotations

import pytest
from adapter_world import World
from aiohttp import web

from console.errors import ConflictError
from console.models import Permissions
from console.service import AzureService
from emulator import factories as f
from emulator.http import AzureHttpError
from emulator.server import Emulator

PORTAL = ["Get", "List", "Delete"]


def _portal_entry(world: World, emu: Emulator, vault: str) -> str:
    oid = world.reader_id
    props = emu.state.vault_by_name(vault)["properties"]
    props["accessPolicies"].append(f.access_policy(world.state, oid, list(PORTAL)))
    return oid


async def _secrets_of(service: AzureService, vid: str, oid: str) -> tuple[str, ...] | None:
    vault = await service.get_vault(vid)
    entry = next((p for p in vault.access_policies if p.object_id == oid), None)
    return entry.permissions.secrets if entry else None


async def test_removing_lower_case_names_removes_the_portal_spelt_ones(
    service: AzureService, world: World, emu: Emulator
) -> None:
    vid = world.vault_id("kv-open")
    oid = _portal_entry(world, emu, "kv-open")
    after = await service.remove_access_policy(vid, oid, Permissions(secrets=("delete",)))
    entry = next(p for p in after.access_policies if p.object_id == oid)
    assert entry.permissions.secrets == ("Get", "List")
    assert await _secrets_of(service, vid, oid) == ("Get", "List")
    await service.remove_access_policy(vid, oid, Permissions(secrets=("get", "LIST")))
    assert await _secrets_of(service, vid, oid) is None  # its last permissions: entry gone


async def test_a_write_azure_answers_ok_but_does_not_show_is_not_reported_done(
    service: AzureService, world: World, emu: Emulator
) -> None:
    vid = world.vault_id("kv-open")
    oid = _portal_entry(world, emu, "kv-open")

    async def ignore_removals(request: web.Request) -> None:  # 200, and nothing changed
        if request.method == "PUT" and request.path.lower().endswith("/accesspolicies/remove"):
            raise AzureHttpError(200, "Ignored", "accepted")

    emu.before_request.append(ignore_removals)
    with pytest.raises(ConflictError) as err:
        await service.remove_access_policy(vid, oid, Permissions(secrets=("delete",)))
    assert "not applied" in err.value.message and "Delete" in err.value.message
    assert await _secrets_of(service, vid, oid) == tuple(PORTAL)


async def test_the_applier_does_not_take_a_portal_spelt_permission_for_removed(
    service: AzureService, world: World, emu: Emulator
) -> None:
    from console.plans import base as b
    from console.plans.apply import took_effect
    from console.plans.changes import AccessPolicyAdd, AccessPolicyRemove

    vid = world.vault_id("kv-open")
    oid = _portal_entry(world, emu, "kv-open")
    tenant = emu.state.tenant_id
    removed = AccessPolicyRemove(vid, oid, tenant, {"secrets": ["delete"]})
    remove = b.Change(vid, "Remove delete", removed)
    assert not await took_effect(service, remove)  # "Delete" is still held
    added = AccessPolicyAdd(vid, oid, tenant, {"secrets": ["get", "list"]})
    add = b.Change(vid, "Give get", added)
    assert await took_effect(service, add)  # "Get" and "List" are held
