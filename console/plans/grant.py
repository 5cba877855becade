"""Grant wizard: least privilege for a principal on a vault; review of over-privileged entries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from console.models import AccessPolicy, LogicApp, Permissions, RoleAssignment, Vault
from console.plans.base import (
    Change,
    Plan,
    permissions_to_dict,
    policy_to_dict,
    role_assignments_snapshot,
    source_key,
    vault_snapshot,
)
from console.plans.changes import (
    AccessPolicyAdd,
    AccessPolicyRemove,
    RoleAssignmentCreate,
    RoleAssignmentDelete,
)
from console.roles import BUILTIN_ROLES, KV_ADMINISTRATOR, KV_SECRETS_OFFICER, KV_SECRETS_USER
from console.validation import validate_object_id, validate_permissions, validate_secret_name

READ = Permissions(secrets=("get",))
ROTATE = Permissions(secrets=("get", "list", "set"))
PRESETS: dict[str, Permissions] = {"read": READ, "rotate": ROTATE}

ROLE_NAMES = {
    guid: BUILTIN_ROLES[guid].role_name
    for guid in (KV_SECRETS_USER, KV_SECRETS_OFFICER, KV_ADMINISTRATOR)
}
# Roles whose data actions cover reading secrets / changing them.
_READS_SECRETS = {KV_SECRETS_USER, KV_SECRETS_OFFICER, KV_ADMINISTRATOR}
_WRITES_SECRETS = {KV_SECRETS_OFFICER, KV_ADMINISTRATOR}
# Data-plane roles broader than reading secrets (reviewed as over-privileged).
BROAD_ROLES = {
    KV_ADMINISTRATOR: "Key Vault Administrator",
    KV_SECRETS_OFFICER: "Key Vault Secrets Officer",
    "a4417e6f-fecd-4de8-b567-7b0420556985": "Key Vault Certificates Officer",
    "14b46e9e-c2b7-41b4-b07b-48a6ebf60603": "Key Vault Crypto Officer",
    "a68e7c17-0ab2-4c09-9a58-125dae29748c": "Key Vault Purge Operator",
}

_CATEGORIES = ("secrets", "keys", "certificates", "storage")
_HARMLESS = {"get", "list"}
_RISK = {
    "list": "List lets it enumerate the names of every secret in the vault.",
    "set": "Set lets it overwrite secret values (a new version replaces what others read).",
    "delete": "Delete lets it delete secrets.",
    "backup": "Backup lets it export secrets in encrypted form.",
    "restore": "Restore lets it bring secrets back from a backup, replacing names.",
    "recover": "Recover lets it undelete soft-deleted secrets.",
    "purge": "Purge lets it destroy deleted secrets permanently.",
    "all": "All grants every secret operation, including purge.",
}


@dataclass(frozen=True)
class PrincipalRef:
    object_id: str
    display_name: str
    kind: str = "unknown"  # managed_identity | service_principal | user | unknown

    @property
    def principal_type(self) -> str | None:
        """The role assignment's principalType (None lets Azure work it out)."""
        return {
            "user": "User",
            "managed_identity": "ServicePrincipal",
            "service_principal": "ServicePrincipal",
        }.get(self.kind)


def principal_for_logic_app(logic_app: LogicApp) -> PrincipalRef | None:
    """The identity a Logic App calls Key Vault with, or None when it has none."""
    ident = logic_app.identity
    if "SystemAssigned" in ident.type and ident.principal_id:
        return PrincipalRef(
            ident.principal_id, f"{logic_app.name} (system-assigned identity)", "managed_identity"
        )
    if ident.user_assigned:
        uai = ident.user_assigned[0]
        name = uai.resource_id.rstrip("/").rsplit("/", 1)[-1]
        return PrincipalRef(
            uai.principal_id,
            f"{name} (user-assigned identity of {logic_app.name})",
            "managed_identity",
        )
    return None


def _names(p: Permissions, category: str) -> list[str]:
    return [n.lower() for n in getattr(p, category)]


def permission_warnings(permissions: Permissions) -> list[str]:
    """One warning per permission beyond Get (custom choices must be confirmed one by one)."""
    out: list[str] = []
    for category in _CATEGORIES:
        for name in _names(permissions, category):
            if category == "secrets" and name == "get":
                continue
            if category == "secrets":
                out.append(f"Beyond Get: secrets {name}. {_RISK.get(name, '')}".rstrip())
            else:
                out.append(
                    f"Beyond Get: {category} {name}. The principal only needs to read a secret; "
                    f"{category} permissions give it access to other objects of the vault."
                )
    return out


def _missing(existing: Permissions | None, wanted: Permissions) -> Permissions:
    parts: dict[str, tuple[str, ...]] = {}
    for category in _CATEGORIES:
        have = set(_names(existing, category)) if existing else set()
        if "all" in have:
            continue
        parts[category] = tuple(dict.fromkeys(n for n in _names(wanted, category) if n not in have))
    return Permissions(**parts)


def _merge(existing: Permissions | None, extra: Permissions) -> Permissions:
    parts = {
        c: tuple(dict.fromkeys([*(getattr(existing, c) if existing else ()), *getattr(extra, c)]))
        for c in _CATEGORIES
    }
    return Permissions(**parts)


def _subtract(p: Permissions, removed: Permissions) -> Permissions:
    parts = {
        c: tuple(n for n in getattr(p, c) if n.lower() not in _names(removed, c))
        for c in _CATEGORIES
    }
    return Permissions(**parts)


# Key Vault's service limit: at most 1,024 access policy entries per vault (Microsoft Learn,
# "Azure Key Vault service limits").
MAX_ACCESS_POLICIES = 1024


def _describe(p: Permissions) -> str:
    return "; ".join(f"{c} {', '.join(getattr(p, c))}" for c in _CATEGORIES if getattr(p, c))


def find_policy(vault: Vault, object_id: str) -> AccessPolicy | None:
    oid = object_id.lower()
    return next(
        (p for p in vault.access_policies if p.object_id.lower() == oid and not p.application_id),
        None,
    )


def scope_contains(parent: str, child: str) -> bool:
    parent, child = parent.lower().rstrip("/"), child.lower().rstrip("/")
    return parent == "" or child == parent or child.startswith(parent + "/")


def _guid(role_definition_id: str) -> str:
    return role_definition_id.rstrip("/").rsplit("/", 1)[-1].lower()


def find_assignment(
    assignments: Iterable[RoleAssignment], scope: str, role_guid: str, principal_id: str
) -> RoleAssignment | None:
    """The assignment of exactly this role to this principal at exactly this scope."""
    return next(
        (
            a
            for a in assignments
            if a.scope.lower().rstrip("/") == scope.lower().rstrip("/")
            and _guid(a.role_definition_id) == role_guid
            and a.principal_id.lower() == principal_id.lower()
        ),
        None,
    )


def _blocked(title: str, reason: str) -> Plan:
    return Plan(title=title, blocked=reason)


def plan_grant(
    vault: Vault,
    principal: PrincipalRef,
    permissions: Permissions | str = READ,
    *,
    role_assignments: Iterable[RoleAssignment] = (),
    secret_name: str | None = None,
) -> Plan:
    """Grant *principal* access to secrets of *vault*, adding only what it lacks.

    *role_assignments* (RBAC vaults) are those returned for the vault's scope
    (``list_role_assignments(vault.id)``). *secret_name* narrows an RBAC grant to one secret.
    """
    preset = PRESETS.get(permissions) if isinstance(permissions, str) else None
    if isinstance(permissions, str) and preset is None:
        raise ValueError(f"unknown preset {permissions!r}")
    wanted = preset or permissions
    assert isinstance(wanted, Permissions)
    title = f"Grant {principal.display_name} access to vault {vault.name}"
    if error := validate_object_id(principal.object_id):
        return _blocked(title, error)
    if error := validate_permissions(permissions_to_dict(wanted)):
        return _blocked(title, error)
    if wanted.is_empty():
        return _blocked(title, "Choose at least one permission (the usual one is secrets Get).")
    if not vault.id:
        return _blocked(
            title,
            "This vault was added by its URI only: its access cannot be managed without "
            "its Azure resource (ask for a management role on it).",
        )

    warnings: list[str] = []
    notes: list[str] = []
    if principal.kind == "user":
        warnings.append(
            f"{principal.display_name} is a user account: a Logic App should not run on a "
            "person's access (it breaks when they leave). Prefer the Logic App's managed identity."
        )
    elif principal.kind == "unknown":
        notes.append("The principal's kind (identity, application or user) is not known.")
    if wanted == ROTATE:
        notes.append("Preset 'rotate': Get, List and Set on secrets.")
    elif wanted != READ:
        warnings.extend(permission_warnings(wanted))

    if vault.rbac_authorization:
        return _plan_rbac(
            vault, principal, wanted, list(role_assignments), secret_name, title, warnings, notes
        )
    if secret_name:
        notes.append(
            "This vault uses access policies, which apply to the whole vault: the grant "
            f"covers every secret, not only '{secret_name}'."
        )
    return _plan_access_policy(vault, principal, wanted, title, warnings, notes)


def _plan_access_policy(
    vault: Vault,
    principal: PrincipalRef,
    wanted: Permissions,
    title: str,
    warnings: list[str],
    notes: list[str],
) -> Plan:
    existing = find_policy(vault, principal.object_id)
    missing = _missing(existing.permissions if existing else None, wanted)
    snapshot = {source_key("vault", vault.id): vault_snapshot(vault)}
    if missing.is_empty():
        notes.insert(0, f"{principal.display_name} already has {_describe(wanted)}: nothing to do.")
        return Plan(title, notes=tuple(notes), snapshot=snapshot)
    if existing is None and len(vault.access_policies) >= MAX_ACCESS_POLICIES:
        return Plan(
            title,
            blocked=f"Vault {vault.name} already holds {len(vault.access_policies)} access "
            f"policy entries, Key Vault's limit ({MAX_ACCESS_POLICIES}): a new entry would be "
            "refused. Remove entries nobody needs (Access tab, or the over-privilege review), "
            "or move the vault to Azure RBAC.",
            snapshot=snapshot,
        )
    merged = _merge(existing.permissions if existing else None, missing)
    before = policy_to_dict(existing) if existing else None
    after = {"object_id": principal.object_id, "permissions": permissions_to_dict(merged)}
    params: dict[str, Any] = {
        "vault_id": vault.id,
        "object_id": principal.object_id,
        "tenant_id": vault.tenant_id,
        "permissions": permissions_to_dict(missing),
    }
    undo = Change(
        vault.id,
        f"Remove {_describe(missing)} from {principal.display_name} on vault {vault.name}",
        before=after,
        after=before,
        params=AccessPolicyRemove(**params),
    )
    change = Change(
        vault.id,
        f"Access policy of vault {vault.name}: give {principal.display_name} {_describe(missing)}",
        before=before,
        after=after,
        params=AccessPolicyAdd(**params),
        undo=undo,
    )
    return Plan(title, (change,), tuple(warnings), tuple(notes), snapshot=snapshot)


def _plan_rbac(
    vault: Vault,
    principal: PrincipalRef,
    wanted: Permissions,
    assignments: list[RoleAssignment],
    secret_name: str | None,
    title: str,
    warnings: list[str],
    notes: list[str],
) -> Plan:
    if wanted.keys or wanted.certificates or wanted.storage:
        return _blocked(
            title,
            "This vault uses Azure RBAC: this wizard grants access to secrets only. Choose "
            "secret permissions, or assign a key or certificate role in the Azure portal.",
        )
    if secret_name and (error := validate_secret_name(secret_name)):
        return _blocked(title, error)
    secrets = set(_names(wanted, "secrets"))
    if secrets <= _HARMLESS:
        role, enough = KV_SECRETS_USER, _READS_SECRETS
    else:
        role, enough = KV_SECRETS_OFFICER, _WRITES_SECRETS
        warnings.append(
            "Azure RBAC has no role for exactly these permissions: Key Vault Secrets Officer "
            "allows every secret operation (read, write, delete, purge)."
        )
    scope = f"{vault.id}/secrets/{secret_name}" if secret_name else vault.id
    where = (
        f"secret '{secret_name}' of vault {vault.name}" if secret_name else f"vault {vault.name}"
    )
    snapshot = {
        source_key("vault", vault.id): vault_snapshot(vault),
        source_key("role_assignments", vault.id): role_assignments_snapshot(assignments),
    }
    oid = principal.object_id.lower()
    covering = next(
        (
            a
            for a in assignments
            if a.principal_id.lower() == oid
            and _guid(a.role_definition_id) in enough
            and scope_contains(a.scope, scope)
        ),
        None,
    )
    if covering is not None:
        name = covering.role_name or ROLE_NAMES.get(_guid(covering.role_definition_id), "a role")
        notes.insert(
            0,
            f"{principal.display_name} already has {name} at {covering.scope}, which covers "
            f"{where}: nothing to do.",
        )
        return Plan(title, notes=tuple(notes), snapshot=snapshot)
    params: dict[str, Any] = {
        "scope": scope,
        "role_definition_guid": role,
        "principal_id": principal.object_id,
        "principal_type": principal.principal_type,
    }
    state = {"role": ROLE_NAMES[role], "principal": principal.display_name, "scope": scope}
    undo = Change(
        scope,
        f"Delete the {ROLE_NAMES[role]} role of {principal.display_name} on {where}",
        before=state,
        after=None,
        params=RoleAssignmentDelete(**params, id=None),
    )
    change = Change(
        scope,
        f"Assign {ROLE_NAMES[role]} to {principal.display_name} on {where}",
        before=None,
        after=state,
        params=RoleAssignmentCreate(**params),
        undo=undo,
    )
    if secret_name:
        notes.append("Secret-scope roles are meant for sharing one secret; others stay hidden.")
    return Plan(title, (change,), tuple(warnings), tuple(notes), snapshot=snapshot)


# ---- review of over-privileged entries ----------------------------------------------------


@dataclass(frozen=True)
class OverPrivileged:
    object_id: str
    description: str  # what it has beyond reading, readable
    excess: Permissions = Permissions()  # access-policy vaults: what removal takes away
    assignment: RoleAssignment | None = None  # RBAC vaults: the assignment to delete


def review_over_privileged(
    vault: Vault, keep_object_id: str | None, role_assignments: Iterable[RoleAssignment] = ()
) -> list[OverPrivileged]:
    """Entries with more than get/list (e.g. 'all', full key or certificate control).

    *keep_object_id* (usually the signed-in admin) is never listed: removing it would cut the
    admin's own access.
    """
    keep = (keep_object_id or "").lower()
    out: list[OverPrivileged] = []
    if vault.rbac_authorization:
        for a in role_assignments:
            guid = _guid(a.role_definition_id)
            if a.principal_id.lower() == keep or guid not in BROAD_ROLES:
                continue
            if not scope_contains(vault.id, a.scope):
                continue  # inherited from a resource group or subscription: not this vault's
            role = a.role_name or BROAD_ROLES[guid]
            out.append(OverPrivileged(a.principal_id, f"{role} at {a.scope}", assignment=a))
        return out
    for policy in vault.access_policies:
        if policy.object_id.lower() == keep:
            continue
        excess = Permissions(
            **{
                c: tuple(n for n in getattr(policy.permissions, c) if n.lower() not in _HARMLESS)
                for c in _CATEGORIES
            }
        )
        if not excess.is_empty():
            out.append(OverPrivileged(policy.object_id, _describe(excess), excess=excess))
    return out


def plan_remove_over_privileged(
    vault: Vault,
    entries: Iterable[OverPrivileged],
    names: Mapping[str, str] | None = None,
    role_assignments: Iterable[RoleAssignment] = (),
) -> Plan:
    """Opt-in removal of the chosen entries; each change lists exactly what is removed."""
    names = names or {}
    changes: list[Change] = []
    assignments = list(role_assignments)
    for entry in entries:
        who = names.get(entry.object_id, entry.object_id)
        if entry.assignment is not None:
            a = entry.assignment
            guid = _guid(a.role_definition_id)
            role = a.role_name or BROAD_ROLES.get(guid, guid)
            state = {"role": role, "principal": who, "scope": a.scope}
            params: dict[str, Any] = {
                "scope": a.scope,
                "role_definition_guid": guid,
                "principal_id": a.principal_id,
                "principal_type": a.principal_type,
            }
            undo = Change(
                a.scope,
                f"Assign {role} to {who} again",
                before=None,
                after=state,
                params=RoleAssignmentCreate(**params),
            )
            changes.append(
                Change(
                    a.scope,
                    f"Delete {role} of {who} at {a.scope}",
                    before=state,
                    after=None,
                    params=RoleAssignmentDelete(**params, id=a.id),
                    undo=undo,
                )
            )
            continue
        policy = find_policy(vault, entry.object_id)
        if policy is None:
            continue
        remaining = _subtract(policy.permissions, entry.excess)
        before = policy_to_dict(policy)
        after = (
            {"object_id": policy.object_id, "permissions": permissions_to_dict(remaining)}
            if not remaining.is_empty()
            else None
        )
        policy_params: dict[str, Any] = {
            "vault_id": vault.id,
            "object_id": policy.object_id,
            "tenant_id": policy.tenant_id,
            "permissions": permissions_to_dict(entry.excess),
        }
        kept = f"; keeps {_describe(remaining)}" if not remaining.is_empty() else "; entry removed"
        undo = Change(
            vault.id,
            f"Give {who} back {_describe(entry.excess)}",
            before=after,
            after=before,
            params=AccessPolicyAdd(**policy_params),
        )
        changes.append(
            Change(
                vault.id,
                f"Remove from {who}: {_describe(entry.excess)}{kept}",
                before=before,
                after=after,
                params=AccessPolicyRemove(**policy_params),
                undo=undo,
            )
        )
    snapshot = {source_key("vault", vault.id): vault_snapshot(vault)}
    if vault.rbac_authorization and assignments:  # the same list the review was made from
        snapshot[source_key("role_assignments", vault.id)] = role_assignments_snapshot(assignments)
    warnings = (
        ("Whatever relied on the removed permissions (apps, scripts, people) will be refused.",)
        if changes
        else ()
    )
    return Plan(
        f"Remove over-privileged access on vault {vault.name}",
        tuple(changes),
        warnings,
        snapshot=snapshot,
    )
