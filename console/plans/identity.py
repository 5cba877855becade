"""Enable-identity wizard: turn on a Logic App's system-assigned managed identity."""

from __future__ import annotations

from console.models import LogicApp
from console.plans.base import Change, Plan, logic_app_snapshot, source_key
from console.plans.changes import IdentitySet
from console.plans.grant import PrincipalRef, principal_for_logic_app


def user_assigned_principal(logic_app: LogicApp) -> PrincipalRef | None:
    """The user-assigned identity to grant instead of switching, if the app has one."""
    if logic_app.identity.type == "UserAssigned" and logic_app.identity.user_assigned:
        return principal_for_logic_app(logic_app)
    return None


def plan_enable_identity(logic_app: LogicApp, *, switch: bool = False) -> Plan:
    """A Consumption Logic App holds either a system-assigned or one user-assigned identity.

    Already system-assigned: an empty plan. User-assigned: blocked (grant that identity instead)
    unless *switch*, which drops it with a loud warning.
    """
    title = f"Enable the system-assigned identity of Logic App {logic_app.name}"
    snapshot = {source_key("logic_app", logic_app.id): logic_app_snapshot(logic_app)}
    ident = logic_app.identity
    if "SystemAssigned" in ident.type:
        return Plan(
            title,
            notes=(
                f"{logic_app.name} already has a system-assigned identity "
                f"(principal id {ident.principal_id or 'not reported yet'}): nothing to do.",
            ),
            snapshot=snapshot,
        )
    before: dict[str, object] = {"type": ident.type}
    after = {"type": "SystemAssigned", "principal_id": "(given by Azure when applied)"}
    if ident.type == "UserAssigned":
        uai = ident.user_assigned[0] if ident.user_assigned else None
        uai_name = uai.resource_id.rstrip("/").rsplit("/", 1)[-1] if uai else "(unknown)"
        if not switch:
            return Plan(
                title,
                blocked=(
                    f"{logic_app.name} already uses the user-assigned identity '{uai_name}' "
                    f"(principal id {uai.principal_id if uai else 'unknown'}). A Consumption "
                    "Logic App holds only one identity: grant that identity access instead, or "
                    "switch to a system-assigned one (its grants would stop applying)."
                ),
                snapshot=snapshot,
            )
        before = {
            "type": "UserAssigned",
            "user_assigned": [u.resource_id for u in ident.user_assigned],
        }
        undo_identity = {
            "type": "UserAssigned",
            "user_assigned": [u.resource_id for u in ident.user_assigned],
        }
        undo = Change(
            logic_app.id,
            f"Put back the user-assigned identity '{uai_name}' on {logic_app.name}",
            before=after,
            after=before,
            params=IdentitySet(
                logic_app_id=logic_app.id,
                identity=undo_identity,
                replace_user_assigned=True,
            ),
        )
        change = Change(
            logic_app.id,
            f"Replace the user-assigned identity '{uai_name}' of {logic_app.name} "
            "by a system-assigned identity",
            before=before,
            after=after,
            params=IdentitySet(
                logic_app_id=logic_app.id,
                identity={"type": "SystemAssigned"},
                replace_user_assigned=True,
            ),
            undo=undo,
            undo_note="undo deletes the new system-assigned principal and its grants",
        )
        warning = (
            f"SWITCHING IDENTITY: {logic_app.name} will stop using '{uai_name}'. Every vault "
            f"access and role granted to '{uai_name}' stops applying to this Logic App, and the "
            "new identity has no access until you grant it: running workflows may fail."
        )
        return Plan(title, (change,), (warning,), snapshot=snapshot)
    undo = Change(
        logic_app.id,
        f"Turn off the managed identity of {logic_app.name}",
        before=after,
        after=before,
        params=IdentitySet(logic_app_id=logic_app.id, identity={"type": "None"}),
    )
    change = Change(
        logic_app.id,
        f"Turn on the system-assigned identity of {logic_app.name}",
        before=before,
        after=after,
        params=IdentitySet(
            logic_app_id=logic_app.id,
            identity={"type": "SystemAssigned"},
            replace_user_assigned=False,
        ),
        undo=undo,
        undo_note=(
            "undo deletes the identity's principal: enabling it again gives a new principal id "
            "without the grants made meanwhile"
        ),
    )
    return Plan(
        title,
        (change,),
        notes=("Next: grant this identity access to a vault (secrets Get).",),
        snapshot=snapshot,
    )
