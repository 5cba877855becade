"""Enable-identity wizard: turn on a Logic App's system-assigned managed identity."""

from __future__ import annotations

from console.models import LogicApp
from console.plans.base import IDENTITY, Change, Plan, logic_app_snapshot, source_key
from console.plans.grant import PrincipalRef, principal_for_logic_app


def user_assigned_principal(app: LogicApp) -> PrincipalRef | None:
    """The user-assigned identity to grant instead of switching, if the app has one."""
    if app.identity.type == "UserAssigned" and app.identity.user_assigned:
        return principal_for_logic_app(app)
    return None


def plan_enable_identity(app: LogicApp, *, switch: bool = False) -> Plan:
    """A Consumption Logic App holds either a system-assigned or one user-assigned identity.

    Already system-assigned: an empty plan. User-assigned: blocked (grant that identity instead)
    unless *switch*, which drops it with a loud warning.
    """
    title = f"Enable the system-assigned identity of Logic App {app.name}"
    snapshot = {source_key("logic_app", app.id): logic_app_snapshot(app)}
    ident = app.identity
    if "SystemAssigned" in ident.type:
        return Plan(
            title,
            notes=(
                f"{app.name} already has a system-assigned identity "
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
                    f"{app.name} already uses the user-assigned identity '{uai_name}' "
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
            app.id,
            IDENTITY,
            f"Put back the user-assigned identity '{uai_name}' on {app.name}",
            before=after,
            after=before,
            params={
                "logic_app_id": app.id,
                "identity": undo_identity,
                "replace_user_assigned": True,
            },
        )
        change = Change(
            app.id,
            IDENTITY,
            f"Replace the user-assigned identity '{uai_name}' of {app.name} "
            "by a system-assigned identity",
            before=before,
            after=after,
            params={
                "logic_app_id": app.id,
                "identity": {"type": "SystemAssigned"},
                "replace_user_assigned": True,
            },
            undo=undo,
            undo_note="undo deletes the new system-assigned principal and its grants",
        )
        warning = (
            f"SWITCHING IDENTITY: {app.name} will stop using '{uai_name}'. Every vault access "
            f"and role granted to '{uai_name}' stops applying to this Logic App, and the new "
            "identity has no access until you grant it: running workflows may fail."
        )
        return Plan(title, (change,), (warning,), snapshot=snapshot)
    undo = Change(
        app.id,
        IDENTITY,
        f"Turn off the managed identity of {app.name}",
        before=after,
        after=before,
        params={"logic_app_id": app.id, "identity": {"type": "None"}},
    )
    change = Change(
        app.id,
        IDENTITY,
        f"Turn on the system-assigned identity of {app.name}",
        before=before,
        after=after,
        params={
            "logic_app_id": app.id,
            "identity": {"type": "SystemAssigned"},
            "replace_user_assigned": False,
        },
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
