"""Hostile strings from Azure (escape sequences, OSC 52, title sequences, C1 controls, lone
surrogates, Rich markup) are shown as text wherever the console displays them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from console.demo import DemoSession
from console.settings import Settings
from emulator.server import EmulatorThread
from screens.cli import make_app
from screens.secret import SecretScreen
from screens.widgets.virtual_list import VirtualList
from tests.tui.conftest import SIZE, deterministic_demo_state
from tests.tui.helpers import loaded, wait_for
from tests.tui.test_console import open_vault, secret_screen

OSC52 = "\x1b]52;c;cHduZWQ=\x07"
TITLE = "\x1b]0;owned\x07"
HOSTILE = f"{OSC52}{TITLE}\x9b31m\ud800[red]markup[/red]"
RAW = ("\x1b", "\x07", "\x9b", "\ud800")
VAULT, SECRET = "kv-payments-open", "payments-api-key"


@pytest.fixture(scope="module")
def hostile_demo() -> Iterator[DemoSession]:
    state = deterministic_demo_state()
    latest = state.vault_secrets(VAULT)[SECRET].latest
    latest.value = f"value{HOSTILE}"
    latest.content_type = f"type{HOSTILE}"
    latest.tags = {"owner": f"tag{HOSTILE}"}
    for principal in state.principals.values():
        if not principal.deleted:
            principal.display_name = f"name{HOSTILE}"
    thread = EmulatorThread(state)
    thread.start()
    session = DemoSession(thread)
    yield session
    session.stop()


def screen_text(app) -> str:
    svg = app.export_screenshot()
    for raw in RAW:
        assert raw not in svg, f"{raw!r} reached the screen"
    return svg


async def test_secret_value_attributes_and_names_show_as_text(hostile_demo, tmp_path) -> None:
    app = make_app(
        demo=True,
        read_only=True,
        settings=replace(Settings()),
        settings_file=tmp_path / "settings.json",
        demo_session=hostile_demo,
    )
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await open_vault(pilot, VAULT)
        listed = app.main.query_one("#secrets", VirtualList)
        row = next(r for r in listed.visible_rows() if r.key == SECRET)
        assert HOSTILE in row.cells[2]  # the model keeps Azure's value; only the display escapes
        screen_text(app)
        line = next(
            "".join(seg.text for seg in listed.render_line(y))
            for y in range(listed.size.height)
            if SECRET in "".join(seg.text for seg in listed.render_line(y))
        )
        assert "type\\x1b]52…" in line  # the narrow column, escaped then cut
        await pilot.press("2")  # Access tab: principals' display names
        await pilot.pause()
        screen_text(app)
        await pilot.press("1")
        screen = await secret_screen(pilot, VAULT, SECRET)
        svg = screen_text(app)  # content type and tags, shown on opening
        assert "[red]markup[/red]" in svg.replace("&#160;", " ")
        await pilot.press("r")
        await wait_for(pilot, lambda: screen.revealed, "the revealed value")
        await pilot.pause(0.2)
        svg = screen_text(app)
        assert "\\x1b]0;owned\\x07" in svg.replace("&#160;", " ")
        assert isinstance(app.screen, SecretScreen)
