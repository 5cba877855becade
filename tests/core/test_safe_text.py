"""Azure text is shown, never acted on: control and escape characters become visible escapes."""

from __future__ import annotations

import pytest

from console.safe_text import is_safe, visible

OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"  # writes the terminal's clipboard
TITLE = "\x1b]0;owned\x07"  # sets the window title
CSI = "\x1b[2J\x1b[31m"  # clears the screen, turns text red
C1_CSI = "\x9b31m"  # the 8-bit CSI some terminals honour


@pytest.mark.parametrize("hostile", [OSC52, TITLE, CSI, C1_CSI, "\x00", "\x7f", "\r"])
def test_controls_become_visible_escapes(hostile: str) -> None:
    shown = visible(f"a{hostile}b")
    assert is_safe(shown)
    assert shown.startswith("a") and shown.endswith("b")
    assert "\\x" in shown or "\\r" in shown


def test_osc52_reads_as_text() -> None:
    assert visible(OSC52) == "\\x1b]52;c;ZWNobyBwd25lZA==\\x07"


def test_lone_surrogates_and_bidi_overrides_are_shown() -> None:
    assert visible("x\ud800y") == "x\\ud800y"
    assert visible("admin\u202egpj.exe") == "admin\\u202egpj.exe"


def test_line_feeds_stay_only_in_multiline_text() -> None:
    assert visible("a\nb\tc") == "a\\nb\\tc"
    assert visible("a\nb\tc", multiline=True) == "a\nb\tc"
    assert visible("a\x1b\nb", multiline=True) == "a\\x1b\nb"


def test_ordinary_text_is_unchanged() -> None:
    text = "Zürich – 東京 🔑 [red]x[/] $&"
    assert visible(text) == text and is_safe(text)
