"""User settings in the platform config dir. Never a secret (the SP secret is in the keyring)."""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from console.private_files import make_private_dir

AUTH_MODES = ("default", "device_code", "service_principal")
# A reveal or clipboard timeout outside this range would mean "never hidden again" (inf, 1e9)
# or "gone before it can be read" (1e-7): clamped, not refused.
TIMEOUT_RANGE = (1.0, 3600.0)


@dataclass(frozen=True)
class Settings:
    auth_mode: str = "default"
    tenant_id: str = ""
    client_id: str = ""  # service principal application id (its secret lives in the keyring)
    subscriptions: tuple[str, ...] = ()  # empty: every subscription the sign-in can see
    pinned_vaults: tuple[str, ...] = ()  # vault URIs reachable on the data plane only
    reveal_timeout: float = 30.0  # seconds a revealed value stays visible
    clipboard_timeout: float = 30.0  # seconds before a copied value is wiped from the clipboard
    theme: str = "textual-dark"

    def with_pinned(self, uri: str) -> Settings:
        uri = normalise_vault_uri(uri)
        if uri in self.pinned_vaults:
            return self
        return replace(self, pinned_vaults=(*self.pinned_vaults, uri))

    def without_pinned(self, uri: str) -> Settings:
        uri = normalise_vault_uri(uri)
        return replace(self, pinned_vaults=tuple(u for u in self.pinned_vaults if u != uri))


@dataclass
class LoadResult:
    settings: Settings
    # Set when the file could not be read: what happened and where the bad file was kept.
    problem: str | None = None
    moved_to: Path | None = field(default=None)


def settings_path() -> Path:
    return Path(platformdirs.user_config_dir("kvconsole")) / "settings.json"


def normalise_vault_uri(uri: str) -> str:
    uri = uri.strip()
    if not uri.startswith("https://"):
        raise ValueError(f"A vault URI starts with https:// (got {uri!r})")
    return uri.rstrip("/") + "/"


def _from_dict(data: dict[str, Any]) -> Settings:
    known = {f.name: f for f in fields(Settings)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            continue  # settings from a newer version: ignore, keep the rest
        default = getattr(Settings(), key)
        if isinstance(default, tuple):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{key} must be a list of strings")
            value = tuple(value)
        elif isinstance(default, float):
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ValueError(f"{key} must be a positive number of seconds")
            low, high = TIMEOUT_RANGE
            value = min(max(float(value), low), high)
        elif not isinstance(value, str):
            raise ValueError(f"{key} must be a string")
        kwargs[key] = value
    settings = Settings(**kwargs)
    if settings.auth_mode not in AUTH_MODES:
        raise ValueError(f"auth_mode must be one of {', '.join(AUTH_MODES)}")
    return settings


def load_settings(path: Path | None = None) -> LoadResult:
    """Read settings; a broken file is renamed aside (never lost) and defaults are used."""
    path = path or settings_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return LoadResult(Settings())
    except OSError as exc:  # a directory, no permission: nothing to move aside
        problem = (
            f"Settings file {path} could not be read ({exc.strerror or type(exc).__name__}); "
            "using defaults. Fix or remove it; settings changed now are not saved over it."
        )
        return LoadResult(Settings(), problem=problem)
    try:
        text = raw.decode("utf-8")  # UnicodeDecodeError is a ValueError: moved aside below
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("the top level must be a JSON object")
        return LoadResult(_from_dict(data))
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        aside = path.with_name(f"{path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
        path.replace(aside)
        problem = (
            f"Settings file {path} could not be read ({exc}); using defaults. "
            f"The file was kept as {aside}."
        )
        return LoadResult(Settings(), problem=problem, moved_to=aside)


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Atomic write (temp file, fsync, rename) so a crash never leaves half a file."""
    path = path or settings_path()
    make_private_dir(path.parent)
    data = asdict(settings)
    data = {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
