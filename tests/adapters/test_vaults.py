"""Subscriptions, resource groups and vaults through AzureService and the real ARM clients."""

from __future__ import annotations

import pytest
from adapter_world import RG, SUB, SUB2, World

from console.errors import ForbiddenError, ForbiddenKind, NotFoundError
from console.models import NetworkRules, Permissions, VirtualNetworkRule
from console.service import AzureService
from emulator.server import Emulator


async def test_subscriptions_and_resource_groups(service: AzureService) -> None:
    subs = await service.list_subscriptions()
    assert {s.subscription_id: s.display_name for s in subs} == {
        SUB: "Contoso Production",
        SUB2: "Contoso Sandbox",
    }
    groups = await service.list_resource_groups(SUB)
    assert {g.name for g in groups} == {RG, "rg-data"}
    assert all(g.subscription_id == SUB for g in groups)


async def test_list_vaults_by_subscription_and_group(service: AzureService, emu: Emulator) -> None:
    vaults = await service.list_vaults(SUB)
    assert {v.name for v in vaults} == {"kv-open", "kv-locked", "kv-rbac", "kv-guarded"}
    by_name = {v.name: v for v in vaults}
    assert by_name["kv-open"].uri == emu.vault_uri("kv-open")  # Azure's vaultUri, not built
    assert by_name["kv-rbac"].rbac_authorization and by_name["kv-guarded"].purge_protection
    assert by_name["kv-locked"].network.default_action == "Deny"
    assert by_name["kv-locked"].network.ip_rules == ("198.51.100.7/32",)
    in_group = await service.list_vaults(SUB, "rg-data")
    assert [v.name for v in in_group] == ["kv-guarded"]
    pages = [page async for page in service.iter_vault_pages(SUB2)]
    assert [v.name for page in pages for v in page] == ["kv-sandbox"]


async def test_get_vault_details(service: AzureService, world: World) -> None:
    vault = await service.get_vault(world.vault_id("kv-open"))
    assert (vault.subscription_id, vault.resource_group, vault.location) == (SUB, RG, "westeurope")
    (policy,) = vault.access_policies
    assert policy.object_id == world.admin_id and "get" in policy.permissions.secrets
    assert vault.soft_delete and vault.retention_days == 90 and not vault.pinned


async def test_unknown_vault_is_not_found(service: AzureService, world: World) -> None:
    with pytest.raises(NotFoundError) as err:
        await service.get_vault(world.vault_id("kv-nowhere"))
    assert "kv-nowhere" in err.value.message


def test_pinned_vault_keeps_the_uri(service: AzureService) -> None:
    vault = service.pinned_vault("https://kv-shared.vault.azure.net")
    assert vault.pinned and vault.name == "kv-shared"
    assert vault.uri == "https://kv-shared.vault.azure.net/"


async def test_add_replace_remove_access_policy(service: AzureService, world: World) -> None:
    vid = world.vault_id("kv-open")

    def entry(vault):
        return next(p for p in vault.access_policies if p.object_id == world.reader_id)

    after_add = await service.add_access_policy(vid, world.reader_id, Permissions(secrets=("get",)))
    assert entry(after_add).permissions.secrets == ("get",)
    merged = await service.add_access_policy(vid, world.reader_id, Permissions(secrets=("list",)))
    assert set(entry(merged).permissions.secrets) == {"get", "list"}
    replaced = await service.replace_access_policy(
        vid, world.reader_id, Permissions(secrets=("get",))
    )
    assert entry(replaced).permissions.secrets == ("get",)
    removed = await service.remove_access_policy(vid, world.reader_id)
    assert world.reader_id not in {p.object_id for p in removed.access_policies}
    # The admin's own entry was never touched by these per-principal operations.
    assert world.admin_id in {p.object_id for p in removed.access_policies}


async def test_granted_policy_lets_the_reader_read(
    service: AzureService, reader_service: AzureService, world: World, emu: Emulator
) -> None:
    uri = emu.vault_uri("kv-open")
    with pytest.raises(ForbiddenError):
        await reader_service.get_secret(uri, "db-password")
    await service.add_access_policy(
        world.vault_id("kv-open"), world.reader_id, Permissions(secrets=("get",))
    )
    assert (await reader_service.get_secret(uri, "db-password")).value.reveal()


async def test_update_network_rules_keeps_other_properties(
    service: AzureService, world: World
) -> None:
    vid = world.vault_id("kv-open")
    before = await service.get_vault(vid)
    rules = NetworkRules(
        default_action="Deny", bypass="None", ip_rules=("203.0.113.10", "40.68.0.0/16")
    )
    after = await service.update_network_rules(vid, rules)
    assert after.network.default_action == "Deny" and after.network.bypass == "None"
    assert after.network.ip_rules == ("203.0.113.10/32", "40.68.0.0/16")
    assert after.access_policies == before.access_policies and after.uri == before.uri
    # Undo: the previous rules go back as they were.
    restored = await service.update_network_rules(vid, before.network)
    assert restored.network == before.network


async def test_network_rules_with_vnet_rule_round_trip(service: AzureService, world: World) -> None:
    vnet = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/virtualNetworks/v"
    subnet = f"{vnet}/subnets/s"
    rules = NetworkRules(virtual_network_rules=(VirtualNetworkRule(subnet),))
    after = await service.update_network_rules(world.vault_id("kv-open"), rules)
    assert [r.id.lower() for r in after.network.virtual_network_rules] == [subnet.lower()]


async def test_reader_write_is_forbidden_management(
    reader_service: AzureService, world: World
) -> None:
    vid = world.vault_id("kv-open")
    assert (await reader_service.get_vault(vid)).name == "kv-open"  # Reader may read
    with pytest.raises(ForbiddenError) as err:
        await reader_service.add_access_policy(vid, world.reader_id, Permissions(secrets=("get",)))
    assert err.value.kind == ForbiddenKind.MANAGEMENT
    assert "AuthorizationFailed" in (err.value.code or "AuthorizationFailed")
    with pytest.raises(ForbiddenError) as err2:
        await reader_service.update_network_rules(vid, NetworkRules(default_action="Deny"))
    assert err2.value.kind == ForbiddenKind.MANAGEMENT


async def test_vaults_of_a_group_named_with_parentheses_dots_and_non_ascii_letters(
    service: AzureService, world: World
) -> None:
    from emulator import factories as f

    group = "rg-(team)ü.1"  # all allowed in resource group names
    f.add_resource_group(world.state, SUB, group)
    f.add_vault(world.state, SUB, group, "kv-team")
    assert [v.name for v in await service.list_vaults(SUB, group)] == ["kv-team"]
    assert "kv-team" not in [v.name for v in await service.list_vaults(SUB, "rg-data")]
