"""Every use of a private Textual API, in one place (pinned: textual==8.2.8).

The rest of screens/ subclasses what is here and overrides public-looking names instead
(`shown_text`, `on_paste_text`). Textual dispatches a handler such as `_on_paste` on every class
of the MRO, so an override must also prevent the default. tests/tui/test_textual_private.py
asserts that each hook still exists with the signature mirrored here, so a Textual upgrade that
moves one fails loudly.
"""

from __future__ import annotations

import rich
from rich.segment import Segments
from rich.text import Text
from textual import events
from textual.app import App
from textual.widgets import Input

# The private names used below, checked by tests/tui/test_textual_private.py.
APP_HOOKS = ("_fatal_error", "_close_messages_no_wait")  # methods; `_exit_renderables`: attribute
INPUT_HOOKS = ("_value", "_on_paste")


class TracebackWithoutLocals(App):
    """Crash output without local variables (they can hold a secret value).

    Overrides `App._fatal_error` (textual 8.2.8 app.py): Textual's own prints the traceback with
    `show_locals=True`. Same steps otherwise: bell, append to `App._exit_renderables` (printed on
    exit), `MessagePump._close_messages_no_wait()` (message_pump.py) to stop the app."""

    def _fatal_error(self) -> None:
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(
            Segments(self.console.render(traceback, self.console.options))
        )
        self._close_messages_no_wait()


class ShownTextInput(Input):
    """An Input whose shown text and paste handling subclasses may replace.

    `Input.render` and `Input.content_width` read the private property `Input._value` (textual
    8.2.8 widgets/_input.py) for the text drawn; there is no public hook, and a mask must never
    show the value's length. `Input._on_paste` (same file) keeps only the first pasted line; a
    secret value may be multi-line."""

    def shown_text(self) -> Text:
        """The text drawn in the input (default: Textual's, dots for a password)."""
        return Input._value.fget(self)  # type: ignore[attr-defined]

    def on_paste_text(self, event: events.Paste) -> None:
        """Handle a paste (default: Textual's, first line only)."""
        Input._on_paste(self, event)

    @property
    def _value(self) -> Text:
        return self.shown_text()

    def _on_paste(self, event: events.Paste) -> None:
        self.on_paste_text(event)
        # Textual calls `_on_paste` of every class in the MRO (message_pump.py `_get_dispatch_
        # methods`) until the default is prevented: without this, Input's runs too and inserts
        # the first line a second time.
        event.prevent_default()


def tolerate_undecodable_input() -> None:
    """Keys that are not UTF-8 (one 0xff byte on stdin) must not kill the console.

    Textual's Linux drivers decode stdin with a strict UTF-8 incremental decoder looked up
    through the module global `getincrementaldecoder` (textual 8.2.8 drivers/linux_driver.py and
    linux_inline_driver.py, `run_input_thread`); a bad byte raised UnicodeDecodeError in the
    input thread and ended the app with exit code 0. Here the decoder replaces bad bytes (U+FFFD)
    instead, which the key parser ignores."""
    import codecs
    import functools

    from textual.drivers import linux_driver, linux_inline_driver

    def lenient(encoding: str) -> type[codecs.IncrementalDecoder]:
        base = codecs.getincrementaldecoder(encoding)
        return functools.partial(base, errors="replace")  # type: ignore[return-value]

    for module in (linux_driver, linux_inline_driver):
        module.getincrementaldecoder = lenient  # type: ignore[attr-defined]
