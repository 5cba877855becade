"""Loading a tenant's inventory and secret names, without a UI: what is listed at once, in what
order, and through which API (Resource Graph for many subscriptions). What arrives is handed to
a :class:`LoadEvents` sink (the main screen turns each call into a message)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from console.errors import ConsoleError
from console.kinds import ALL_KINDS, GRAPH_KINDS, ResourceKind

if TYPE_CHECKING:
    from console.models import SecretProperties, Vault
    from console.ports import VaultService

BACKGROUND_SECRET_CAP = 2000  # names fetched per vault before it is opened (for quick lookup)
PREFETCH_PARALLEL = 4
SUBSCRIPTIONS_PARALLEL = 8  # subscriptions listed at once
RESOURCE_GRAPH_FROM = 50  # subscriptions: from here, one Resource Graph query lists the inventory


def settle_gc() -> None:
    """Move what survived so far out of the cyclic GC's way: a big list that keeps growing would
    otherwise make each full collection scan every row again (100 ms+ pauses). Young garbage is
    collected first, so little is kept that could have been freed."""
    gc.collect(1)
    gc.freeze()


def uses_resource_graph(subscription_count: int) -> bool:
    return subscription_count >= RESOURCE_GRAPH_FROM


def kinds_per_subscription(graph: bool) -> tuple[ResourceKind, ...]:
    """What each subscription lists on its own (Resource Graph lists the rest for all)."""
    return (ResourceKind.ROLE_ASSIGNMENTS,) if graph else ALL_KINDS


class LoadEvents(Protocol):
    """Where the loader's answers go. Called from the loading tasks: no widget access there."""

    def kind_loaded(
        self,
        subscription_id: str,
        kind: ResourceKind,
        items: list[Any],
        error: ConsoleError | None = None,
        done: bool = True,
    ) -> None: ...

    def secrets_page(
        self,
        vault_uri: str,
        items: list[SecretProperties],
        *,
        done: bool,
        error: ConsoleError | None = None,
        background: bool = False,
    ) -> None: ...


class Loader:
    """The concurrency rules of loading: at most SUBSCRIPTIONS_PARALLEL subscriptions at once;
    secret names of every vault prefetched in the background, PREFETCH_PARALLEL at a time, up to
    BACKGROUND_SECRET_CAP each; a vault the user opened is listed to the end, and first."""

    def __init__(self, events: LoadEvents) -> None:
        self.events = events
        self.service: VaultService | None = None
        self._secret_loads: set[str] = set()  # vault uris being listed
        self._full_listing: set[str] = set()  # vault uris opened: list them past the cap
        # Vaults whose first secret names are fetched in the background: one drain empties the
        # queue, PREFETCH_PARALLEL at a time (a task per vault would flood the UI with thousands
        # of task-state messages, ahead of the keystrokes).
        self._prefetch_queue: asyncio.Queue[Vault] = asyncio.Queue()
        self._prefetching = False
        self._subscription_gate = asyncio.Semaphore(SUBSCRIPTIONS_PARALLEL)
        self._opened_loading: set[str] = set()  # opened vaults still listing: they go first
        self._opened_idle = asyncio.Event()
        self._opened_idle.set()

    def _service(self) -> VaultService:
        assert self.service is not None, "Loader.service is set when signed in"
        return self.service

    def restart(self, service: VaultService) -> None:
        """A new sign-in or a refresh: the caller cancelled the old tasks, the queue starts over."""
        self.service = service
        self._prefetch_queue, self._prefetching = asyncio.Queue(), False

    # ---- the inventory ------------------------------------------------------------------
    async def load_inventory(self, subscription_ids: Sequence[str]) -> bool:
        """Vaults, Logic Apps, identities and resource groups of many subscriptions with Resource
        Graph queries. False if Resource Graph cannot be used: list each subscription instead."""
        service = self._service()

        def post(kind: ResourceKind, items: Sequence[Any]) -> None:
            by_sub: dict[str, list[Any]] = {}
            for item in items:
                by_sub.setdefault(item.subscription_id, []).append(item)
            for sub, found in by_sub.items():
                self.events.kind_loaded(sub, kind, found, done=False)

        try:
            async for page in service.iter_inventory_pages(subscription_ids):
                post(ResourceKind.VAULTS, page.vaults)
                post(ResourceKind.LOGIC_APPS, page.logic_apps)
                post(ResourceKind.IDENTITIES, page.identities)
            async for groups in service.iter_resource_group_pages(subscription_ids):
                post(ResourceKind.RESOURCE_GROUPS, groups)
        except ConsoleError:
            return False  # the per-subscription lists say what is wrong
        for sub in subscription_ids:
            for kind in GRAPH_KINDS:
                self.events.kind_loaded(sub, kind, [])
        return True

    async def load_subscription(
        self, subscription_id: str, kinds: Sequence[ResourceKind] = ALL_KINDS
    ) -> None:
        async with self._subscription_gate:
            await self._load_subscription(subscription_id, kinds)

    async def _load_subscription(self, subscription_id: str, kinds: Sequence[ResourceKind]) -> None:
        service = self._service()
        events = self.events

        async def one(kind: ResourceKind, call: Callable[[str], Awaitable[list[Any]]]) -> None:
            try:
                items = await call(subscription_id)
            except ConsoleError as exc:
                events.kind_loaded(subscription_id, kind, [], exc)
                return
            events.kind_loaded(subscription_id, kind, items)

        async def vault_pages() -> None:
            vaults = ResourceKind.VAULTS
            try:
                async for page in service.iter_vault_pages(subscription_id):
                    events.kind_loaded(subscription_id, vaults, page, done=False)
            except ConsoleError as exc:
                events.kind_loaded(subscription_id, vaults, [], exc)
                return
            events.kind_loaded(subscription_id, vaults, [])

        async def roles(sub: str) -> list[Any]:
            return await service.list_role_assignments(f"/subscriptions/{sub}")

        calls: dict[ResourceKind, Callable[[], Awaitable[None]]] = {
            ResourceKind.VAULTS: vault_pages,
            ResourceKind.LOGIC_APPS: lambda: one(ResourceKind.LOGIC_APPS, service.list_logic_apps),
            ResourceKind.IDENTITIES: lambda: one(
                ResourceKind.IDENTITIES, service.list_user_assigned_identities
            ),
            ResourceKind.RESOURCE_GROUPS: lambda: one(
                ResourceKind.RESOURCE_GROUPS, service.list_resource_groups
            ),
            ResourceKind.ROLE_ASSIGNMENTS: lambda: one(ResourceKind.ROLE_ASSIGNMENTS, roles),
        }
        await asyncio.gather(*(calls[kind]() for kind in kinds))

    # ---- secret names ---------------------------------------------------------------------
    def queue_prefetch(self, vault: Vault) -> bool:
        """Queue *vault* for the background listing. True if nothing drains the queue yet: the
        caller then runs :meth:`prefetch` (as a task it can cancel)."""
        self._prefetch_queue.put_nowait(vault)
        if self._prefetching:
            return False
        self._prefetching = True
        return True

    async def prefetch(self) -> None:
        queue = self._prefetch_queue

        async def drain() -> None:
            while not queue.empty():
                vault = queue.get_nowait()
                await self._opened_idle.wait()  # a vault the user opened goes first
                await self._list_secrets(vault, cap=BACKGROUND_SECRET_CAP)

        try:
            while not queue.empty():  # vaults queued while the last ones finished: go on
                await asyncio.gather(*(drain() for _ in range(PREFETCH_PARALLEL)))
        finally:  # no await since the queue was last seen empty
            if self._prefetch_queue is queue:  # else a refresh replaced (and restarted) it
                self._prefetching = False

    async def open_vault(self, vault: Vault) -> None:
        """List all of *vault*'s secret names, before any background listing."""
        uri = vault.uri
        self._full_listing.add(uri)  # a background listing under way goes on to the end
        self._opened_loading.add(uri)
        self._opened_idle.clear()
        try:
            await self._list_secrets(vault, cap=None)
        finally:
            if uri not in self._secret_loads:  # else the background listing finishes it
                self._opened_done(uri)

    def _opened_done(self, uri: str) -> None:
        self._opened_loading.discard(uri)
        if not self._opened_loading:
            self._opened_idle.set()

    async def _list_secrets(self, vault: Vault, cap: int | None) -> None:
        uri = vault.uri
        if uri in self._secret_loads:
            return
        self._secret_loads.add(uri)
        seen = 0
        events = self.events
        try:
            async for page in self._service().iter_secret_pages(uri):
                seen += len(page)
                events.secrets_page(uri, page, done=False, background=cap is not None)
                if cap is not None and uri not in self._full_listing:
                    if seen >= cap:
                        return  # the rest is listed when the vault is opened
                    await self._opened_idle.wait()  # the vault the user opened goes first
            events.secrets_page(uri, [], done=True)
        except ConsoleError as exc:
            events.secrets_page(uri, [], done=True, error=exc)
        finally:
            self._secret_loads.discard(uri)
            if uri in self._opened_loading:
                self._opened_done(uri)
