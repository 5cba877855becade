"""Plan mechanics: JSON safety, preview, drift, results, undo, and the applier's guards."""

from __future__ import annotations

from dataclasses import replace

import pytest

from console.errors import ConflictError
from console.masked import MaskedValue
from console.models import AccessPolicy, NetworkRules, Permissions, Vault
from console.plans.apply import ConfirmationRequired, execute
from console.plans.base import (
    Change,
    Plan,
    PlanResult,
    SecretLeakError,
    drift,
    run_changes,
    snapshot_of,
)
from console.plans.changes import AccessPolicyAdd, AccessPolicyRemove, SecretPurge, SecretSet
from console.plans.firewall import propose_firewall
from console.plans.grant import PrincipalRef, plan_grant

VAULT = Vault(
    id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1",
    name="kv1",
    subscription_id="s",
    resource_group="rg",
    location="westus",
    uri="https://127.0.0.1:4443/",
    tenant_id="t",
)
OID = "11111111-1111-1111-1111-111111111111"
OTHER = "99999999-9999-9999-9999-999999999999"
APP = PrincipalRef(OID, "la-orders", "managed_identity")


def grant(n: int) -> AccessPolicyAdd:
    return AccessPolicyAdd(f"/r/{n}", OID, "t", {"secrets": ["get"]})


def change(n: int) -> Change:
    remove = AccessPolicyRemove(f"/r/{n}", OID, "t", {"secrets": ["get"]})
    return Change(
        f"/r/{n}",
        f"step {n}",
        grant(n),
        None,
        {"n": n},
        undo=Change(f"/r/{n}", f"undo {n}", remove, {"n": n}, None),
    )


def test_changes_refuse_secret_values_and_non_json() -> None:
    with pytest.raises(SecretLeakError):
        Change("/r", "x", grant(1), after={"value": MaskedValue("s3cret")})
    with pytest.raises(SecretLeakError):
        Change("/r", "x", SecretSet("https://kv/", "db", tags={"t": MaskedValue("s3cret")}))
    with pytest.raises(TypeError):
        Change("/r", "x", grant(1), before={"obj": object()})
    with pytest.raises(ValueError):
        Change.from_dict({"resource_id": "/r", "kind": "vault.delete", "summary": "x"})


def test_change_round_trips_through_json_dicts() -> None:
    c = change(1)
    assert Change.from_dict(c.to_dict()) == c


def test_render_diff_of_a_blocked_and_an_empty_plan() -> None:
    assert Plan("T", blocked="No.").render_diff() == ["T", "✗ No."]
    assert Plan("T", notes=("n",)).render_diff() == ["T", "Nothing to change.", "i n"]


def test_drift_names_what_someone_else_changed() -> None:
    before = snapshot_of(VAULT)
    other = replace(
        VAULT,
        access_policies=(AccessPolicy("t", OTHER, Permissions(secrets=("get", "list"))),),
        network=NetworkRules(default_action="Deny", ip_rules=("20.1.1.1/32",)),
    )
    assert drift(before, snapshot_of(other)) == [
        f"access policies › {OTHER}: added (secrets get, list)",
        "network › default action: Allow → Deny",
        "network › ip rules: added 20.1.1.1/32",
    ]
    assert drift(before, snapshot_of(VAULT)) == []
    removed = drift(snapshot_of(other), snapshot_of(VAULT))
    assert f"access policies › {OTHER}: removed (was secrets get, list)" in removed


def test_result_summary_after_a_failure_in_the_middle() -> None:
    plan = Plan("Three steps", (change(1), change(2), change(3)))
    result = PlanResult(plan, (plan.changes[0],), plan.changes[1], "Conflict.", (plan.changes[2],))
    assert result.status == "partial" and not result.ok
    assert result.summary().splitlines() == [
        "Applied (1):",
        "  ✓ step 1",
        "Failed: ✗ step 2",
        "  Conflict.",
        "Not attempted (1):",
        "  · step 3",
        "The applied part can be undone.",
    ]
    undo = result.undo_plan()
    assert undo is not None and [c.summary for c in undo.changes] == ["undo 1"]
    assert result.to_dict()["applied"] == [0] and result.to_dict()["failed"] == 1


async def test_run_changes_stops_at_the_first_failure() -> None:
    plan = Plan("Three steps", (change(1), change(2), change(3)))
    seen: list[str] = []

    async def apply_one(c: Change) -> None:
        seen.append(c.summary)
        if c.summary == "step 2":
            raise ConflictError("Someone else is changing this vault.")

    result = await run_changes(plan, apply_one)
    assert seen == ["step 1", "step 2"]
    assert [c.summary for c in result.applied] == ["step 1"]
    assert result.error == "Someone else is changing this vault."
    assert [c.summary for c in result.not_attempted] == ["step 3"]


async def test_unexpected_errors_show_their_type_only() -> None:
    async def boom(c: Change) -> None:
        raise RuntimeError("body was: hunter2")

    result = await run_changes(Plan("x", (change(1),)), boom)
    assert result.error == "Unexpected RuntimeError." and result.status == "failed"


def test_undo_plan_reverses_order_and_lists_what_cannot_be_undone() -> None:
    purge = SecretPurge("https://kv/", "db")
    no_undo = Change("/r/9", "purge", purge, undo_note="gone for good")
    undo = Plan("P", (change(1), no_undo, change(2))).undo_plan()
    assert undo is not None
    assert [c.summary for c in undo.changes] == ["undo 2", "undo 1"]
    assert "Cannot undo: purge (gone for good)" in undo.notes
    assert Plan("P", (no_undo,)).undo_plan() is None


# ---- the applier, against a stand-in of our own facade (not of the Azure SDK) ---------------


class FakeService:
    """Just enough of AzureService for access-policy and firewall plans."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.calls: list[str] = []

    async def get_vault(self, vault_id: str) -> Vault:
        return self.vault

    async def add_access_policy(
        self, vault_id: str, object_id: str, permissions: Permissions
    ) -> Vault:
        self.calls.append(f"add {object_id} {permissions.secrets}")
        merged = AccessPolicy(self.vault.tenant_id, object_id, permissions)
        self.vault = replace(self.vault, access_policies=(*self.vault.access_policies, merged))
        return self.vault

    async def update_network_rules(self, vault_id: str, rules: NetworkRules) -> Vault:
        self.calls.append(f"network {rules.default_action} {rules.ip_rules}")
        self.vault = replace(self.vault, network=rules)
        return self.vault


async def test_execute_applies_and_the_re_read_matches() -> None:
    service = FakeService(VAULT)
    plan = plan_grant(VAULT, APP)
    result = await execute(service, plan)
    assert result.ok and service.calls == [f"add {OID} ('get',)"]
    # a second plan made from the new state is empty: the grant is idempotent
    assert plan_grant(service.vault, APP).is_empty


async def test_execute_detects_a_concurrent_change_and_applies_nothing() -> None:
    service = FakeService(VAULT)
    plan = plan_grant(VAULT, APP)
    service.vault = replace(VAULT, network=NetworkRules(default_action="Deny"))  # someone else
    result = await execute(service, plan)
    assert result.status == "drifted" and service.calls == []
    assert result.drift == ("vault kv1: network › default action: Allow → Deny",)
    assert result.summary().startswith("Nothing was applied")


async def test_execute_refuses_unconfirmed_plans() -> None:
    service = FakeService(VAULT)
    custom = plan_grant(VAULT, APP, Permissions(secrets=("get", "set")))
    with pytest.raises(ConfirmationRequired):
        await execute(service, custom)
    locking = propose_firewall(
        VAULT, None, extra_addresses=["20.1.1.1"], admin_address="30.1.1.1"
    ).plan
    with pytest.raises(ConfirmationRequired):
        await execute(service, locking, acknowledged=True, typed="kv")
    assert service.calls == []
    result = await execute(service, locking, acknowledged=True, typed="kv1")
    assert result.ok and service.calls == ["network Deny ('20.1.1.1/32',)"]
