"""A reveal that arrives after the reason for it is gone is dropped: the value never shows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Static

from console.demo import DemoSession
from console.masked import MASK
from emulator.faults import install
from emulator.server import EmulatorThread
from screens.cli import make_app
from screens.secret import SecretScreen
from tests.tui.conftest import SIZE, deterministic_demo_state
from tests.tui.helpers import loaded
from tests.tui.test_console import secret_screen

VAULT, SECRET = "kv-payments-open", "payments-api-key"
SLOW = 0.6  # seconds the value takes to arrive


@pytest.fixture(scope="module")
def slow_demo() -> Iterator[DemoSession]:
    thread = EmulatorThread(deterministic_demo_state())
    thread.start()
    session = DemoSession(thread)
    yield session
    session.stop()


def shown(screen: SecretScreen) -> str:
    return str(screen.query_one("#secret-value", Static).render())


@pytest.mark.parametrize("then", ["r", "blur", "help"])
async def test_a_late_reveal_is_dropped(slow_demo, tmp_path, then: str) -> None:
    app = make_app(
        demo=True, read_only=True, settings_file=tmp_path / "s.json", demo_session=slow_demo
    )
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = await secret_screen(pilot, VAULT, SECRET)
        injector = install(slow_demo.emulator, f"slow={SLOW}@GET */secrets/{SECRET}/*")
        try:
            await pilot.press("r")  # the value is on its way...
            await pilot.pause(0.1)
            if then == "r":
                await pilot.press("r")  # ...r again: cancel
            elif then == "blur":
                app.post_message(__import__("textual.events", fromlist=["AppBlur"]).AppBlur())
            else:
                await pilot.press("question_mark")  # another screen on top
            await pilot.pause(SLOW + 0.5)  # the answer has arrived by now
            if then == "help":
                await pilot.press("escape")
                await pilot.pause()
            assert app.screen is screen
            assert shown(screen) == MASK and not screen.revealed
        finally:
            slow_demo.emulator.before_request.remove(injector)
