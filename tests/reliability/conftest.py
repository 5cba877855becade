"""Fixtures: the reliability world on an emulator and a counter of the requests it receives."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

# reliability_* helper modules (unique names: other test dirs have a conftest too)
sys.path.insert(0, str(Path(__file__).parent))

from reliability_world import World, build_world, connect  # noqa: E402

from console.service import AzureService  # noqa: E402
from emulator.server import Emulator  # noqa: E402
from emulator.state import State  # noqa: E402


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def emu(run_emulator: Callable[[State], Emulator], world: World) -> Emulator:
    return run_emulator(world.state)


@pytest.fixture
def requests(emu: Emulator) -> list[str]:
    """Every request the emulator receives, as 'METHOD /path' (token requests included)."""
    seen: list[str] = []

    async def count(request) -> None:
        seen.append(f"{request.method} {request.path}")

    emu.before_request.insert(0, count)  # before any fault hook, so faulted requests count too
    return seen


@pytest.fixture
async def service(emu: Emulator, world: World) -> AsyncIterator[AzureService]:
    svc = AzureService(connect(emu, world))
    yield svc
    await svc.close()
