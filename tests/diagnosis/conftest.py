"""A writable demo tenant per test and a service signed in to it (a module may scope its own)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from console.demo import DemoSession, start_demo
from console.service import AzureService


@pytest.fixture
def demo() -> Iterator[DemoSession]:
    session = start_demo()
    yield session
    session.stop()


@pytest.fixture
async def service(demo: DemoSession) -> AsyncIterator[AzureService]:
    svc = AzureService(demo.connection())
    yield svc
    await svc.close()
