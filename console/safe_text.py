"""Text from Azure made safe to show: control characters become visible escapes, never act.

A secret's value, a tag, a display name or an error message may carry terminal escape sequences
(OSC 52 writes the clipboard, OSC 0 the window title), C1 controls, lone surrogates or bidi
overrides. Shown through :func:`visible` they read as ``\\x1b]52;…`` instead of acting. Rich
markup is a separate matter: show the result as plain text (``rich.text.Text``, ``markup=False``).
Backslashes are not doubled, so a literal ``\\x1b`` typed by someone looks the same as an escaped
ESC: enough to see that something is there, which is the point.
"""

from __future__ import annotations

import re

# C0 controls and DEL, C1 controls, lone surrogates, bidi embeddings/overrides/isolates and marks,
# zero-width space and the BOM (they hide or reorder text); multi-line text keeps \t and \n.
_OTHERS = "\x7f-\x9f\ud800-\udfff\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
_UNSAFE = re.compile(f"[\x00-\x1f{_OTHERS}]")
_UNSAFE_MULTILINE = re.compile(f"[\x00-\x08\x0b-\x1f{_OTHERS}]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object, *, multiline: bool = False) -> str:
    """*text* with every unsafe character shown as an escape (``\\x1b``, ``\\u202e``).

    ``multiline`` keeps line feeds and tabs (values, definitions); otherwise they are escaped too,
    so one item stays on one line.
    """
    value = text if isinstance(text, str) else str(text)
    pattern = _UNSAFE_MULTILINE if multiline else _UNSAFE
    return pattern.sub(_escape, value)


def is_safe(text: str, *, multiline: bool = False) -> bool:
    pattern = _UNSAFE_MULTILINE if multiline else _UNSAFE
    return pattern.search(text) is None
