"""A demo tenant shared by the TUI tests (read-only), made deterministic for snapshots."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
import textual.constants
from textual.widgets import Input, TextArea

from console.demo import DemoSession
from console.settings import Settings
from emulator.seeds import build_state
from emulator.server import EmulatorThread
from emulator.state import State
from screens.app import KvConsoleApp
from screens.cli import make_app

FIXED_TS = 1_767_225_600  # 2026-01-01 00:00 UTC: no clock in any snapshot
FIXED_ISO = "2026-01-01T00:00:00Z"
SIZE = (160, 45)


@pytest.fixture(autouse=True)
def settled_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    """No animation and no blinking cursor: what a test sees (a snapshot above all) is the
    final state, not a frame of a tab underline sliding into place or of a cursor blinking.
    (A tab switch animates the underline for 0.3 s after a 0.02 s timer: a capture right after
    selecting a vault caught it mid-way in about one run in four.)"""
    monkeypatch.setattr(textual.constants, "TEXTUAL_ANIMATIONS", "none")  # read by App()
    monkeypatch.setattr(Input, "cursor_blink", False)
    monkeypatch.setattr(TextArea, "cursor_blink", False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stable_ports() -> list[int]:
    """A fixed range when it is free (stable URIs in snapshots), else whatever is free."""
    # Below Linux's ephemeral range (32768-60999): no client connection ever holds one of these.
    wanted = list(range(28811, 28811 + 8))
    try:
        for port in wanted:
            with socket.socket() as s:
                # As aiohttp binds: a port in TIME_WAIT from the last run is still usable.
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", port))
        return wanted
    except OSError:
        return [_free_port() for _ in wanted]


def _stable_ids(state: State) -> State:
    """Replace the seed's random ids (tenant, deleted principal, versions) with stable ones."""
    random_ids = [state.tenant_id]
    random_ids += [oid for oid, p in state.principals.items() if p.deleted]
    random_ids += [
        v.version for recs in state.secrets.values() for r in recs.values() for v in r.versions
    ]
    random_ids += [
        v.version
        for recs in state.deleted_secrets.values()
        for d in recs.values()
        for v in d.record.versions
    ]
    text = json.dumps(state.to_json())
    for i, old in enumerate(dict.fromkeys(random_ids)):
        new = str(uuid.uuid5(uuid.NAMESPACE_URL, f"kvconsole-snapshot-{i}"))
        if "-" not in old:
            new = new.replace("-", "")
        text = text.replace(old, new)
    return State.from_json(json.loads(text))


def deterministic_demo_state() -> State:
    state = _stable_ids(build_state("demo"))
    for records in state.secrets.values():
        for record in records.values():
            for version in record.versions:
                offset_exp = None if version.exp is None else version.exp - version.updated
                offset_nbf = None if version.nbf is None else version.nbf - version.updated
                version.created = version.updated = FIXED_TS
                if offset_exp is not None:
                    version.exp = FIXED_TS + offset_exp
                if offset_nbf is not None:
                    version.nbf = FIXED_TS + offset_nbf
    for wf in state.workflows.values():
        wf["properties"]["changedTime"] = wf["properties"]["createdTime"] = FIXED_ISO
    for port, vault in zip(
        _stable_ports(), sorted(state.vaults.values(), key=lambda v: v["name"]), strict=False
    ):
        state.vault_ports[vault["name"].lower()] = port
    return state


@pytest.fixture(scope="session")
def demo() -> Iterator[DemoSession]:
    thread = EmulatorThread(deterministic_demo_state())
    thread.start()
    session = DemoSession(thread)
    yield session
    session.stop()


@pytest.fixture
def make_demo_app(demo: DemoSession, tmp_path) -> Callable[..., KvConsoleApp]:
    def build(**settings_changes) -> KvConsoleApp:
        settings = replace(Settings(), **settings_changes)
        return make_app(
            demo=True,
            read_only=True,
            settings=settings,
            settings_file=tmp_path / "settings.json",
            demo_session=demo,
        )

    return build


def demo_secret_values(demo: DemoSession) -> list[str]:
    state = demo.emulator.state
    values = [
        v.value for records in state.secrets.values() for r in records.values() for v in r.versions
    ]
    values += [
        d.record.versions[-1].value for ds in state.deleted_secrets.values() for d in ds.values()
    ]
    return [v for v in values if len(v) >= 6]


@pytest.fixture(scope="module")
def session() -> Iterator[DemoSession]:
    """A writable demo tenant per wizard test module (the shared `demo` one stays read-only)."""
    from tests.tui.wizard_kit import demo_session

    s = demo_session()
    yield s
    s.stop()
