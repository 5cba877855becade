"""Logic Apps, managed identities and role assignments through AzureService."""

from __future__ import annotations

import pytest
from adapter_world import RG, SUB, World

from console.errors import ConflictError, ForbiddenError, ForbiddenKind
from console.service import AzureService
from emulator.roles import KV_SECRETS_OFFICER, KV_SECRETS_USER
from emulator.server import Emulator


async def test_list_and_get_logic_apps(service: AzureService, world: World) -> None:
    apps = {a.name: a for a in await service.list_logic_apps(SUB)}
    assert set(apps) == {"la-none", "la-user", "la-system"}
    assert apps["la-none"].identity.type == "None"
    assert apps["la-system"].identity.type == "SystemAssigned"
    assert apps["la-system"].identity.principal_id
    (ref,) = apps["la-user"].identity.user_assigned
    assert ref.resource_id.endswith("/uai-orders") and ref.principal_id
    app = await service.get_logic_app(world.workflow_id("la-none"))
    assert app.workflow_outgoing_ips and app.connector_outgoing_ips
    assert "$schema" in app.definition and app.resource_group == RG
    pages = [p async for p in service.iter_logic_app_pages(SUB, RG)]
    assert sum(len(p) for p in pages) == 3


async def test_user_assigned_identities(service: AzureService) -> None:
    (uai,) = await service.list_user_assigned_identities(SUB)
    assert uai.name == "uai-orders" and uai.principal_id and uai.client_id


async def test_enable_system_identity_then_undo(service: AzureService, world: World) -> None:
    wid = world.workflow_id("la-none")
    before = await service.get_logic_app(wid)
    enabled = await service.enable_system_identity(wid)
    assert enabled.identity.type == "SystemAssigned" and enabled.identity.principal_id
    assert enabled.definition == before.definition  # the PUT kept the workflow intact
    again = await service.enable_system_identity(wid)  # already on: same identity
    assert again.identity.principal_id == enabled.identity.principal_id
    undone = await service.set_identity_none(wid)
    assert undone.identity.type == "None"
    assert (await service.get_logic_app(wid)).identity.type == "None"


async def test_user_assigned_app_refuses_system_identity(
    service: AzureService, world: World
) -> None:
    wid = world.workflow_id("la-user")
    previous = (await service.get_logic_app(wid)).identity
    with pytest.raises(ConflictError) as err:
        await service.enable_system_identity(wid)
    assert "uai-orders" in err.value.message and "one identity" in err.value.message
    assert (await service.get_logic_app(wid)).identity == previous  # nothing was sent
    switched = await service.enable_system_identity(wid, replace_user_assigned=True)
    assert switched.identity.type == "SystemAssigned" and not switched.identity.user_assigned
    restored = await service.restore_identity(wid, previous)
    assert restored.identity.type == "UserAssigned"
    assert restored.identity.user_assigned[0].principal_id == previous.user_assigned[0].principal_id


async def test_role_assignments_resolve_role_names(service: AzureService) -> None:
    assignments = await service.list_role_assignments(f"/subscriptions/{SUB}")
    assert {"Owner", "Reader"} <= {a.role_name for a in assignments}


async def test_role_assignment_is_idempotent_and_grants_rbac_access(
    service: AzureService, world: World, emu: Emulator
) -> None:
    scope = world.vault_id("kv-rbac")
    uri = emu.vault_uri("kv-rbac")
    with pytest.raises(ForbiddenError):
        await service.get_secret(uri, "rbac-secret")
    first = await service.create_role_assignment(
        scope, KV_SECRETS_OFFICER, world.admin_id, "ServicePrincipal"
    )
    assert first.role_name == "Key Vault Secrets Officer"
    second = await service.create_role_assignment(
        scope, KV_SECRETS_OFFICER, world.admin_id, "ServicePrincipal"
    )
    assert second.id == first.id
    at_vault = [a for a in await service.list_role_assignments(scope) if a.scope == scope]
    assert [a.id for a in at_vault] == [first.id]
    assert (await service.get_secret(uri, "rbac-secret")).value.reveal() == "r"

    await service.delete_role_assignment(first.id)
    assert first.id not in {a.id for a in await service.list_role_assignments(scope)}
    with pytest.raises(ForbiddenError) as err:
        await service.get_secret(uri, "rbac-secret")
    assert err.value.kind == ForbiddenKind.RBAC


async def test_role_assignment_at_secret_scope(service: AzureService, world: World) -> None:
    scope = f"{world.vault_id('kv-rbac')}/secrets/rbac-secret"
    ra = await service.create_role_assignment(
        scope, KV_SECRETS_USER, world.reader_id, "ServicePrincipal"
    )
    assert ra.scope.lower() == scope.lower() and ra.role_name == "Key Vault Secrets User"


async def test_reader_cannot_assign_roles(reader_service: AzureService, world: World) -> None:
    with pytest.raises(ForbiddenError) as err:
        await reader_service.create_role_assignment(
            world.vault_id("kv-rbac"), KV_SECRETS_USER, world.reader_id, "ServicePrincipal"
        )
    assert err.value.kind == ForbiddenKind.MANAGEMENT
