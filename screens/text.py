"""Formatting helpers: Azure text stays plain (never parsed as markup)."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "—"


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def kv_table(pairs: list[tuple[str, str]], *, title: str | None = None) -> Text:
    """Aligned ``key  value`` lines as a rich Text (values appended as plain strings)."""
    out = Text()
    if title:
        out.append(title + "\n", style="bold")
    width = max((len(k) for k, _ in pairs), default=0)
    for key, value in pairs:
        out.append(f"{key:<{width}}  ", style="dim")
        out.append(str(value))
        out.append("\n")
    return out
