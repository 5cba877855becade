"""Shared fixtures: an emulator on its own thread; config, data and state dirs per test."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from emulator.server import Emulator, EmulatorThread
from emulator.state import State

_OUTSIDE = Path(__file__).resolve().parents[2] / "shared"


def _refuse_outside_reads(event: str, args: tuple[object, ...]) -> None:
    """The repo stands alone: nothing under test may read the workspace's shared/ folder."""
    if event != "open" or not args or not isinstance(args[0], str | Path):
        return
    path = Path(args[0])
    if path.is_absolute() and path.is_relative_to(_OUTSIDE):
        raise PermissionError(f"the tests read {path}, outside the repository")


sys.addaudithook(_refuse_outside_reads)


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Keep settings, journal and logs of every test away from the real user's."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local/state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    for var in ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def run_emulator() -> Iterator[Callable[[State], Emulator]]:
    """Start an emulator (own thread and loop) serving a given state; stopped after the test."""
    threads: list[EmulatorThread] = []

    def start(state: State, **kwargs) -> Emulator:
        # The Key Vault SDK caches each vault's challenge (its tenant) per host:port for the
        # whole process; a port reused by this emulator must not inherit another tenant.
        from azure.keyvault.secrets._shared import http_challenge_cache

        http_challenge_cache.clear()
        thread = EmulatorThread(state, **kwargs)
        threads.append(thread)
        return thread.start()

    yield start
    for thread in threads:
        thread.stop()


# Real request/response examples from Azure's published specs, copied into the repo.
FIXTURES = Path(__file__).resolve().parent / "fixtures"
AZURE_API = FIXTURES / "azure-api"
AZURE_RECORDINGS = FIXTURES / "azure-recordings"
