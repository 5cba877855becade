"""Key Vault data plane (secrets) for one vault, on the vault's own origin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from console.emulator.server import Emulator


def register(app: web.Application, emu: Emulator, vault_name: str) -> None:
    """Add the secrets routes of *vault_name* to *app*."""
