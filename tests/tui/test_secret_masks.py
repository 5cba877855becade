"""The mask never leaks a secret's length: through the real app, a 3-character and a
300-character secret look the same on screen (their names have the same length) in every place
that shows a secret or its mask: the quick lookup, the vault's secret rows, the secret view
(masked, and masked again after a reveal), the editor's value field and the sign-in secret."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from textual.pilot import Pilot

from console.demo import DemoSession, start_demo
from console.masked import MASK
from console.settings import Settings
from emulator.state import SecretRecord, SecretVersion
from screens.app import KvConsoleApp
from screens.cli import make_app
from screens.secret import SecretScreen
from screens.signin import SignInSettingsScreen
from screens.widgets.secret_input import SecretInput
from screens.widgets.virtual_list import VirtualList
from screens.wizards.secret_editor import MaskedEntry, SecretEditorWizard
from tests.tui.conftest import FIXED_TS, SIZE
from tests.tui.helpers import loaded, wait_for

VAULT = "kv-dev-nopurge"
SHORT = "k9Z"
LONG = "Lq" + "x7Rw" * 74 + "Zp"  # 300 characters
assert len(SHORT) == 3 and len(LONG) == 300
NAMES = {SHORT: "len-003-secret", LONG: "len-300-secret"}  # same length: screens comparable


@pytest.fixture(scope="module")
def tenant() -> Iterator[DemoSession]:
    session = start_demo("demo")
    secrets = session.emulator.state.vault_secrets(VAULT)
    for value, name in NAMES.items():
        # The same version id for both: only the value differs between the two secrets.
        version = SecretVersion("0" * 32, value, FIXED_TS, FIXED_TS, content_type="text/plain")
        secrets[name] = SecretRecord(name, [version])
    yield session
    session.stop()


def screen_lines(app: KvConsoleApp, value: str | None = None) -> list[str]:
    """The screen as a user sees it (from the SVG export), the secret's name made neutral."""
    svg = app.export_screenshot()
    rows: dict[float, list[tuple[float, str]]] = {}
    for m in re.finditer(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        text = html.unescape(m[3]).replace("\xa0", " ")
        rows.setdefault(float(m[2]), []).append((float(m[1]), text))
    lines = ["".join(t for _, t in sorted(parts)) for _, parts in sorted(rows.items())]
    for name in NAMES.values() if value is not None else ():
        lines = [line.replace(name, "len-NNN-secret") for line in lines]
    return [line.rstrip() for line in lines]


def assert_no_value(lines: list[str], value: str) -> None:
    screen = "\n".join(lines)
    assert value not in screen, "the secret value is on screen"
    if len(value) > 20:
        assert value[:12] not in screen, "part of the secret value is on screen"


def assert_same(short: list[str], long: list[str], where: str) -> None:
    diff = [(a, b) for a, b in zip(short, long, strict=True) if a != b]
    assert not diff, f"{where}: a 3- and a 300-character secret look different: {diff[:3]}"


async def open_by_lookup(pilot: Pilot, value: str) -> list[str]:
    """ctrl+k, type the name: the lookup result screen; enter opens the secret view."""
    await loaded(pilot)
    await pilot.press("ctrl+k")
    await pilot.press(*NAMES[value])
    await wait_for(pilot, lambda: NAMES[value] in "\n".join(screen_lines(pilot.app)),
                   "the lookup result")  # fmt: skip
    await pilot.pause(0.3)  # the palette's search is debounced
    lookup = screen_lines(pilot.app, value)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SecretScreen), "the secret view")
    versions = pilot.app.screen.query_one("#versions", VirtualList)
    await wait_for(pilot, lambda: versions.row_count > 0, "the secret's versions")
    return lookup


def demo_app(tenant: DemoSession, tmp_path, *, read_only: bool = True) -> KvConsoleApp:
    settings = replace(Settings(), reveal_timeout=60.0)
    return make_app(demo=True, read_only=read_only, settings=settings,
                    settings_file=tmp_path / "settings.json", demo_session=tenant)  # fmt: skip


async def views_of(tenant: DemoSession, tmp_path, value: str) -> dict[str, list[str]]:
    app = demo_app(tenant, tmp_path)
    out: dict[str, list[str]] = {}
    async with app.run_test(size=SIZE) as pilot:
        out["lookup"] = await open_by_lookup(pilot, value)
        out["secret view"] = screen_lines(app, value)
        await pilot.press("r")  # reveal: now the value is on screen, on purpose
        await wait_for(pilot, lambda: value in "".join(screen_lines(app, value)).replace(" ", ""),
                       "the value revealed")  # fmt: skip
        await pilot.press("r")  # and hidden again
        await wait_for(pilot, lambda: not app.screen.revealed, "the value hidden again")
        await pilot.pause()
        out["secret view, hidden again"] = screen_lines(app, value)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SecretScreen), "the vault")
        await pilot.pause()
        out["the vault's secret rows"] = screen_lines(app, value)
    return out


async def test_lookup_rows_and_secret_view_hide_the_length(tenant, tmp_path) -> None:
    short = await views_of(tenant, tmp_path, SHORT)
    long = await views_of(tenant, tmp_path, LONG)
    assert "len-NNN-secret" in "\n".join(short["the vault's secret rows"])
    assert any("Value" in line and MASK in line for line in short["secret view"])
    for where in short:
        assert_no_value(short[where], SHORT)
        assert_no_value(long[where], LONG)
        assert_same(short[where], long[where], where)


async def editor_field(tenant: DemoSession, tmp_path, value: str) -> dict[str, list[str]]:
    """Open the secret, press e (editor), type a new value into the masked field."""
    app = demo_app(tenant, tmp_path, read_only=False)
    out: dict[str, list[str]] = {}
    async with app.run_test(size=SIZE) as pilot:
        await open_by_lookup(pilot, SHORT)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, SecretEditorWizard), "the editor")
        wizard = app.screen
        await wait_for(pilot, lambda: not any(w.is_running for w in wizard.workers), "its load")
        field = wizard.query_one("#value", MaskedEntry)
        field.focus()
        await pilot.pause()
        await pilot.press(*value)
        assert field.value == value
        await pilot.pause()
        out["editor value field"] = screen_lines(app, SHORT)
        await pilot.press("f2", "f2")  # reveal, then mask again
        await pilot.pause()
        out["editor value field, masked again"] = screen_lines(app, SHORT)
    return out


async def test_editor_value_field_hides_the_length(tenant, tmp_path) -> None:
    short = await editor_field(tenant, tmp_path, SHORT)
    long = await editor_field(tenant, tmp_path, LONG)
    assert all(MASK in "\n".join(lines) for lines in short.values()), "the value shows masked"
    for where in short:
        assert_no_value(long[where], LONG)
        assert_same(short[where], long[where], where)


async def signin_field(tenant: DemoSession, tmp_path, value: str) -> list[str]:
    app = demo_app(tenant, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.action_signin_settings()
        dialog = lambda: isinstance(app.screen, SignInSettingsScreen)  # noqa: E731
        await wait_for(pilot, lambda: dialog() and bool(app.screen.query("#secret")), "sign-in")
        field = app.screen.query_one("#secret", SecretInput)
        field.focus()
        await pilot.pause()
        await pilot.press(*value)
        assert field.value == value
        await pilot.pause()
        return screen_lines(app, SHORT)


async def test_signin_client_secret_hides_the_length(tenant, tmp_path) -> None:
    short = await signin_field(tenant, tmp_path, SHORT)
    long = await signin_field(tenant, tmp_path, LONG)
    assert MASK in "\n".join(short), "the typed secret shows as the mask"
    assert_no_value(long, LONG)
    assert_same(short, long, "sign-in client secret")
