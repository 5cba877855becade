"""The change journal: one JSON line per applied plan, in the user's data dir.

Who, when, what, before and after — never a secret value. Every entry is walked before it is
written: a MaskedValue, or a string equal to (or, for long values, containing) a secret the
console has seen, makes :meth:`Journal.append` raise instead of writing.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from console.masked import MaskedValue
from console.plans.base import Change, Plan, PlanResult, SecretLeakError, json_safe
from console.private_files import make_private_dir

_MIN_SUBSTRING = 8  # shorter secrets are checked for equality only (too many false hits)
_MAX_REMEMBERED = 1000
# Values the console has handled in this process (revealed, edited, saved): never journaled.
_SEEN: list[MaskedValue] = []


def remember_secret(value: MaskedValue | str) -> None:
    """Register a secret value process-wide so that no journal ever writes it."""
    masked = value if isinstance(value, MaskedValue) else MaskedValue(value)
    if masked.reveal() and masked not in _SEEN:
        _SEEN.append(masked)
        del _SEEN[:-_MAX_REMEMBERED]


def forget_secrets() -> None:
    """Drop the process-wide list (sign-out, tests)."""
    _SEEN.clear()


def journal_path() -> Path:
    return Path(platformdirs.user_data_dir("kvconsole")) / "journal.jsonl"


@dataclass(frozen=True)
class JournalEntry:
    id: str
    when: str  # UTC, ISO 8601
    who: str  # display name of the signed-in principal
    who_id: str | None  # its object id
    title: str
    changes: tuple[dict[str, Any], ...]  # Change.to_dict() of every planned change
    result: dict[str, Any] = field(default_factory=dict)  # PlanResult.to_dict()
    # State re-read after apply (plan snapshot format): lets undo detect later changes.
    verified: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "when": self.when,
            "who": self.who,
            "who_id": self.who_id,
            "title": self.title,
            "changes": list(self.changes),
            "result": self.result,
            "verified": self.verified,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JournalEntry:
        return cls(
            id=str(data["id"]),
            when=str(data["when"]),
            who=str(data.get("who", "")),
            who_id=data.get("who_id"),
            title=str(data.get("title", "")),
            changes=tuple(data.get("changes") or ()),
            result=dict(data.get("result") or {}),
            verified=dict(data.get("verified") or {}),
        )

    @property
    def applied_changes(self) -> list[Change]:
        indexes = self.result.get("applied", [])
        return [Change.from_dict(self.changes[i]) for i in indexes if 0 <= i < len(self.changes)]


def entry_for(
    plan: Plan,
    result: PlanResult,
    *,
    who: str,
    who_id: str | None = None,
    verified: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> JournalEntry:
    """Build the journal entry of an applied (or partly applied) plan."""
    return JournalEntry(
        id=str(uuid.uuid4()),
        when=(now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds"),
        who=who,
        who_id=who_id,
        title=plan.title,
        changes=tuple(c.to_dict() for c in plan.changes),
        result=result.to_dict(),
        verified=dict(verified or {}),
    )


class Journal:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or journal_path()
        self._secrets: list[MaskedValue] = []
        self.skipped_lines = 0  # unreadable lines seen by the last entries() call

    def remember_secret(self, value: MaskedValue | str) -> None:
        """Register a value this journal must refuse (see also the module's remember_secret)."""
        masked = value if isinstance(value, MaskedValue) else MaskedValue(value)
        if masked.reveal() and masked not in self._secrets:
            self._secrets.append(masked)

    def _known(self) -> list[str]:
        return [s.reveal() for s in (*_SEEN, *self._secrets)]

    def _check(self, data: Any) -> None:
        known = self._known()

        def walk(obj: Any) -> None:
            if isinstance(obj, MaskedValue):
                raise SecretLeakError("A secret value cannot be written to the journal.")
            if isinstance(obj, str):
                for secret in known:
                    if obj == secret or (len(secret) >= _MIN_SUBSTRING and secret in obj):
                        raise SecretLeakError("A secret value cannot be written to the journal.")
            elif isinstance(obj, Mapping):
                for key, value in obj.items():
                    walk(key)
                    walk(value)
            elif isinstance(obj, list | tuple):
                for item in obj:
                    walk(item)

        walk(data)

    def append(self, entry: JournalEntry | Mapping[str, Any]) -> JournalEntry:
        data = entry.to_dict() if isinstance(entry, JournalEntry) else dict(entry)
        self._check(data)
        data = json_safe(data, "journal")
        # ASCII escapes: any string Azure accepts (a lone surrogate in a tag too) is valid JSON.
        line = json.dumps(data, ensure_ascii=True, sort_keys=True)
        # Second line of defence: the exact bytes about to be written, escapes included.
        for secret in self._known():
            forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
            if len(secret) >= _MIN_SUBSTRING and any(f in line for f in forms):
                raise SecretLeakError("A secret value cannot be written to the journal.")
        make_private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a+", encoding="utf-8") as f:
            # A crash mid-write leaves a torn last line: end it, so this entry stays whole.
            torn = f.tell() > 0 and os.pread(fd, 1, f.tell() - 1) != b"\n"
            f.write(("\n" if torn else "") + line + "\n")
            f.flush()
            os.fsync(f.fileno())
        return JournalEntry.from_dict(data)

    def record(
        self,
        plan: Plan,
        result: PlanResult,
        *,
        who: str,
        who_id: str | None = None,
        verified: Mapping[str, Any] | None = None,
    ) -> JournalEntry:
        return self.append(entry_for(plan, result, who=who, who_id=who_id, verified=verified))

    def entries(self) -> list[JournalEntry]:
        """Oldest first. Unreadable lines (a crash mid-write, a hand edit) are skipped and
        counted in ``skipped_lines``."""
        self.skipped_lines = 0
        if not self.path.exists():
            return []
        out: list[JournalEntry] = []
        with self.path.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.strip():
                    continue
                try:
                    out.append(JournalEntry.from_dict(json.loads(line)))
                except (ValueError, KeyError, TypeError, AttributeError):
                    self.skipped_lines += 1
        return out

    def undo_plan(self, entry: JournalEntry) -> Plan | None:
        """The plan restoring what *entry* applied (access policies, network rules, role
        assignments, identity type), last change first; None when nothing can be undone.

        Its snapshot is the state re-read after the original apply, so the applier's drift
        check tells whether someone changed things since."""
        applied = entry.applied_changes
        base = Plan(title=entry.title, changes=tuple(applied))
        undo = base.undo_plan()
        if undo is None:
            return None
        return Plan(
            title=undo.title,
            changes=undo.changes,
            warnings=undo.warnings,
            notes=undo.notes,
            snapshot=dict(entry.verified),
        )
