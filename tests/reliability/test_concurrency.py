"""Two consoles, or a console and a script, change the same vault: the later apply sees the
drift, applies nothing, and the re-made plan keeps both changes (no lost update)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from reliability_world import ADMIN_SECRET, RG, SUB, World, connect

from console.models import Permissions
from console.plans.apply import execute
from console.plans.firewall import propose_firewall
from console.plans.grant import PrincipalRef, find_policy, plan_grant
from console.service import AzureService
from emulator.server import Emulator


@pytest.fixture
async def two(emu: Emulator, world: World) -> AsyncIterator[tuple[AzureService, AzureService]]:
    first, second = AzureService(connect(emu, world)), AzureService(connect(emu, world))
    yield first, second
    await first.close()
    await second.close()


def ref(oid: str) -> PrincipalRef:
    return PrincipalRef(oid, f"app {oid[:8]}", "service_principal")


async def test_two_consoles_granting_on_the_same_vault_lose_nothing(
    two: tuple[AzureService, AzureService], world: World
) -> None:
    one, other = two
    vid = world.vault_id("kv-ap")
    p0, p1 = world.principals[:2]
    mine = plan_grant(await one.get_vault(vid), ref(p0), "read")
    theirs = plan_grant(await other.get_vault(vid), ref(p1), "rotate")
    assert (await execute(other, theirs)).ok

    stale = await execute(one, mine)
    assert stale.status == "drifted" and not stale.applied
    assert any(p1 in line for line in stale.drift)  # names whose entry changed
    assert "Nothing was applied" in stale.summary()
    assert find_policy(await one.get_vault(vid), p0) is None  # really nothing

    again = plan_grant(await one.get_vault(vid), ref(p0), "read")
    assert (await execute(one, again)).ok
    vault = await other.get_vault(vid)
    assert find_policy(vault, p0).permissions.secrets == ("get",)
    assert set(find_policy(vault, p1).permissions.secrets) == {"get", "list", "set"}


async def test_two_firewall_plans_keep_both_addresses(
    two: tuple[AzureService, AzureService], world: World
) -> None:
    one, other = two
    vid = world.vault_id("kv-ap")
    mine = propose_firewall(await one.get_vault(vid), extra_addresses=["20.1.1.1"]).plan
    theirs = propose_firewall(await other.get_vault(vid), extra_addresses=["20.2.2.2"]).plan
    assert (await execute(other, theirs, acknowledged=True, typed="kv-ap")).ok
    stale = await execute(one, mine, acknowledged=True, typed="kv-ap")
    assert stale.status == "drifted" and not stale.applied
    # applying the stale plan would have written the full rule set without 20.2.2.2
    again = propose_firewall(await one.get_vault(vid), extra_addresses=["20.1.1.1"]).plan
    assert (await execute(one, again, acknowledged=True, typed="kv-ap")).ok
    rules = (await other.get_vault(vid)).network.ip_rules
    assert set(rules) == {"20.1.1.1/32", "20.2.2.2/32"}


async def test_a_role_granted_meanwhile_is_not_assigned_twice(
    two: tuple[AzureService, AzureService], world: World, emu: Emulator
) -> None:
    one, other = two
    vid, p2 = world.vault_id("kv-rbac"), world.principals[2]

    async def plan(service: AzureService):
        vault = await service.get_vault(vid)
        return plan_grant(
            vault, ref(p2), "read", role_assignments=await service.list_role_assignments(vid)
        )

    mine, theirs = await plan(one), await plan(other)
    assert (await execute(other, theirs)).ok
    assert (await execute(one, mine)).status == "drifted"
    again = await plan(one)
    assert again.is_empty and "already" in " ".join(again.notes)
    assigned = [
        ra for ra in emu.state.role_assignments.values() if ra["properties"]["principalId"] == p2
    ]
    assert len(assigned) == 1


def _script_grants(emu: Emulator, world: World, object_id: str) -> None:
    """A plain SDK script (sync clients, its own credential) adding an access policy."""
    from azure.identity import ClientSecretCredential
    from azure.mgmt.keyvault import KeyVaultManagementClient
    from azure.mgmt.keyvault import models as m

    ca = str(emu.ca_path)
    cred = ClientSecretCredential(
        emu.state.tenant_id,
        world.admin_app_id,
        ADMIN_SECRET,
        authority=emu.base_url,
        disable_instance_discovery=True,
        connection_verify=ca,
    )
    client = KeyVaultManagementClient(cred, SUB, base_url=emu.base_url, connection_verify=ca)
    entry = m.AccessPolicyEntry(
        tenant_id=emu.state.tenant_id,
        object_id=object_id,
        permissions=m.Permissions(secrets=["get", "list"]),
    )
    params = m.VaultAccessPolicyParameters(
        properties=m.VaultAccessPolicyProperties(access_policies=[entry])
    )
    client.vaults.update_access_policy(RG, "kv-ap", "add", params)
    client.close()
    cred.close()


async def test_a_script_changing_the_vault_between_plan_and_apply(
    two: tuple[AzureService, AzureService], world: World, emu: Emulator
) -> None:
    console, _ = two
    vid = world.vault_id("kv-ap")
    p0, p3 = world.principals[0], world.principals[3]
    mine = plan_grant(await console.get_vault(vid), ref(p0), Permissions(secrets=("get",)))
    await asyncio.to_thread(_script_grants, emu, world, p3)
    stale = await execute(console, mine)
    assert stale.status == "drifted" and any(p3 in line for line in stale.drift)
    again = plan_grant(await console.get_vault(vid), ref(p0), Permissions(secrets=("get",)))
    assert (await execute(console, again)).ok
    vault = await console.get_vault(vid)
    assert find_policy(vault, p0) is not None and find_policy(vault, p3) is not None
