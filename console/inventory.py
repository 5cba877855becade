"""Who can reach what: every principal seen, and its grants on the vaults loaded (UI-free)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from console.models import LogicApp, RoleAssignment, UserAssignedIdentity, Vault

# Kinds as an admin says them.
LOGIC_APP = "Logic App identity"
USER_ASSIGNED = "User-assigned identity"
SERVICE_PRINCIPAL = "Service principal"
USER = "User"
GROUP = "Group"
UNKNOWN = "Unknown"

_ROLE_PRINCIPAL_KINDS = {
    "serviceprincipal": SERVICE_PRINCIPAL,
    "user": USER,
    "group": GROUP,
    "foreigngroup": GROUP,
}


@dataclass(frozen=True)
class KnownPrincipal:
    """A principal the directory (or the sign-in) told us about."""

    object_id: str
    display_name: str
    kind: str


@dataclass(frozen=True)
class Grant:
    vault_name: str
    vault_id: str
    via: str  # "access policy" | "role assignment"
    detail: str  # permissions ("secrets: get, list") or the role name


@dataclass(frozen=True)
class PrincipalEntry:
    object_id: str
    display_name: str  # "" when unknown
    kind: str
    grants: tuple[Grant, ...]
    sources: tuple[str, ...]  # where it was seen: "logic app", "user-assigned", "access policy"...
    orphaned: bool  # named in a grant but found nowhere else: probably deleted

    @property
    def label(self) -> str:
        return self.display_name or self.object_id


@dataclass
class _Acc:
    object_id: str
    display_name: str = ""
    kind: str = UNKNOWN
    resolved: bool = False
    # Ordered sets (dicts): an admin can hold a grant on each of thousands of vaults.
    grants: dict[Grant, None] = field(default_factory=dict)
    sources: dict[str, None] = field(default_factory=dict)

    def add_source(self, source: str) -> None:
        self.sources.setdefault(source)

    def add_grant(self, grant: Grant) -> None:
        self.grants.setdefault(grant)


def _permissions_text(vault: Vault, object_id: str) -> list[str]:
    out = []
    for policy in vault.access_policies:
        if policy.object_id.lower() != object_id.lower():
            continue
        p = policy.permissions
        parts = [
            f"{kind}: {', '.join(perms)}"
            for kind, perms in (
                ("secrets", p.secrets),
                ("keys", p.keys),
                ("certificates", p.certificates),
                ("storage", p.storage),
            )
            if perms
        ]
        out.append("; ".join(parts) or "(no permissions)")
    return out


def _vault_for_scope(scope: str, vaults: Iterable[Vault]) -> list[Vault]:
    """Vaults an assignment at *scope* applies to (the vault itself, its secrets, or above it)."""
    low = scope.lower().rstrip("/")
    hits = []
    for vault in vaults:
        vid = vault.id.lower()
        if low == vid or low.startswith(vid + "/") or (low and vid.startswith(low + "/")):
            hits.append(vault)
    return hits


def build_inventory(
    *,
    vaults: Iterable[Vault] = (),
    logic_apps: Iterable[LogicApp] = (),
    identities: Iterable[UserAssignedIdentity] = (),
    role_assignments: Iterable[RoleAssignment] = (),
    known: Mapping[str, KnownPrincipal] | None = None,
    directory_checked: bool = False,
) -> list[PrincipalEntry]:
    """Aggregate every principal seen; sorted orphaned last, then by name.

    *known* is what the directory answered; with *directory_checked*, a principal named in a
    grant that is neither a loaded identity nor in the directory's answer is orphaned. Without
    a directory answer nothing is called orphaned (we cannot tell a user from a deleted one).
    """
    vaults = list(vaults)
    acc: dict[str, _Acc] = {}

    def get(object_id: str) -> _Acc:
        key = object_id.lower()
        if key not in acc:
            acc[key] = _Acc(object_id=object_id)
        return acc[key]

    for logic_app in logic_apps:
        ident = logic_app.identity
        if ident.principal_id and ident.type.lower().startswith("systemassigned"):
            entry = get(ident.principal_id)
            entry.display_name, entry.kind, entry.resolved = logic_app.name, LOGIC_APP, True
            entry.add_source("logic app")
        for ref in ident.user_assigned:
            # The UAI itself is listed below; remember which app uses it.
            if ref.principal_id:
                get(ref.principal_id).add_source(f"used by {logic_app.name}")
    for uai in identities:
        entry = get(uai.principal_id)
        entry.display_name, entry.kind, entry.resolved = uai.name, USER_ASSIGNED, True
        entry.add_source("user-assigned identity")
    for object_id, principal in (known or {}).items():
        entry = get(object_id)
        if not entry.resolved:
            entry.display_name, entry.kind, entry.resolved = (
                principal.display_name,
                principal.kind,
                True,
            )
        entry.add_source("directory")

    for vault in vaults:
        for policy in vault.access_policies:
            entry = get(policy.object_id)
            entry.add_source("access policy")
            for text in _permissions_text(vault, policy.object_id):
                entry.add_grant(Grant(vault.name, vault.id, "access policy", text))
    for assignment in role_assignments:
        entry = get(assignment.principal_id)
        entry.add_source("role assignment")
        if entry.kind == UNKNOWN:
            entry.kind = _ROLE_PRINCIPAL_KINDS.get(assignment.principal_type.lower(), UNKNOWN)
        role = assignment.role_name or assignment.role_definition_id.rsplit("/", 1)[-1]
        for vault in _vault_for_scope(assignment.scope, vaults):
            where = "" if assignment.scope.lower() == vault.id.lower() else " (inherited/narrower)"
            entry.add_grant(Grant(vault.name, vault.id, "role assignment", role + where))

    entries = [
        PrincipalEntry(
            object_id=a.object_id,
            display_name=a.display_name,
            kind=a.kind,
            grants=tuple(a.grants),
            sources=tuple(a.sources),
            orphaned=directory_checked and not a.resolved,
        )
        for a in acc.values()
    ]
    entries.sort(key=lambda e: (e.orphaned, e.label.lower(), e.object_id))
    return entries
