"""Secret hygiene in the UI: re-mask on blur and screen change, no screenshot, redacted errors."""

from __future__ import annotations

from textual import events
from textual.widgets import Static

from console.masked import MASK
from screens.dialogs import ErrorDialog, HelpScreen
from screens.secret import SecretScreen
from tests.tui.conftest import SIZE
from tests.tui.helpers import loaded, wait_for
from tests.tui.test_console import secret_screen, secret_value


def shown(screen: SecretScreen) -> str:
    return str(screen.query_one("#secret-value", Static).render())


async def test_revealed_value_is_masked_when_the_terminal_loses_focus(make_demo_app, demo):
    app = make_demo_app(reveal_timeout=60)
    value = secret_value(demo, "kv-payments-open", "stripe-webhook-secret")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = await secret_screen(pilot, "kv-payments-open", "stripe-webhook-secret")
        await pilot.press("r")
        await wait_for(pilot, lambda: shown(screen) == value, "the revealed value")
        app.post_message(events.AppBlur())
        await wait_for(pilot, lambda: shown(screen) == MASK, "the mask after blur")
        assert not screen.revealed


async def test_revealed_value_is_masked_when_another_screen_opens(make_demo_app, demo):
    app = make_demo_app(reveal_timeout=60)
    value = secret_value(demo, "kv-payments-open", "payments-api-key")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = await secret_screen(pilot, "kv-payments-open", "payments-api-key")
        await pilot.press("r")
        await wait_for(pilot, lambda: shown(screen) == value, "the revealed value")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        assert not screen.revealed
        await pilot.press("escape")
        await pilot.pause()
        assert shown(screen) == MASK


async def test_no_screenshot_of_a_revealed_value(make_demo_app, demo, tmp_path):
    app = make_demo_app(reveal_timeout=60)
    value = secret_value(demo, "kv-payments-open", "payments-api-key")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await secret_screen(pilot, "kv-payments-open", "payments-api-key")
        await pilot.press("r")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert not any("screenshot" in title.lower() for title in titles)
        app.action_screenshot(path=str(tmp_path))
        app.deliver_screenshot(path=str(tmp_path))
        await pilot.pause()
        assert list(tmp_path.iterdir()) == []
        assert value not in "".join(p.read_text() for p in tmp_path.rglob("*") if p.is_file())


async def test_a_crashing_worker_shows_a_redacted_dialog(make_demo_app, capfd):
    canary = "canary-worker-4b7e1d"
    app = make_demo_app()

    async def failing() -> None:
        local_copy = canary  # noqa: F841 - must never be printed
        raise ValueError(f"could not parse {canary}")

    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.run_worker(failing(), name="parsing", exit_on_error=False)
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorDialog), "the error dialog")
        body = str(app.screen.query_one("#dialog-body", Static).render())
        assert "ValueError" in body and canary not in body
        await pilot.press("escape")
    out, err = capfd.readouterr()
    assert canary not in out + err
