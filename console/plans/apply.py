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
from console.plans import changes as c
from console.plans.grant import find_assignment


class ConfirmationRequired(ConsoleError):
    title = "Confirmation needed"


def _date(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


async def read_current(service: Any, plan: b.Plan) -> dict[str, Any]:
    """Re-read every resource the plan was made from, in the plan's snapshot format."""
    current: dict[str, Any] = {}
    for key in plan.snapshot:
        match b.parse_source_key(key):
            case ("vault", vault_id):
                current[key] = b.snapshot_of(await service.get_vault(vault_id))
            case ("logic_app", logic_app_id):
                current[key] = b.snapshot_of(await service.get_logic_app(logic_app_id))
            case ("role_assignments", scope):
                assignments = await service.list_role_assignments(scope)
                current[key] = b.json_safe(b.role_assignments_snapshot(assignments))
            case ("secret", ident):
                vault_uri, _, name = ident.rpartition("|")
                try:
                    versions = await service.list_secret_versions(vault_uri, name)
                except NotFoundError:
                    versions = []
                current[key] = b.snapshot_of(versions[0] if versions else None)  # newest first
            case (kind, _):
                raise ValueError(f"unknown snapshot source {kind!r}")
    return current


async def apply_change(
    service: Any, change: b.Change, *, secret_value: MaskedValue | None = None
) -> Any:
    """One change -> one service call (role assignment deletes may list first)."""
    match change.params:
        case c.AccessPolicyAdd(vault_id=vault_id, object_id=object_id, permissions=perms):
            wanted = b.permissions_from_dict(perms)
            return await service.add_access_policy(vault_id, object_id, wanted)
        case c.AccessPolicyRemove(vault_id=vault_id, object_id=object_id, permissions=perms):
            removed = b.permissions_from_dict(perms) if perms else None
            return await service.remove_access_policy(vault_id, object_id, removed)
        case c.NetworkRulesSet(vault_id=vault_id, network=network):
            return await service.update_network_rules(vault_id, b.network_from_dict(network))
        case c.IdentitySet(logic_app_id=logic_app_id, identity=ident) as p:
            if ident["type"] == "SystemAssigned":
                return await service.enable_system_identity(
                    logic_app_id, replace_user_assigned=bool(p.replace_user_assigned)
                )
            if ident["type"] == "None":
                return await service.set_identity_none(logic_app_id)
            refs = tuple(UserAssignedRef(rid, "", "") for rid in ident.get("user_assigned", ()))
            previous = WorkflowIdentity(type=ident["type"], user_assigned=refs)
            return await service.restore_identity(logic_app_id, previous)
        case c.RoleAssignmentCreate() as p:
            return await service.create_role_assignment(
                p.scope,
                p.role_definition_guid,
                p.principal_id,
                p.principal_type or "ServicePrincipal",
            )
        case c.RoleAssignmentDelete() as p:
            assignment_id = p.id
            if not assignment_id:
                found = find_assignment(
                    await service.list_role_assignments(p.scope),
                    p.scope,
                    p.role_definition_guid,
                    p.principal_id,
                )
                if found is None:
                    return None  # already gone: deleting is idempotent
                assignment_id = found.id
            return await service.delete_role_assignment(assignment_id)
        case c.SecretSet() as p:
            if secret_value is None:
                raise ValueError("secret.set needs the draft's value")
            return await service.set_secret(
                p.vault_uri,
                p.name,
                secret_value,
                content_type=p.content_type,
                enabled=p.enabled,
                not_before=_date(p.not_before),
                expires_on=_date(p.expires_on),
                tags=p.tags or None,
            )
        case c.SecretUpdate() as p:
            return await service.update_secret_properties(
                p.vault_uri,
                p.name,
                p.version,
                enabled=p.enabled,
                content_type=p.content_type,
                not_before=_date(p.not_before),
                expires_on=_date(p.expires_on),
                tags=p.tags,
            )
        case c.SecretDelete(vault_uri=vault_uri, name=name):
            return await service.delete_secret(vault_uri, name)
        case c.SecretRecover(vault_uri=vault_uri, name=name):
            return await service.recover_deleted_secret(vault_uri, name)
        case c.SecretPurge(vault_uri=vault_uri, name=name):
            return await service.purge_deleted_secret(vault_uri, name)
    raise ValueError(f"unknown change kind {change.kind!r}")


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
    try:
        match change.params:
            case c.AccessPolicyAdd(vault_id=vault_id, object_id=object_id, permissions=wanted):
                held = await _held_permissions(service, vault_id, object_id)
                return held is not None and all(
                    _names(perms) <= _names(held.get(kind)) for kind, perms in wanted.items()
                )
            case c.AccessPolicyRemove(vault_id=vault_id, object_id=object_id, permissions=wanted):
                held = await _held_permissions(service, vault_id, object_id)
                if wanted is None:
                    return held is None
                return held is None or not any(
                    _names(perms) & _names(held.get(kind)) for kind, perms in wanted.items()
                )
            case c.NetworkRulesSet(vault_id=vault_id, network=network):
                vault = await service.get_vault(vault_id)
                return bool(b.network_to_dict(vault.network) == b.json_safe(network))
            case c.IdentitySet(logic_app_id=logic_app_id, identity=ident):
                logic_app = await service.get_logic_app(logic_app_id)
                return bool(logic_app.identity.type.lower() == str(ident["type"]).lower())
            case c.RoleAssignmentCreate() | c.RoleAssignmentDelete() as p:
                assignments = await service.list_role_assignments(p.scope)
                found = find_assignment(
                    assignments, p.scope, p.role_definition_guid, p.principal_id
                )
                return (found is not None) == isinstance(p, c.RoleAssignmentCreate)
    except ConsoleError:
        return False
    return False  # secrets: a new version cannot be told from someone else's


def _names(values: Any) -> set[str]:
    """Permission names without regard to case: Azure stores "Get" as readily as "get"."""
    return {str(v).lower() for v in values or ()}


async def _held_permissions(
    service: Any, vault_id: str, object_id: str
) -> dict[str, list[str]] | None:
    """What *object_id*'s access policy on the vault grants now; None without an entry."""
    vault = await service.get_vault(vault_id)
    return next(
        (
            b.permissions_to_dict(a.permissions)
            for a in vault.access_policies
            if a.object_id.lower() == object_id.lower()
        ),
        None,
    )
