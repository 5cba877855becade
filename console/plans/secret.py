"""Secret editor plans: create / new version, attributes, delete, recover, purge.

The value lives in :class:`SecretDraft` (a MaskedValue) and never in the plan: changes record
the name and attributes only — not the value, not its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from console.masked import MaskedValue
from console.models import DeletedSecret, SecretProperties, Vault
from console.plans.base import (
    Change,
    Plan,
    secret_snapshot,
    source_key,
)
from console.plans.changes import SecretDelete, SecretPurge, SecretRecover, SecretSet, SecretUpdate
from console.validation import (
    expiry_warning,
    validate_content_type,
    validate_dates,
    validate_secret_name,
    validate_secret_value,
    validate_tags,
)

VALUE_NOT_RECORDED = "(new value — not recorded)"


@dataclass(frozen=True)
class SecretDraft:
    """What the editor collected. Kept by the screen after a failed save, for retry."""

    name: str
    value: MaskedValue
    content_type: str | None = None
    enabled: bool = True
    not_before: datetime | None = None
    expires_on: datetime | None = None
    tags: tuple[tuple[str, str], ...] = ()


def draft_errors(draft: SecretDraft) -> dict[str, str]:
    """Field name -> message, for the editor to show next to each field. Empty: valid."""
    checks = {
        "name": validate_secret_name(draft.name),
        "value": validate_secret_value(draft.value),
        "content_type": validate_content_type(draft.content_type),
        "expires_on": validate_dates(draft.not_before, draft.expires_on),
        "tags": validate_tags(draft.tags),
    }
    return {k: v for k, v in checks.items() if v}


def secret_resource_id(vault: Vault, name: str) -> str:
    return f"{vault.uri.rstrip('/')}/secrets/{name}"


def _attributes(
    content_type: str | None,
    enabled: bool,
    not_before: datetime | None,
    expires_on: datetime | None,
    tags: Any,
) -> dict[str, Any]:
    return {
        "content_type": content_type,
        "enabled": enabled,
        "not_before": not_before.astimezone(UTC).isoformat() if not_before else None,
        "expires_on": expires_on.astimezone(UTC).isoformat() if expires_on else None,
        "tags": dict(tags),
    }


def _props_attributes(p: SecretProperties) -> dict[str, Any]:
    attrs = _attributes(p.content_type, p.enabled, p.not_before, p.expires_on, p.tags)
    return {"version": p.version, **attrs}


def _snapshot(vault: Vault, name: str, current: SecretProperties | None) -> dict[str, Any]:
    return {source_key("secret", f"{vault.uri}|{name}"): secret_snapshot(current)}


def plan_set_secret(
    vault: Vault,
    draft: SecretDraft,
    current: SecretProperties | None,
    deleted: DeletedSecret | None = None,
) -> Plan:
    """Create the secret, or add a new version when *current* (its latest version) exists."""
    title = (
        f"New version of secret '{draft.name}' in {vault.name}"
        if current
        else f"Create secret '{draft.name}' in {vault.name}"
    )
    snapshot = _snapshot(vault, draft.name, current)
    if errors := draft_errors(draft):
        return Plan(title, blocked=" ".join(errors.values()), snapshot=snapshot)
    if current is None and deleted is not None:
        return Plan(
            title,
            blocked=(
                f"A deleted secret named '{draft.name}' is kept by the vault (soft delete): "
                "recover it and then save a new version, or purge it first, or choose "
                "another name."
            ),
            snapshot=snapshot,
        )
    attrs = _attributes(
        draft.content_type, draft.enabled, draft.not_before, draft.expires_on, draft.tags
    )
    after = {"name": draft.name, "value": VALUE_NOT_RECORDED, **attrs}
    before = {"name": draft.name, **_props_attributes(current)} if current else None
    params = {"vault_uri": vault.uri, "name": draft.name, **attrs}
    change = Change(
        secret_resource_id(vault, draft.name),
        f"{'Add a new version to' if current else 'Create'} secret '{draft.name}'",
        before=before,
        after=after,
        params=SecretSet(**params),
        undo_note=(
            "Key Vault keeps every version; a version cannot be removed. Disable it, or save "
            "the previous value as a newer version."
        ),
    )
    warnings = []
    if warning := expiry_warning(draft.expires_on):
        warnings.append(warning)
    if not draft.enabled:
        warnings.append("The secret will be disabled: nothing can read it until it is enabled.")
    notes = (
        ("Callers that ask for the latest version get the new value at once.",) if current else ()
    )
    return Plan(title, (change,), tuple(warnings), notes, snapshot=snapshot)


_UNSET: Any = object()


def plan_update_secret(
    vault: Vault,
    current: SecretProperties,
    *,
    enabled: bool = _UNSET,
    content_type: str | None = _UNSET,
    not_before: datetime | None = _UNSET,
    expires_on: datetime | None = _UNSET,
    tags: tuple[tuple[str, str], ...] = _UNSET,
) -> Plan:
    """Change attributes of *current* (one version) without touching the value."""
    title = f"Update attributes of secret '{current.name}' in {vault.name}"
    snapshot = _snapshot(vault, current.name, current)

    def pick(new: Any, old: Any) -> Any:
        return old if new is _UNSET else new

    new_enabled = pick(enabled, current.enabled)
    new_ct = pick(content_type, current.content_type)
    new_nbf = pick(not_before, current.not_before)
    new_exp = pick(expires_on, current.expires_on)
    new_tags = tuple(pick(tags, current.tags))
    error = (
        validate_content_type(new_ct) or validate_dates(new_nbf, new_exp) or validate_tags(new_tags)
    )
    if error:
        return Plan(title, blocked=error, snapshot=snapshot)
    before = _props_attributes(current)
    after = {
        "version": current.version,
        **_attributes(new_ct, new_enabled, new_nbf, new_exp, new_tags),
    }
    if before == after:
        return Plan(title, notes=("Nothing changed.",), snapshot=snapshot)
    ident: dict[str, Any] = {"vault_uri": vault.uri, "name": current.name}
    undo = Change(
        secret_resource_id(vault, current.name),
        f"Restore the attributes of secret '{current.name}'",
        before=after,
        after=before,
        params=SecretUpdate(**ident, **before),
    )
    change = Change(
        secret_resource_id(vault, current.name),
        f"Update attributes of secret '{current.name}' (value unchanged)",
        before=before,
        after=after,
        params=SecretUpdate(**ident, **after),
        undo=undo,
    )
    warnings = []
    if new_exp != current.expires_on and (warning := expiry_warning(new_exp)):
        warnings.append(warning)
    if current.enabled and not new_enabled:
        warnings.append("Disabling the secret makes every read of it fail until it is enabled.")
    return Plan(title, (change,), tuple(warnings), snapshot=snapshot)


def plan_delete_secret(vault: Vault, current: SecretProperties) -> Plan:
    title = f"Delete secret '{current.name}' from {vault.name}"
    ident: dict[str, Any] = {"vault_uri": vault.uri, "name": current.name}
    rid = secret_resource_id(vault, current.name)
    state = {"name": current.name, "state": "active"}
    gone = {"name": current.name, "state": "deleted (recoverable)"}
    snapshot = _snapshot(vault, current.name, current)
    if not vault.soft_delete:
        change = Change(
            rid,
            f"Delete secret '{current.name}' permanently",
            before=state,
            after=None,
            params=SecretDelete(**ident),
            undo_note="soft delete is off on this vault",
        )
        return Plan(
            title,
            (change,),
            ("Soft delete is off on this vault: the secret and its versions are gone for good.",),
            needs_typed_confirmation=current.name,
            snapshot=snapshot,
        )
    undo = Change(
        rid,
        f"Recover secret '{current.name}'",
        before=gone,
        after=state,
        params=SecretRecover(**ident),
    )
    change = Change(
        rid,
        f"Delete secret '{current.name}' (all versions; recoverable {vault.retention_days} days)",
        before=state,
        after=gone,
        params=SecretDelete(**ident),
        undo=undo,
    )
    notes = (
        f"Deleted secrets can be recovered for {vault.retention_days} days. The name stays "
        "taken until the secret is recovered or purged.",
    )
    return Plan(title, (change,), (), notes, snapshot=snapshot)


def plan_recover_secret(vault: Vault, deleted: DeletedSecret) -> Plan:
    name = deleted.properties.name
    ident = {"vault_uri": vault.uri, "name": name}
    rid = secret_resource_id(vault, name)
    gone = {"name": name, "state": "deleted (recoverable)"}
    state = {"name": name, "state": "active"}
    undo = Change(
        rid, f"Delete secret '{name}' again", before=state, after=gone, params=SecretDelete(**ident)
    )
    change = Change(
        rid,
        f"Recover secret '{name}' with all its versions",
        before=gone,
        after=state,
        params=SecretRecover(**ident),
        undo=undo,
    )
    return Plan(f"Recover secret '{name}' in {vault.name}", (change,))


def plan_purge_secret(vault: Vault, deleted: DeletedSecret) -> Plan:
    name = deleted.properties.name
    title = f"Purge deleted secret '{name}' from {vault.name}"
    if vault.purge_protection:
        when = (
            f" on {deleted.scheduled_purge_date.astimezone(UTC):%Y-%m-%d}"
            if deleted.scheduled_purge_date
            else f" {vault.retention_days} days after deletion"
        )
        return Plan(
            title,
            blocked=(
                "Purge protection is on for this vault: Azure refuses to purge before the "
                f"retention period ends. The secret will be purged automatically{when}; until "
                "then it can be recovered. Purge protection cannot be turned off."
            ),
        )
    rid = secret_resource_id(vault, name)
    change = Change(
        rid,
        f"Purge secret '{name}': destroy it and all its versions for good",
        before={"name": name, "state": "deleted (recoverable)"},
        after=None,
        params=SecretPurge(vault_uri=vault.uri, name=name),
        undo_note="a purged secret is gone for good",
    )
    warning = f"Purging '{name}' cannot be undone: no one can recover it afterwards."
    return Plan(title, (change,), (warning,), needs_typed_confirmation=name)
