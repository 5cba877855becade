"""Firewall plans: deny + missing addresses, CIDR-aware dedupe, lock-out guard, undo."""

from __future__ import annotations

from dataclasses import replace

import pytest

from console.errors import ForbiddenError, ForbiddenKind
from console.models import LogicApp, NetworkRules, Vault, VirtualNetworkRule, WorkflowIdentity
from console.plans.base import NETWORK_RULES, network_from_dict
from console.plans.firewall import admin_address_from_error, lockout_check, propose_firewall

VAULT_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1"
SUBNET = (
    "/subscriptions/s/resourcegroups/rg/providers/microsoft.network/virtualnetworks/v/subnets/a"
)


def vault(**network) -> Vault:
    return Vault(
        id=VAULT_ID,
        name="kv1",
        subscription_id="s",
        resource_group="rg",
        location="westus",
        uri="https://127.0.0.1:4443/",
        tenant_id="t",
        network=NetworkRules(**network),
    )


APP = LogicApp(
    id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Logic/workflows/la-orders",
    name="la-orders",
    subscription_id="s",
    resource_group="rg",
    location="westus",
    state="Enabled",
    identity=WorkflowIdentity(),
    workflow_outgoing_ips=("52.160.92.112", "52.160.90.237"),
    connector_outgoing_ips=("13.93.148.62", "13.86.223.32/27", "52.160.92.112"),
)


def test_proposes_deny_plus_app_addresses_keeping_everything_else() -> None:
    v = vault(
        bypass="AzureServices",
        ip_rules=("40.1.1.1/32",),
        virtual_network_rules=(VirtualNetworkRule(SUBNET),),
    )
    proposal = propose_firewall(v, APP, admin_address="40.1.1.1")
    assert proposal.added == (
        "52.160.92.112/32",
        "52.160.90.237/32",
        "13.93.148.62/32",
        "13.86.223.32/27",
    )
    after = proposal.after
    assert after.default_action == "Deny" and after.bypass == "AzureServices"
    assert (
        after.ip_rules[0] == "40.1.1.1/32"
        and after.virtual_network_rules == v.network.virtual_network_rules
    )
    plan = proposal.plan
    (change,) = plan.changes
    assert change.kind == NETWORK_RULES
    assert network_from_dict(change.params.network) == after
    assert proposal.lockout.locked_out is False
    assert plan.needs_typed_confirmation is None and plan.warnings == ()
    assert "52.160.92.112/32 is listed twice: it is kept once." in plan.notes
    diff = plan.render_diff()
    assert "- default action: Allow" in diff and "+ default action: Deny" in diff
    assert "+ ip rules: 13.86.223.32/27" in diff and "  ip rules: 40.1.1.1/32" in diff


def test_addresses_inside_existing_rules_are_not_added() -> None:
    v = vault(
        default_action="Deny", ip_rules=("52.160.0.0/16", "13.93.148.62/32", "13.86.223.0/24")
    )
    proposal = propose_firewall(v, APP, admin_address="52.160.1.1")
    assert proposal.added == ()
    assert proposal.plan.is_empty and "already denies" in proposal.plan.notes[0]


def test_lock_out_needs_typed_confirmation_of_the_vault_name() -> None:
    proposal = propose_firewall(vault(), APP, admin_address="20.30.40.50")
    assert proposal.lockout.locked_out is True
    plan = proposal.plan
    assert plan.needs_typed_confirmation == "kv1"
    assert any("locked out" in w for w in plan.warnings)
    assert not plan.confirmation_matches("") and not plan.confirmation_matches("KV1")
    assert plan.confirmation_matches(" kv1 ")


def test_including_the_admin_address_removes_the_lock_out() -> None:
    proposal = propose_firewall(
        vault(), APP, admin_address="20.30.40.50", include_admin_address=True
    )
    assert "20.30.40.50/32" in proposal.added
    assert proposal.lockout.locked_out is False
    assert proposal.plan.needs_typed_confirmation is None


def test_unknown_admin_address_needs_typed_confirmation() -> None:
    proposal = propose_firewall(vault(), APP)
    assert proposal.lockout.locked_out is None
    assert proposal.plan.needs_typed_confirmation == "kv1"
    assert any("unknown" in w for w in proposal.plan.warnings)
    blocked = propose_firewall(vault(), APP, include_admin_address=True)
    assert not blocked.plan.can_apply


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("2001:db8::1", "IPv6"),
        ("10.0.0.1", "private"),
        ("20.1.2.0-20.1.2.255", "20.1.2.0/24"),
        ("20.1.2.3/24", "host bits"),
    ],
)
def test_bad_user_addresses_block_the_whole_plan(extra: str, expected: str) -> None:
    proposal = propose_firewall(
        vault(), APP, extra_addresses=["20.9.9.9", extra], admin_address="20.9.9.9"
    )
    assert not proposal.plan.can_apply and proposal.plan.changes == ()
    assert proposal.errors and proposal.errors[0][0] == extra
    assert expected in (proposal.plan.blocked or "")


def test_everyone_is_a_warning_needing_acknowledgement() -> None:
    proposal = propose_firewall(
        vault(), None, extra_addresses=["0.0.0.0/0"], admin_address="20.1.1.1"
    )
    plan = proposal.plan
    assert plan.can_apply and plan.needs_acknowledgement
    assert any("every address" in w for w in plan.warnings)
    assert proposal.lockout.locked_out is False  # 0.0.0.0/0 covers the admin


def test_undo_restores_the_previous_rules() -> None:
    v = vault(bypass="None", ip_rules=("40.1.1.1/32",))
    change = propose_firewall(v, APP, admin_address="40.1.1.1").plan.changes[0]
    assert change.undo is not None
    assert network_from_dict(change.undo.params.network) == v.network


def test_app_without_outgoing_addresses_warns() -> None:
    bare = replace(APP, workflow_outgoing_ips=(), connector_outgoing_ips=())
    plan = propose_firewall(
        vault(), bare, admin_address="20.1.1.1", include_admin_address=True
    ).plan
    assert any("no outgoing addresses" in w for w in plan.warnings)


def test_lockout_check_cases() -> None:
    allow = NetworkRules()
    deny = NetworkRules(default_action="Deny", ip_rules=("20.1.0.0/16",))
    assert lockout_check(allow, None).locked_out is False
    assert lockout_check(deny, "20.1.5.5").locked_out is False
    assert lockout_check(deny, "20.2.5.5").locked_out is True
    assert lockout_check(deny, None).locked_out is None
    assert lockout_check(allow, "20.2.5.5", "Disabled").locked_out is True


def test_admin_address_learned_from_a_firewall_refusal() -> None:
    typed = ForbiddenError("blocked", kind=ForbiddenKind.FIREWALL, client_address="20.126.176.160")
    assert admin_address_from_error(typed) == "20.126.176.160"
    text = ForbiddenError(
        "Client address is not authorized.\r\nClient address: 20.1.2.3\r\n",
        kind=ForbiddenKind.FIREWALL,
    )
    assert admin_address_from_error(text) == "20.1.2.3"
    assert admin_address_from_error(ValueError("nothing")) is None


def test_only_the_address_list_the_key_vault_calls_come_from_is_added() -> None:
    """Issue 12: HTTP actions call from the workflow (runtime) addresses, the managed connector
    from the connector addresses; both lists are shared by the region's Logic Apps."""
    from dataclasses import replace

    http_only = replace(
        APP,
        definition={"actions": {"Get": {"type": "Http", "inputs": {
            "method": "GET", "uri": "https://kv1.vault.azure.net/secrets/x?api-version=7.4",
            "authentication": {"type": "ManagedServiceIdentity"}}}}},
    )  # fmt: skip
    proposal = propose_firewall(vault(), http_only)
    added = set(proposal.added)
    assert {_net(a) for a in APP.workflow_outgoing_ips} <= added
    connector_only = {_net(a) for a in APP.connector_outgoing_ips} - {
        _net(a) for a in APP.workflow_outgoing_ips
    }
    assert connector_only and not (connector_only & added)
    assert any("shared by every Logic App" in n for n in proposal.plan.notes)


def _net(address: str) -> str:
    import ipaddress

    return str(ipaddress.ip_network(address, strict=False))
