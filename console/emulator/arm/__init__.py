"""Azure Resource Manager routes of the emulator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from console.emulator.server import Emulator


def register(app: web.Application, emu: Emulator) -> None:
    """Add every ARM route to *app*."""
