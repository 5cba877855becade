"""The emulated tenant: plain data, JSON on disk (atomic write, mode 0600) or in memory.

ARM resources are kept as the JSON Azure returns (keyed by lower-cased resource id), so the
routes serve them as they are. Secrets are kept per vault as records with their versions.
"""

from __future__ import annotations

import json
import os
import secrets as _random
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

DEFAULT_CLIENT_ADDRESS = "203.0.113.10"  # documentation range: the console's "public" address


class StateFileError(Exception):
    """The state file cannot be read; the message says what to do."""


def new_guid() -> str:
    return str(uuid.uuid4())


def new_version() -> str:
    return uuid.uuid4().hex


def now_ts() -> int:
    return int(time.time())


@dataclass
class Principal:
    object_id: str
    kind: str  # User | ServicePrincipal | ManagedIdentity
    display_name: str
    app_id: str = ""  # client id
    client_secret: str | None = None  # lets the token endpoint issue tokens (SPs; users in tests)
    resource_id: str | None = None  # the owner resource of a managed identity
    deleted: bool = False  # a principal that no longer exists (orphaned in grants)

    @property
    def principal_type(self) -> str:
        """The principalType role assignments use."""
        return "User" if self.kind == "User" else "ServicePrincipal"


@dataclass
class SecretVersion:
    version: str
    value: str
    created: int
    updated: int
    content_type: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    enabled: bool = True
    nbf: int | None = None
    exp: int | None = None


@dataclass
class SecretRecord:
    name: str  # as first created (identifiers are case-insensitive)
    versions: list[SecretVersion] = field(default_factory=list)  # oldest first

    @property
    def latest(self) -> SecretVersion:
        return self.versions[-1]


@dataclass
class DeletedSecretRecord:
    record: SecretRecord
    deleted_date: int
    scheduled_purge_date: int


@dataclass
class State:
    tenant_id: str = field(default_factory=new_guid)
    signing_key: str = field(default_factory=lambda: _random.token_hex(32))
    client_address: str = DEFAULT_CLIENT_ADDRESS
    principals: dict[str, Principal] = field(default_factory=dict)  # by object id
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)  # by subscription id
    resource_groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # by lower id
    vaults: dict[str, dict[str, Any]] = field(default_factory=dict)  # by lower id
    deleted_vaults: dict[str, dict[str, Any]] = field(default_factory=dict)  # by lower name
    workflows: dict[str, dict[str, Any]] = field(default_factory=dict)  # by lower id
    connections: dict[str, dict[str, Any]] = field(default_factory=dict)  # Microsoft.Web, lower id
    identities: dict[str, dict[str, Any]] = field(default_factory=dict)  # user-assigned, lower id
    role_assignments: dict[str, dict[str, Any]] = field(default_factory=dict)  # by lower id
    secrets: dict[str, dict[str, SecretRecord]] = field(default_factory=dict)  # vault -> name
    deleted_secrets: dict[str, dict[str, DeletedSecretRecord]] = field(default_factory=dict)
    vault_ports: dict[str, int] = field(default_factory=dict)  # lower vault name -> port
    runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # workflow id -> runs
    # Details the console's own seeds want to hand out (demo client id/secret, etc.)
    info: dict[str, Any] = field(default_factory=dict)

    # ---- look-ups ---------------------------------------------------------------------
    def vault_by_name(self, name: str) -> dict[str, Any] | None:
        lname = name.lower()
        for vault in self.vaults.values():
            if vault["name"].lower() == lname:
                return vault
        return None

    def principal_by_app_id(self, app_id: str) -> Principal | None:
        for p in self.principals.values():
            if p.app_id and p.app_id.lower() == app_id.lower() and not p.deleted:
                return p
        return None

    def vault_secrets(self, vault_name: str) -> dict[str, SecretRecord]:
        return self.secrets.setdefault(vault_name.lower(), {})

    def vault_deleted_secrets(self, vault_name: str) -> dict[str, DeletedSecretRecord]:
        return self.deleted_secrets.setdefault(vault_name.lower(), {})

    # ---- persistence ------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        state = cls(**{k: v for k, v in data.items() if k not in _NESTED})
        state.principals = {k: Principal(**v) for k, v in data.get("principals", {}).items()}
        state.secrets = {
            vault: {name: _record(rec) for name, rec in recs.items()}
            for vault, recs in data.get("secrets", {}).items()
        }
        state.deleted_secrets = {
            vault: {
                name: DeletedSecretRecord(
                    _record(d["record"]), d["deleted_date"], d["scheduled_purge_date"]
                )
                for name, d in recs.items()
            }
            for vault, recs in data.get("deleted_secrets", {}).items()
        }
        return state

    def save(self, path: Path) -> None:
        """Atomic write: temp file in the same directory, fsync, rename; mode 0600."""
        write_state_file(self.to_json(), path)

    @classmethod
    def load(cls, path: Path) -> State:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            _check_shape(data)
            return cls.from_json(data)
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise StateFileError(
                f"The emulator state file {path} is unreadable ({type(exc).__name__}). "
                "Move it aside or delete it to start from the seed again."
            ) from exc


def write_state_file(data: dict[str, Any], path: Path) -> None:
    """Write a :meth:`State.to_json` snapshot atomically (from any thread): temp file in the same
    directory, fsync, rename, mode 0600. A crash leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".state-", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_NESTED = {"principals", "secrets", "deleted_secrets"}


def _check_shape(data: Any) -> None:
    """Valid JSON of another shape would fail later, mid-start, with a traceback."""
    if not isinstance(data, dict):
        raise ValueError("the top level is not a JSON object")
    tables = {f.name for f in fields(State) if f.type.startswith("dict")}
    bad = sorted(k for k, v in data.items() if k in tables and not isinstance(v, dict))
    if bad:
        raise ValueError(f"{', '.join(bad)} should be JSON objects")


def _record(data: dict[str, Any]) -> SecretRecord:
    return SecretRecord(data["name"], [SecretVersion(**v) for v in data["versions"]])
