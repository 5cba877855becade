"""Enable-identity plans: no-op, enable, blocked on user-assigned, switch with a loud warning."""

from __future__ import annotations

from console.models import LogicApp, UserAssignedRef, WorkflowIdentity
from console.plans.base import IDENTITY
from console.plans.grant import PrincipalRef
from console.plans.identity import plan_enable_identity, user_assigned_principal

APP_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Logic/workflows/la-orders"
UAI_ID = (
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity"
    "/userAssignedIdentities/id-orders"
)
UAI = UserAssignedRef(
    UAI_ID, "44444444-4444-4444-4444-444444444444", "55555555-5555-5555-5555-555555555555"
)


def app(identity: WorkflowIdentity) -> LogicApp:
    return LogicApp(
        id=APP_ID,
        name="la-orders",
        subscription_id="s",
        resource_group="rg",
        location="westus",
        state="Enabled",
        identity=identity,
        changed_time="2026-01-01T00:00:00Z",
    )


def test_enable_from_none() -> None:
    plan = plan_enable_identity(app(WorkflowIdentity()))
    assert plan.can_apply and plan.warnings == ()
    (change,) = plan.changes
    assert change.kind == IDENTITY
    assert change.params.to_dict() == {
        "logic_app_id": APP_ID,
        "identity": {"type": "SystemAssigned"},
        "replace_user_assigned": False,
    }
    assert change.before == {"type": "None"} and change.after["type"] == "SystemAssigned"
    assert "- type: None" in plan.render_diff() and "+ type: SystemAssigned" in plan.render_diff()
    # undo turns it off again, and says what cannot come back
    assert change.undo is not None and change.undo.params.identity == {"type": "None"}
    assert "new principal id" in change.undo_note


def test_already_system_assigned_is_a_no_op() -> None:
    ident = WorkflowIdentity("SystemAssigned", "66666666-6666-6666-6666-666666666666", "t")
    plan = plan_enable_identity(app(ident))
    assert plan.is_empty and not plan.can_apply and plan.blocked is None
    assert "66666666-6666-6666-6666-666666666666" in plan.notes[0]


def test_user_assigned_blocks_and_offers_to_grant_it() -> None:
    a = app(WorkflowIdentity("UserAssigned", user_assigned=(UAI,)))
    plan = plan_enable_identity(a)
    assert not plan.can_apply and plan.changes == ()
    assert "id-orders" in (plan.blocked or "") and "grant that identity" in (plan.blocked or "")
    assert user_assigned_principal(a) == PrincipalRef(
        UAI.principal_id, "id-orders (user-assigned identity of la-orders)", "managed_identity"
    )


def test_switch_warns_loudly_and_can_be_undone() -> None:
    plan = plan_enable_identity(
        app(WorkflowIdentity("UserAssigned", user_assigned=(UAI,))), switch=True
    )
    assert plan.can_apply and plan.needs_acknowledgement
    (warning,) = plan.warnings
    assert warning.startswith("SWITCHING IDENTITY") and "stops applying" in warning
    (change,) = plan.changes
    assert change.params.replace_user_assigned is True
    assert change.before == {"type": "UserAssigned", "user_assigned": [UAI_ID]}
    assert change.undo is not None
    assert change.undo.params.identity == {"type": "UserAssigned", "user_assigned": [UAI_ID]}


def test_snapshot_leaves_the_definition_out() -> None:
    a = app(WorkflowIdentity())
    a = LogicApp(**{**a.__dict__, "parameters": {"apiKey": {"value": "canary-def-123"}}})
    plan = plan_enable_identity(a)
    assert "canary-def-123" not in repr(plan.snapshot)
    assert plan.snapshot[f"logic_app:{APP_ID}"]["changed"] == "2026-01-01T00:00:00Z"
