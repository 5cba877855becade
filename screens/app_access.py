"""The running app, typed: ``kv_app(self).settings`` instead of an untyped ``self.app``.

Textual types ``.app`` as ``App[object]``; every screen, widget and command provider here runs
inside :class:`screens.app.KvConsoleApp`, so the cast states a fact the type system cannot see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from textual.app import App

    from screens.app import KvConsoleApp  # only for the type: screens.app imports every screen


class InApp(Protocol):
    """A widget, screen or command provider: anything Textual gives an ``app``."""

    @property
    def app(self) -> App[Any]: ...


def kv_app(node: InApp) -> KvConsoleApp:
    return cast("KvConsoleApp", node.app)
