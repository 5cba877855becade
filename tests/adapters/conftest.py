"""Fixtures: the adapter world served by an emulator, and services signed in to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from adapter_world import World, build_world, connect

from console.service import AzureService
from emulator.server import Emulator
from emulator.state import State


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def emu(run_emulator: Callable[[State], Emulator], world: World) -> Emulator:
    return run_emulator(world.state)


@pytest.fixture
async def service(emu: Emulator, world: World) -> AsyncIterator[AzureService]:
    svc = AzureService(connect(emu, world))
    yield svc
    await svc.close()


@pytest.fixture
async def reader_service(emu: Emulator, world: World) -> AsyncIterator[AzureService]:
    svc = AzureService(connect(emu, world, "reader"))
    yield svc
    await svc.close()


@pytest.fixture
def uri(emu: Emulator) -> Callable[[str], str]:
    """The vaultUri the emulator serves a vault on (tests read it from ARM where it matters)."""
    return emu.vault_uri
