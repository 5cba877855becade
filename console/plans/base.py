"""Plans: what a wizard is about to change, shown before it is applied, journaled after.

A :class:`Change` is JSON-safe (checked when it is built): it never holds a secret value, so
it can be previewed, journaled and replayed. Its ``params`` (one dataclass per kind, see
:mod:`console.plans.changes`) are the arguments the applier passes to
:class:`console.service.AzureService` (see :mod:`console.plans.apply`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from console.errors import ConsoleError
from console.masked import MaskedValue
from console.models import (
    AccessPolicy,
    LogicApp,
    NetworkRules,
    Permissions,
    RoleAssignment,
    SecretProperties,
    Vault,
    VirtualNetworkRule,
    WorkflowIdentity,
)
from console.plans.changes import (
    PARAMS_BY_KIND,
    AccessPolicyAdd,
    AccessPolicyRemove,
    ChangeParams,
    IdentitySet,
    NetworkRulesSet,
    RoleAssignmentCreate,
    RoleAssignmentDelete,
    SecretDelete,
    SecretPurge,
    SecretRecover,
    SecretSet,
    SecretUpdate,
    params_from_dict,
)

ACCESS_POLICY_ADD = AccessPolicyAdd.KIND
ACCESS_POLICY_REMOVE = AccessPolicyRemove.KIND
NETWORK_RULES = NetworkRulesSet.KIND
IDENTITY = IdentitySet.KIND
ROLE_ASSIGNMENT_CREATE = RoleAssignmentCreate.KIND
ROLE_ASSIGNMENT_DELETE = RoleAssignmentDelete.KIND
SECRET_SET = SecretSet.KIND
SECRET_UPDATE = SecretUpdate.KIND
SECRET_DELETE = SecretDelete.KIND
SECRET_RECOVER = SecretRecover.KIND
SECRET_PURGE = SecretPurge.KIND
KINDS = frozenset(PARAMS_BY_KIND)


class SecretLeakError(TypeError):
    """Raised when a secret value (a MaskedValue) is about to enter a plan or the journal."""


def json_safe(data: Any, where: str = "plan") -> Any:
    """A deep, JSON-only copy of *data*. MaskedValue and non-JSON types are refused."""

    def walk(obj: Any) -> Any:
        if isinstance(obj, MaskedValue):
            raise SecretLeakError(f"A secret value cannot be stored in the {where}.")
        if obj is None or isinstance(obj, bool | int | float | str):
            return obj
        if isinstance(obj, datetime):
            return obj.isoformat()
        if isinstance(obj, Mapping):
            return {str(k): walk(v) for k, v in obj.items()}
        if isinstance(obj, list | tuple):
            return [walk(v) for v in obj]
        raise TypeError(f"{type(obj).__name__} is not JSON-safe in the {where}.")

    return walk(data)


@dataclass(frozen=True)
class Change:
    resource_id: str
    summary: str
    params: ChangeParams  # what to do: its type is the change's kind
    before: dict[str, Any] | None = field(default=None, hash=False)
    after: dict[str, Any] | None = field(default=None, hash=False)
    undo: Change | None = None  # the change that reverts this one, None when Azure cannot
    undo_note: str = ""  # why there is no undo (or what undo cannot bring back)

    def __post_init__(self) -> None:
        for name in ("before", "after"):
            object.__setattr__(self, name, json_safe(getattr(self, name), "plan"))
        json_safe(self.params.to_dict(), "plan")  # refuses a secret value among the arguments

    @property
    def kind(self) -> str:
        return self.params.KIND

    def to_dict(self) -> dict[str, Any]:
        return {
            "resource_id": self.resource_id,
            "kind": self.kind,
            "summary": self.summary,
            "before": self.before,
            "after": self.after,
            "params": json_safe(self.params.to_dict(), "plan"),
            "undo": self.undo.to_dict() if self.undo else None,
            "undo_note": self.undo_note,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Change:
        undo = data.get("undo")
        return cls(
            resource_id=data["resource_id"],
            summary=data["summary"],
            params=params_from_dict(data["kind"], data.get("params") or {}),
            before=data.get("before"),
            after=data.get("after"),
            undo=cls.from_dict(undo) if undo else None,
            undo_note=data.get("undo_note", ""),
        )


@dataclass(frozen=True)
class Plan:
    title: str
    changes: tuple[Change, ...] = ()
    # Each warning must be acknowledged by the user before apply (see ``needs_acknowledgement``).
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # informational, e.g. "already granted"
    needs_typed_confirmation: str | None = None  # the text the user must type, e.g. vault name
    blocked: str | None = None  # why this plan cannot be applied as is (and what to do)
    # Source key (see source_key) -> JSON-safe state the plan was computed from; re-read and
    # compared with drift() before applying.
    snapshot: dict[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "snapshot", json_safe(self.snapshot, "plan snapshot"))

    @property
    def is_empty(self) -> bool:
        return not self.changes

    @property
    def can_apply(self) -> bool:
        return self.blocked is None and bool(self.changes)

    @property
    def needs_acknowledgement(self) -> bool:
        return bool(self.warnings)

    def confirmation_matches(self, typed: str) -> bool:
        """True when no typed confirmation is needed or *typed* matches exactly (trimmed)."""
        return self.needs_typed_confirmation is None or (
            typed.strip() == self.needs_typed_confirmation
        )

    def render_diff(self) -> list[str]:
        """Readable preview: per change a header, then '- old' / '+ new' / '  kept' lines."""
        lines: list[str] = [self.title]
        if self.blocked:
            lines.append(f"✗ {self.blocked}")
        if not self.changes and not self.blocked:
            lines.append("Nothing to change.")
        for change in self.changes:
            lines.append(f"• {change.summary}")
            lines.extend(_diff_lines(change.before, change.after))
            if change.undo is None:
                lines.append(f"  (no undo{': ' + change.undo_note if change.undo_note else ''})")
        lines.extend(f"i {note}" for note in self.notes)
        lines.extend(f"! {warning}" for warning in self.warnings)
        if self.needs_typed_confirmation:
            lines.append(f"Type '{self.needs_typed_confirmation}' to confirm.")
        return lines

    def undo_plan(self, changes: Iterable[Change] | None = None) -> Plan | None:
        """The plan reverting *changes* (default: all), last first; None if none can be undone."""
        chosen = list(self.changes if changes is None else changes)
        undos = [c.undo for c in reversed(chosen) if c.undo is not None]
        if not undos:
            return None
        lost = [f"Cannot undo: {c.summary} ({c.undo_note})" for c in chosen if c.undo is None]
        kept = [c.undo_note for c in chosen if c.undo is not None and c.undo_note]
        return Plan(title=f"Undo: {self.title}", changes=tuple(undos), notes=tuple(lost + kept))

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "changes": [c.to_dict() for c in self.changes],
            "warnings": list(self.warnings),
            "notes": list(self.notes),
            "needs_typed_confirmation": self.needs_typed_confirmation,
        }


def _flatten(data: Any, prefix: str = "") -> list[str]:
    """'path: value' lines; list items get one line each so list diffs read item by item."""
    if isinstance(data, Mapping):
        out: list[str] = []
        for key, value in data.items():
            label = str(key).replace("_", " ")
            out.extend(_flatten(value, f"{prefix} › {label}" if prefix else label))
        return out
    if isinstance(data, list):
        if not data:
            return [f"{prefix}: (none)"]
        out = []
        for item in data:
            out.extend(
                _flatten(item, prefix)
                if isinstance(item, Mapping | list)
                else [f"{prefix}: {item}"]
            )
        return out
    shown = "(not set)" if data is None else data
    return [f"{prefix}: {shown}"]


def _diff_lines(before: Any, after: Any) -> list[str]:
    old = _flatten(before) if before is not None else []
    new = _flatten(after) if after is not None else []
    if before is None:
        return [f"+ {line}" for line in new] or ["+ (created)"]
    if after is None:
        return [f"- {line}" for line in old] or ["- (removed)"]
    new_set, old_set = set(new), set(old)
    lines = [f"- {line}" for line in old if line not in new_set]
    lines += [f"+ {line}" for line in new if line not in old_set]
    lines += [f"  {line}" for line in new if line in old_set]
    return lines


# ---- snapshots and drift -----------------------------------------------------------------


def source_key(kind: str, ident: str) -> str:
    """Key of a snapshot entry: kind is vault | logic_app | role_assignments | secret."""
    return f"{kind}:{ident}"


def parse_source_key(key: str) -> tuple[str, str]:
    kind, _, ident = key.partition(":")
    return kind, ident


def permissions_to_dict(p: Permissions) -> dict[str, list[str]]:
    return {
        k: list(getattr(p, k))
        for k in ("secrets", "keys", "certificates", "storage")
        if getattr(p, k)
    }


def permissions_from_dict(d: Mapping[str, Iterable[str]] | None) -> Permissions:
    d = d or {}
    return Permissions(
        **{k: tuple(d.get(k, ())) for k in ("keys", "secrets", "certificates", "storage")}
    )


def network_to_dict(n: NetworkRules) -> dict[str, Any]:
    return {
        "default_action": n.default_action,
        "bypass": n.bypass,
        "ip_rules": list(n.ip_rules),
        "virtual_network_rules": [
            {
                "id": r.id,
                "ignore_missing_vnet_service_endpoint": r.ignore_missing_vnet_service_endpoint,
            }
            for r in n.virtual_network_rules
        ],
    }


def network_from_dict(d: Mapping[str, Any]) -> NetworkRules:
    return NetworkRules(
        default_action=d["default_action"],
        bypass=d["bypass"],
        ip_rules=tuple(d.get("ip_rules", ())),
        virtual_network_rules=tuple(
            VirtualNetworkRule(r["id"], bool(r.get("ignore_missing_vnet_service_endpoint")))
            for r in d.get("virtual_network_rules", ())
        ),
    )


def policy_to_dict(p: AccessPolicy) -> dict[str, Any]:
    return {"object_id": p.object_id, "permissions": permissions_to_dict(p.permissions)}


def identity_to_dict(i: WorkflowIdentity) -> dict[str, Any]:
    return {
        "type": i.type,
        "principal_id": i.principal_id,
        "user_assigned": [
            {"resource_id": u.resource_id, "principal_id": u.principal_id, "client_id": u.client_id}
            for u in i.user_assigned
        ],
    }


def vault_snapshot(v: Vault) -> dict[str, Any]:
    return {
        "name": v.name,
        "rbac_authorization": v.rbac_authorization,
        "purge_protection": v.purge_protection,
        "public_network_access": v.public_network_access,
        # keyed by object id so a drift message names the principal whose entry changed
        "access_policies": {
            p.object_id + (f"/{p.application_id}" if p.application_id else ""): permissions_to_dict(
                p.permissions
            )
            for p in v.access_policies
        },
        "network": network_to_dict(v.network),
    }


def logic_app_snapshot(logic_app: LogicApp) -> dict[str, Any]:
    # The definition and parameters may hold credentials: changed_time stands in for them.
    return {
        "name": logic_app.name,
        "identity": identity_to_dict(logic_app.identity),
        "changed": logic_app.changed_time,
    }


def role_assignments_snapshot(assignments: Iterable[RoleAssignment]) -> dict[str, Any]:
    return {
        a.name: {
            "role": a.role_name or a.role_definition_id.rsplit("/", 1)[-1],
            "principal_id": a.principal_id,
            "scope": a.scope,
        }
        for a in assignments
    }


def secret_snapshot(p: SecretProperties | None) -> dict[str, Any]:
    if p is None:
        return {"exists": False}
    return {
        "exists": True,
        "version": p.version,
        "enabled": p.enabled,
        "content_type": p.content_type,
        "not_before": p.not_before,
        "expires_on": p.expires_on,
        "tags": dict(p.tags),
    }


def snapshot_of(obj: Any) -> dict[str, Any]:
    """The JSON-safe snapshot of a model, as plans record it (for the applier's re-read)."""
    snapshot: dict[str, Any]
    if isinstance(obj, Vault):
        snapshot = vault_snapshot(obj)
    elif isinstance(obj, LogicApp):
        snapshot = logic_app_snapshot(obj)
    elif isinstance(obj, SecretProperties) or obj is None:
        snapshot = secret_snapshot(obj)
    elif isinstance(obj, list | tuple):
        snapshot = role_assignments_snapshot(obj)
    else:
        raise TypeError(f"no snapshot for {type(obj).__name__}")
    safe: dict[str, Any] = json_safe(snapshot)  # a dict stays a dict
    return safe


def _show(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, list):
        return ", ".join(map(_show, value)) or "(none)"
    if isinstance(value, Mapping):
        return "; ".join(f"{str(k).replace('_', ' ')} {_show(v)}" for k, v in value.items())
    return str(value)


def _diff(a: Any, b: Any, path: tuple[str, ...]) -> list[str]:
    label = " › ".join(p.replace("_", " ") for p in path) or "(whole)"
    if a == b:
        return []
    if a is _MISSING:
        return [f"{label}: added ({_show(b)})"]
    if b is _MISSING:
        return [f"{label}: removed (was {_show(a)})"]
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        lines: list[str] = []
        for key in dict.fromkeys([*a, *b]):
            lines += _diff(a.get(key, _MISSING), b.get(key, _MISSING), (*path, str(key)))
        return lines
    if isinstance(a, list) and isinstance(b, list):
        added = [x for x in b if x not in a]
        removed = [x for x in a if x not in b]
        parts = [f"added {_show(added)}"] if added else []
        parts += [f"removed {_show(removed)}"] if removed else []
        return [f"{label}: {'; '.join(parts) or 'reordered'}"]
    return [f"{label}: {_show(a)} → {_show(b)}"]


def _source_label(key: str, snap: Any) -> str:
    kind, ident = parse_source_key(key)
    name = snap.get("name") if isinstance(snap, Mapping) else None
    if kind == "secret":
        name = ident.rpartition("|")[2]
    return f"{kind.replace('_', ' ')} {name or ident.rstrip('/').rsplit('/', 1)[-1]}"


def drift(before_snapshot: Mapping[str, Any], current_snapshot: Mapping[str, Any]) -> list[str]:
    """What changed since the plan was made, one readable line per difference.

    Plan snapshots (keyed by source_key) get one label per resource, e.g. "vault kv1: ..."."""
    keys = [*before_snapshot, *current_snapshot]
    if not keys or not all(parse_source_key(k)[0] in _SOURCES for k in keys):
        return _diff(before_snapshot, current_snapshot, ())
    lines: list[str] = []
    for key in dict.fromkeys(keys):
        a, b = before_snapshot.get(key, _MISSING), current_snapshot.get(key, _MISSING)
        label = _source_label(key, a if a is not _MISSING else b)
        lines += [f"{label}: {line}" for line in _diff(a, b, ())]
    return lines


_SOURCES = {"vault", "logic_app", "role_assignments", "secret"}
_MISSING = object()


# ---- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanResult:
    plan: Plan
    applied: tuple[Change, ...] = ()
    failed: Change | None = None
    error: str | None = None
    not_attempted: tuple[Change, ...] = ()
    drift: tuple[str, ...] = ()  # non-empty: nothing was applied, the plan must be re-made

    @property
    def ok(self) -> bool:
        return self.failed is None and not self.drift

    @property
    def status(self) -> str:
        if self.drift:
            return "drifted"
        if self.failed is None:
            return "applied"
        return "partial" if self.applied else "failed"

    def summary(self) -> str:
        if self.drift:
            lines = ["Nothing was applied: the resource changed since the plan was made:"]
            lines += [f"  {d}" for d in self.drift]
            lines.append("Review the new plan.")
            return "\n".join(lines)
        lines = []
        if self.applied:
            lines.append(f"Applied ({len(self.applied)}):")
            lines += [f"  ✓ {c.summary}" for c in self.applied]
        if self.failed is not None:
            lines.append(f"Failed: ✗ {self.failed.summary}")
            lines.append(f"  {self.error or 'unknown error'}")
        if self.not_attempted:
            lines.append(f"Not attempted ({len(self.not_attempted)}):")
            lines += [f"  · {c.summary}" for c in self.not_attempted]
        if not lines:
            lines.append("Nothing to apply.")
        if self.failed is not None and self.applied and self.undo_plan() is not None:
            lines.append("The applied part can be undone.")
        return "\n".join(lines)

    def undo_plan(self) -> Plan | None:
        return self.plan.undo_plan(self.applied)

    def to_dict(self) -> dict[str, Any]:
        changes = list(self.plan.changes)
        return {
            "status": self.status,
            "applied": [changes.index(c) for c in self.applied],
            "failed": changes.index(self.failed) if self.failed is not None else None,
            "error": self.error,
            "not_attempted": [changes.index(c) for c in self.not_attempted],
            "drift": list(self.drift),
        }


def safe_error_text(exc: BaseException) -> str:
    """Console errors carry safe messages; anything else shows its type only (it might quote
    a request body)."""
    if isinstance(exc, ConsoleError):
        return exc.message
    return f"Unexpected {type(exc).__name__}."


async def run_changes(plan: Plan, apply_one: Callable[[Change], Awaitable[Any]]) -> PlanResult:
    """Apply the plan's changes in order; stop at the first failure and say what was not done."""
    applied: list[Change] = []
    for index, change in enumerate(plan.changes):
        try:
            await apply_one(change)
        except Exception as exc:  # every failure is reported, none is swallowed silently
            return PlanResult(
                plan,
                tuple(applied),
                change,
                safe_error_text(exc),
                tuple(plan.changes[index + 1 :]),
            )
        applied.append(change)
    return PlanResult(plan, tuple(applied))
