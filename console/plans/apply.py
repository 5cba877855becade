"""Apply a plan through :class:`console.service.AzureService`: confirm, re-read, apply, verify.

Duck-typed on the service (any object with the same async methods), so it stays free of
Azure imports and can run against the emulator or a test double of the facade.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from console.errors import ConsoleError, NotFoundError, ServiceError, ThrottledError
from console.masked import MaskedValue
from console.models import UserAssignedRef, WorkflowIdentity
from console.plans import base as b
from console.plans.grant import find_assignment


class ConfirmationRequired(ConsoleError):
    title = "Confirmation needed"


def _date(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


async def read_current(service: Any, plan: b.Plan) -> dict[str, Any]:
    """Re-read every resource the plan was made from, in the plan's snapshot format."""
    current: dict[str, Any] = {}
    for key in plan.snapshot:
        kind, ident = b.parse_source_key(key)
        if kind == "vault":
            current[key] = b.snapshot_of(await service.get_vault(ident))
        elif kind == "logic_app":
            current[key] = b.snapshot_of(await service.get_logic_app(ident))
        elif kind == "role_assignments":
            assignments = await service.list_role_assignments(ident)
            current[key] = b.json_safe(b.role_assignments_snapshot(assignments))
        elif kind == "secret":
            vault_uri, _, name = ident.rpartition("|")
            try:
                versions = await service.list_secret_versions(vault_uri, name)
            except NotFoundError:
                versions = []
            current[key] = b.snapshot_of(versions[0] if versions else None)  # newest first
        else:
            raise ValueError(f"unknown snapshot source {kind!r}")
    return current


async def apply_change(
    service: Any, change: b.Change, *, secret_value: MaskedValue | None = None
) -> Any:
    """One change -> one service call (role assignment deletes may list first)."""
    p = change.params
    kind = change.kind
    if kind == b.ACCESS_POLICY_ADD:
        perms = b.permissions_from_dict(p["permissions"])
        return await service.add_access_policy(p["vault_id"], p["object_id"], perms)
    if kind == b.ACCESS_POLICY_REMOVE:
        perms = b.permissions_from_dict(p["permissions"]) if p.get("permissions") else None
        return await service.remove_access_policy(p["vault_id"], p["object_id"], perms)
    if kind == b.NETWORK_RULES:
        return await service.update_network_rules(p["vault_id"], b.network_from_dict(p["network"]))
    if kind == b.IDENTITY:
        ident = p["identity"]
        if ident["type"] == "SystemAssigned":
            return await service.enable_system_identity(
                p["logic_app_id"], replace_user_assigned=bool(p.get("replace_user_assigned"))
            )
        if ident["type"] == "None":
            return await service.set_identity_none(p["logic_app_id"])
        refs = tuple(UserAssignedRef(rid, "", "") for rid in ident.get("user_assigned", ()))
        previous = WorkflowIdentity(type=ident["type"], user_assigned=refs)
        return await service.restore_identity(p["logic_app_id"], previous)
    if kind == b.ROLE_ASSIGNMENT_CREATE:
        return await service.create_role_assignment(
            p["scope"],
            p["role_definition_guid"],
            p["principal_id"],
            p.get("principal_type") or "ServicePrincipal",
        )
    if kind == b.ROLE_ASSIGNMENT_DELETE:
        assignment_id = p.get("id")
        if not assignment_id:
            found = find_assignment(
                await service.list_role_assignments(p["scope"]),
                p["scope"],
                p["role_definition_guid"],
                p["principal_id"],
            )
            if found is None:
                return None  # already gone: deleting is idempotent
            assignment_id = found.id
        return await service.delete_role_assignment(assignment_id)
    if kind == b.SECRET_SET:
        if secret_value is None:
            raise ValueError("secret.set needs the draft's value")
        return await service.set_secret(
            p["vault_uri"],
            p["name"],
            secret_value,
            content_type=p.get("content_type"),
            enabled=p.get("enabled", True),
            not_before=_date(p.get("not_before")),
            expires_on=_date(p.get("expires_on")),
            tags=p.get("tags") or None,
        )
    if kind == b.SECRET_UPDATE:
        return await service.update_secret_properties(
            p["vault_uri"],
            p["name"],
            p.get("version"),
            enabled=p.get("enabled"),
            content_type=p.get("content_type"),
            not_before=_date(p.get("not_before")),
            expires_on=_date(p.get("expires_on")),
            tags=p.get("tags"),
        )
    if kind == b.SECRET_DELETE:
        return await service.delete_secret(p["vault_uri"], p["name"])
    if kind == b.SECRET_RECOVER:
        return await service.recover_deleted_secret(p["vault_uri"], p["name"])
    if kind == b.SECRET_PURGE:
        return await service.purge_deleted_secret(p["vault_uri"], p["name"])
    raise ValueError(f"unknown change kind {kind!r}")


async def execute(
    service: Any,
    plan: b.Plan,
    *,
    acknowledged: bool = False,
    typed: str = "",
    secret_value: MaskedValue | None = None,
) -> b.PlanResult:
    """Refuse unless confirmed as the plan requires; re-read and stop on drift (nothing
    applied); then apply change by change, stopping at the first failure."""
    if plan.blocked:
        raise ConfirmationRequired(plan.blocked)
    if plan.needs_acknowledgement and not acknowledged:
        raise ConfirmationRequired("Confirm the warnings of this plan before applying it.")
    if not plan.confirmation_matches(typed):
        raise ConfirmationRequired(
            f"Type '{plan.needs_typed_confirmation}' exactly to apply this plan."
        )
    if plan.snapshot:
        changed = b.drift(plan.snapshot, await read_current(service, plan))
        if changed:
            return b.PlanResult(plan, not_attempted=plan.changes, drift=tuple(changed))

    async def one(change: b.Change) -> Any:
        try:
            return await apply_change(service, change, secret_value=secret_value)
        except (ServiceError, ThrottledError) as exc:
            # A dropped connection or a 5xx, or throttling of a resend after one: Azure may have
            # done it and the answer was lost.
            if await took_effect(service, change):
                return None  # it is there: go on with the plan
            message = f"{exc.message} It may still have been applied: refresh before retrying."
            if isinstance(exc, ThrottledError):
                raise ThrottledError(message, code=exc.code, retry_after=exc.retry_after) from None
            raise ServiceError(message, code=exc.code) from None

    return await b.run_changes(plan, one)


async def took_effect(service: Any, change: b.Change) -> bool:
    """Re-read the change's resource: is the change's intent already true? (False: unknown.)"""
    p = change.params
    try:
        if change.kind in (b.ACCESS_POLICY_ADD, b.ACCESS_POLICY_REMOVE):
            vault = await service.get_vault(p["vault_id"])
            held = next(
                (
                    b.permissions_to_dict(a.permissions)
                    for a in vault.access_policies
                    if a.object_id.lower() == p["object_id"].lower()
                ),
                None,
            )
            wanted = p.get("permissions")

            def names(values: Any) -> set[str]:  # Azure stores "Get" as readily as "get"
                return {str(v).lower() for v in values or ()}

            if change.kind == b.ACCESS_POLICY_ADD:
                return held is not None and all(
                    names(perms) <= names(held.get(kind)) for kind, perms in wanted.items()
                )
            if wanted is None:
                return held is None
            return held is None or not any(
                names(perms) & names(held.get(kind)) for kind, perms in wanted.items()
            )
        if change.kind == b.NETWORK_RULES:
            vault = await service.get_vault(p["vault_id"])
            return b.network_to_dict(vault.network) == b.json_safe(p["network"])
        if change.kind == b.IDENTITY:
            app = await service.get_logic_app(p["logic_app_id"])
            return app.identity.type.lower() == str(p["identity"]["type"]).lower()
        if change.kind in (b.ROLE_ASSIGNMENT_CREATE, b.ROLE_ASSIGNMENT_DELETE):
            assignments = await service.list_role_assignments(p["scope"])
            found = find_assignment(
                assignments, p["scope"], p["role_definition_guid"], p["principal_id"]
            )
            return (found is not None) == (change.kind == b.ROLE_ASSIGNMENT_CREATE)
    except ConsoleError:
        return False
    return False  # secrets: a new version cannot be told from someone else's
