"""The secret inputs as a user sees them: a fixed-width mask whatever the value's length, and a
multi-line paste kept whole in the secret editor (both through screens/textual_private.py)."""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult

from console.masked import MASK
from screens.widgets.secret_input import SecretInput
from screens.wizards.secret_editor import MaskedEntry


class InputApp(App[None]):
    def compose(self) -> ComposeResult:
        yield SecretInput(id="secret")
        yield MaskedEntry(id="entry")


def _drawn(widget: SecretInput) -> str:
    return widget.render_line(0).text.strip()


async def test_the_mask_does_not_show_the_length() -> None:
    async with InputApp().run_test() as pilot:
        secret = pilot.app.query_one("#secret", SecretInput)
        secret.value = "short"
        await pilot.pause()
        short = _drawn(secret)
        secret.value = "a much longer secret value, forty chars"
        await pilot.pause()
        assert short == _drawn(secret) == MASK


async def test_a_multi_line_paste_is_kept_whole() -> None:
    async with InputApp().run_test() as pilot:
        entry = pilot.app.query_one("#entry", MaskedEntry)
        entry.focus()
        entry.post_message(events.Paste("line one\nline two"))
        await pilot.pause()
        assert entry.value == "line one\nline two"
        assert _drawn(entry) == MASK
