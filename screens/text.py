"""Formatting helpers: Azure text stays plain (no markup parsed, its controls made visible)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text

from console.safe_text import visible


class Plain(Text):
    """A rich ``Text`` whose strings are shown, never acted on: every string given to it (at
    construction and through ``append``) has its control and escape characters made visible
    (``\\x1b``), and markup is never parsed. Line feeds and tabs stay (layout)."""

    def __init__(self, text: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(visible(text, multiline=True), *args, **kwargs)

    def append(self, text: str | Text, style: Any = None) -> Plain:
        if isinstance(text, str):
            text = visible(text, multiline=True)
        elif not isinstance(text, Plain):
            text = Plain(text.plain, style=text.style)  # spans of a foreign Text are dropped
        super().append(text, style)
        return self

    def append_text(self, text: Text) -> Plain:
        if not isinstance(text, Plain):
            return self.append(text)
        super().append_text(text)
        return self


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "—"


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def kv_table(pairs: list[tuple[str, str]], *, title: str | None = None) -> Plain:
    """Aligned ``key  value`` lines as a rich Text (values appended as plain strings)."""
    out = Plain()
    if title:
        out.append(title + "\n", style="bold")
    width = max((len(k) for k, _ in pairs), default=0)
    for key, value in pairs:
        out.append(f"{key:<{width}}  ", style="dim")
        out.append(str(value))
        out.append("\n")
    return out
