"""Access-policy writes checked against the vault Azure shows afterwards.

Key Vault's ``accessPolicies/remove`` matches permission names case-sensitively and answers 200
when nothing matched (an entry granted in the Portal holds "Get", the SDK and this console say
"get"). Names are compared without regard to case here, removals are sent in the stored casing,
and a write counts as done only when a re-read shows it.
"""

from __future__ import annotations

from console.errors import ConflictError
from console.models import AccessPolicy, Permissions, Vault

CATEGORIES = ("keys", "secrets", "certificates", "storage")


def entry_of(vault: Vault, object_id: str) -> AccessPolicy | None:
    """The principal's own entry (not an application-compound one)."""
    oid = object_id.lower()
    return next(
        (p for p in vault.access_policies if p.object_id.lower() == oid and not p.application_id),
        None,
    )


def _lower(names: tuple[str, ...]) -> set[str]:
    return {n.lower() for n in names}


def stored_names(entry: AccessPolicy | None, wanted: Permissions) -> Permissions:
    """*wanted* spelt as *entry* stores them; names the entry does not hold are left out."""
    if entry is None:
        return Permissions()
    return Permissions(
        **{
            c: tuple(
                n for n in getattr(entry.permissions, c) if n.lower() in _lower(getattr(wanted, c))
            )
            for c in CATEGORIES
        }
    )


def _not_applied(kind: str, permissions: Permissions, after: AccessPolicy | None) -> list[str]:
    """The categories where the re-read entry does not show *kind* of *permissions*."""
    wrong = []
    for c in CATEGORIES:
        want = _lower(getattr(permissions, c))
        held = _lower(getattr(after.permissions, c)) if after is not None else set()
        if (
            (kind == "add" and not want <= held)
            or (kind == "replace" and want != held)
            or (kind == "remove" and want & held)
        ):
            wrong.append(c)
    return wrong


def require_applied(vault: Vault, kind: str, object_id: str, permissions: Permissions) -> None:
    """Raise unless the re-read *vault* shows the access-policy *kind* as done."""
    after = entry_of(vault, object_id)
    wrong = _not_applied(kind, permissions, after)
    if not wrong:
        return
    held = (
        ", ".join(f"{c}: {'/'.join(getattr(after.permissions, c)) or '-'}" for c in wrong)
        if after
        else "no entry"
    )
    raise ConflictError(
        f"Azure accepted the access-policy {kind} for {object_id} on vault '{vault.name}', but "
        f"the vault does not show it ({held}). It was not applied: refresh the vault and check "
        "its access policies (a concurrent change, or permission names Azure did not match).",
        code="AccessPolicyNotApplied",
    )
