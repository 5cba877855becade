"""The work measured, done twice: through AzureService (ours) and with the bare .aio SDK.

Both sides get the same fair start: a fresh sign-in per run and one shared HTTPS session with
one TLS context (what sdk-notes.md recommends for any aio client; without it the bare SDK would
build an SSL context per request and look slower than it need be).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from emu import Tenant

from console.azure.connection import Connection
from console.service import AzureService


@dataclass
class Timing:
    total: float
    first: float  # seconds to the first rows
    count: int


def warm_imports() -> None:
    """Import every SDK module used, so neither side pays import time inside a measurement."""
    import aiohttp  # noqa: F401
    import azure.identity.aio  # noqa: F401
    import azure.keyvault.secrets.aio  # noqa: F401
    import azure.mgmt.keyvault.aio  # noqa: F401
    import azure.mgmt.logic.aio  # noqa: F401
    import azure.mgmt.resourcegraph.aio  # noqa: F401


def service(t: Tenant) -> AzureService:
    conn = Connection.for_emulator(
        t.base_url,
        t.ca_path,
        t.tenant_id,
        t.client_id,
        t.client_secret,
        subscription_ids=tuple(t.subscription_ids),
    )
    return AzureService(conn)


class _Clock:
    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.first: float | None = None
        self.count = 0

    def rows(self, n: int) -> None:
        if n and self.first is None:
            self.first = time.perf_counter() - self.start
        self.count += n

    def done(self) -> Timing:
        total = time.perf_counter() - self.start
        return Timing(total, self.first if self.first is not None else total, self.count)


# ---- ours ---------------------------------------------------------------------------------
async def ours_inventory(t: Tenant) -> Timing:
    """Every subscription at once: vault pages and Logic Apps (what the main screen starts)."""
    clock = _Clock()
    async with service(t) as svc:

        async def one(sub: str) -> None:
            async for page in svc.iter_vault_pages(sub):
                clock.rows(len(page))
            async for page in svc.iter_logic_app_pages(sub):
                clock.rows(len(page))

        await asyncio.gather(*(one(s) for s in t.subscription_ids))
        return clock.done()


async def ours_resource_graph(t: Tenant) -> Timing:
    clock = _Clock()
    async with service(t) as svc:
        async for page in svc.iter_inventory_pages(t.subscription_ids):
            clock.rows(len(page.vaults) + len(page.logic_apps))
        return clock.done()


async def ours_secrets(t: Tenant, vault_uri: str) -> Timing:
    clock = _Clock()
    async with service(t) as svc:
        async for page in svc.iter_secret_pages(vault_uri):
            clock.rows(len(page))
        return clock.done()


# ---- the bare SDK -------------------------------------------------------------------------
class Bare:
    """A plain script's setup: credential, clients, one aiohttp session."""

    def __init__(self, t: Tenant) -> None:
        import aiohttp
        from azure.core.pipeline.transport import AioHttpTransport
        from azure.identity.aio import ClientSecretCredential

        self.t = t
        ctx = ssl.create_default_context(cafile=t.ca_path)
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx))
        self.transport = AioHttpTransport(session=self.session, session_owner=False)
        self.credential = ClientSecretCredential(
            t.tenant_id,
            t.client_id,
            t.client_secret,
            authority=t.base_url,
            disable_instance_discovery=True,
            transport=self.transport,
        )
        self.clients: list[Any] = []

    def mgmt(self, cls: Any, *args: Any) -> Any:
        client = cls(self.credential, *args, base_url=self.t.base_url, transport=self.transport)
        self.clients.append(client)
        return client

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self.clients))
        await self.credential.close()
        await self.session.close()


async def bare_inventory(t: Tenant) -> Timing:
    from azure.mgmt.keyvault.aio import KeyVaultManagementClient
    from azure.mgmt.logic.aio import LogicManagementClient

    clock = _Clock()
    bare = Bare(t)
    try:

        async def one(sub: str) -> None:
            kv = bare.mgmt(KeyVaultManagementClient, sub)
            async for page in kv.vaults.list_by_subscription().by_page():
                clock.rows(len([v async for v in page]))
            logic = bare.mgmt(LogicManagementClient, sub)
            async for page in logic.workflows.list_by_subscription().by_page():
                clock.rows(len([w async for w in page]))

        await asyncio.gather(*(one(s) for s in t.subscription_ids))
        return clock.done()
    finally:
        await bare.close()


async def bare_secrets(t: Tenant, vault_uri: str) -> Timing:
    from azure.keyvault.secrets.aio import SecretClient

    clock = _Clock()
    bare = Bare(t)
    try:
        client = SecretClient(
            vault_uri, bare.credential, transport=bare.transport, verify_challenge_resource=False
        )
        bare.clients.append(client)
        async for page in client.list_properties_of_secrets().by_page():
            clock.rows(len([p async for p in page]))
        return clock.done()
    finally:
        await bare.close()


def runs(n: int, make: Callable[[], Awaitable[Timing]], expect: int | None = None) -> list[Timing]:
    out = []
    for _ in range(n):
        timing = asyncio.run(make())
        if expect is not None and timing.count != expect:
            raise AssertionError(f"listed {timing.count} items, expected {expect}")
        out.append(timing)
    return out
