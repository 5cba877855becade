"""The multi-pane screen: navigation tree, a filtered list of the selected kind, details."""

from __future__ import annotations

import asyncio
import gc
import time
from itertools import islice
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.lazy import Lazy
from textual.screen import Screen
from textual.widgets import (
    ContentSwitcher,
    Footer,
    Header,
    Input,
    ProgressBar,
    Static,
    TabbedContent,
    Tree,
)

from console.errors import ConsoleError
from screens.app_access import kv_app
from screens.catalog import KIND_TITLES
from screens.messages import (
    DirectoryResolved,
    KindLoaded,
    LoadProgress,
    SecretsPage,
    VaultRolesLoaded,
)
from screens.widgets.details import VaultDetail, error_text, identity_text, logic_app_text
from screens.widgets.filter_input import FilterInput
from screens.widgets.nav import NavTree, NodeRef
from screens.widgets.virtual_list import Column, Row, VirtualList

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from console.models import RoleAssignment, Subscription, Vault
    from console.ports import VaultService
    from screens.catalog import Catalog

COLUMNS = {
    "vaults": [Column("Name"), Column("Access", 8), Column("Firewall", 8), Column("Secrets", 10)],
    "logic_apps": [Column("Name"), Column("State", 8), Column("Identity", 14), Column("KV", 3)],
    "identities": [Column("Name"), Column("Kind", 20), Column("Grants", 6)],
    "principals": [Column("Name"), Column("Kind", 20), Column("Grants", 6)],
}
COLUMNS["pinned"] = COLUMNS["vaults"]
BACKGROUND_SECRET_CAP = 2000  # names fetched per vault before it is opened (for quick lookup)
PREFETCH_PARALLEL = 4
SUBSCRIPTIONS_PARALLEL = 8  # subscriptions listed at once
RESOURCE_GRAPH_FROM = 50  # subscriptions: from here, one Resource Graph query lists the inventory
GRAPH_KINDS = ("vaults", "logic_apps", "identities", "resource_groups")  # Resource Graph lists
ALL_KINDS = (*GRAPH_KINDS, "role_assignments")  # what is loaded per subscription
FLUSH_EVERY = 0.1  # s: pages arriving faster are shown together (one list update, one repaint)


def settle_gc() -> None:
    """Move what survived so far out of the cyclic GC's way: a big list that keeps growing would
    otherwise make each full collection scan every row again (100 ms+ pauses). Young garbage is
    collected first, so little is kept that could have been freed."""
    gc.collect(1)
    gc.freeze()


class MainScreen(Screen[None]):
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="main.filter"),
        Binding("f5,ctrl+r", "app.refresh", "Refresh", id="main.refresh"),
        Binding("ctrl+k", "app.lookup", "Lookup", id="main.lookup"),
        Binding("p", "app.pin_vault", "Pin vault", id="main.pin"),
        Binding("u", "app.subscriptions", "Subscriptions", show=False, id="main.subscriptions"),
        Binding("s", "app.signin_settings", "Sign-in", show=False, id="main.signin"),
        Binding("1", "tab('tab-secrets')", "Secrets", show=False, id="vault.tab.secrets"),
        Binding("2", "tab('tab-access')", "Access", show=False, id="vault.tab.access"),
        Binding("3", "tab('tab-network')", "Networking", show=False, id="vault.tab.network"),
        Binding("4", "tab('tab-properties')", "Properties", show=False, id="vault.tab.properties"),
        Binding("a", "access_check", "Access check", id="main.access_check"),
        Binding("i", "wizard('enable_identity')", "Identity", id="wizard.identity"),
        Binding("g", "wizard('grant')", "Grant", id="wizard.grant"),
        Binding("w", "wizard('firewall')", "Firewall", id="wizard.firewall"),
        Binding("e", "wizard('secret')", "Edit secret", show=False, id="wizard.secret"),
        Binding("n", "wizard('secret', 'new')", "New secret", show=False, id="wizard.secret.new"),
        Binding("S", "wizard('setup')", "Setup", show=False, id="wizard.setup"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.service: VaultService | None = None
        self.ref = NodeRef("tenant")
        self.pending: set[tuple[str, str]] = set()
        self._secret_loads: set[str] = set()  # vault uris being listed
        self._full_listing: set[str] = set()  # vault uris opened: list them past the cap
        # Vaults whose first secret names are fetched in the background (quick lookup): one
        # worker drains the queue, PREFETCH_PARALLEL at a time. A worker per vault would flood
        # this screen's queue with thousands of worker-state messages, ahead of the keystrokes.
        self._prefetch_queue: asyncio.Queue[Vault] = asyncio.Queue()
        self._prefetching = False
        self._subscription_gate = asyncio.Semaphore(SUBSCRIPTIONS_PARALLEL)
        self._opened_loading: set[str] = set()  # opened vaults still listing: they go first
        self._opened_idle = asyncio.Event()
        self._opened_idle.set()
        self._flushed = 0.0  # when the list and the secrets table were last updated
        self._flush_timer: Any = None
        self._list_stale = False  # the list pane waits for the next flush

    @property
    def _service(self) -> VaultService:
        """The service, for the work that only starts once signed in (``start`` sets it)."""
        if self.service is None:
            raise RuntimeError("not signed in yet")
        return self.service

    @property
    def catalog(self) -> Catalog:
        return kv_app(self).catalog

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield NavTree(id="nav")
            with Vertical(id="list-pane"):
                yield Static("", id="list-title", classes="pane-title")
                yield FilterInput("#items", placeholder="Filter (type to filter)", id="filter")
                yield ProgressBar(total=None, show_eta=False, show_percentage=False,
                                  id="progress")  # fmt: skip
                yield Static("", id="list-status", classes="status")
                yield VirtualList(COLUMNS["vaults"], empty_text="Signing in…", id="items")
            with ContentSwitcher(initial="detail-empty", id="detail"):
                yield Static(
                    Text("Select something on the left.\n\n? help · ctrl+k quick lookup"),
                    id="detail-empty",
                )
                detail = VaultDetail(id="vault-detail")
                detail.display = False
                yield Lazy(detail)  # composed after the first paint (start-up time)
                yield VerticalScroll(Static(id="logic-body"), id="logic-detail")
                yield VerticalScroll(Static(id="identity-body"), id="identity-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#nav", NavTree).focus()
        self.query_one("#progress").display = False

    # ---- starting and refreshing ------------------------------------------------------
    def start(
        self, service: VaultService, subscriptions: list[Subscription], tenant_label: str
    ) -> None:
        self.service = service
        self.workers.cancel_group(self, "load")
        self.workers.cancel_group(self, "prefetch")
        self._prefetch_queue, self._prefetching = asyncio.Queue(), False
        nav = self.query_one("#nav", NavTree)
        nav.set_tenant(tenant_label)
        chosen = kv_app(self).settings.subscriptions
        subs = [s for s in subscriptions if not chosen or s.subscription_id in chosen]
        graph = len(subs) >= RESOURCE_GRAPH_FROM
        for sub in subs:
            self.catalog.subscriptions[sub.subscription_id] = sub
            nav.add_subscription(sub.subscription_id, sub.display_name)
            for kind in ("resource_groups", "vaults", "logic_apps", "identities",
                         "role_assignments"):  # fmt: skip
                self.pending.add((sub.subscription_id, kind))
            self.load_subscription(
                sub.subscription_id, ("role_assignments",) if graph else ALL_KINDS
            )
        if graph:
            self.load_inventory([s.subscription_id for s in subs])
        self.show_pinned()
        self._update_progress()
        self.show_list(self.ref)

    def show_pinned(self) -> None:
        uris = list(kv_app(self).settings.pinned_vaults)
        self.query_one("#nav", NavTree).set_pinned(uris)
        for uri in uris:
            if uri not in self.catalog.pinned and self.service is not None:
                vault = self.service.pinned_vault(uri)
                self.catalog.pinned[uri] = vault
                self.prefetch_secrets(vault)
        self._refresh_tree()

    # ---- workers (no widget access: they post messages) -------------------------------
    @work(group="load", exit_on_error=False)
    async def load_inventory(self, subscription_ids: list[str]) -> None:
        """Vaults, Logic Apps, identities and resource groups of many subscriptions with Resource
        Graph queries; if Resource Graph cannot be used, each subscription is listed on its own."""
        service = self._service

        def post(kind: str, items: list) -> None:
            by_sub: dict[str, list] = {}
            for item in items:
                by_sub.setdefault(item.subscription_id, []).append(item)
            for sub, found in by_sub.items():
                self.post_message(KindLoaded(sub, kind, found, done=False))

        try:
            async for page in service.iter_inventory_pages(subscription_ids):
                for kind in ("vaults", "logic_apps", "identities"):
                    post(kind, getattr(page, kind))
            async for groups in service.iter_resource_group_pages(subscription_ids):
                post("resource_groups", groups)
        except ConsoleError:
            for sub in subscription_ids:  # the per-subscription lists say what is wrong
                self.load_subscription(sub, GRAPH_KINDS)
            return
        for sub in subscription_ids:
            for kind in GRAPH_KINDS:
                self.post_message(KindLoaded(sub, kind, []))

    @work(group="load", exit_on_error=False)
    async def load_subscription(
        self, subscription_id: str, kinds: tuple[str, ...] = ALL_KINDS
    ) -> None:
        async with self._subscription_gate:
            await self._load_subscription(subscription_id, kinds)

    async def _load_subscription(self, subscription_id: str, kinds: tuple[str, ...]) -> None:
        service = self._service

        async def one(kind: str, call: Callable[[str], Awaitable[list[Any]]]) -> None:
            try:
                items = await call(subscription_id)
            except ConsoleError as exc:
                self.post_message(KindLoaded(subscription_id, kind, [], exc))
                return
            self.post_message(KindLoaded(subscription_id, kind, items))

        async def vault_pages() -> None:
            try:
                async for page in service.iter_vault_pages(subscription_id):
                    self.post_message(KindLoaded(subscription_id, "vaults", page, done=False))
            except ConsoleError as exc:
                self.post_message(KindLoaded(subscription_id, "vaults", [], exc))
                return
            self.post_message(KindLoaded(subscription_id, "vaults", []))

        async def roles(sub: str) -> list[RoleAssignment]:
            return await service.list_role_assignments(f"/subscriptions/{sub}")

        calls: dict[str, Callable[[], Awaitable[None]]] = {
            "vaults": vault_pages,
            "logic_apps": lambda: one("logic_apps", service.list_logic_apps),
            "identities": lambda: one("identities", service.list_user_assigned_identities),
            "resource_groups": lambda: one("resource_groups", service.list_resource_groups),
            "role_assignments": lambda: one("role_assignments", roles),
        }
        await asyncio.gather(*(calls[kind]() for kind in kinds))

    def prefetch_secrets(self, vault: Vault) -> None:
        self._prefetch_queue.put_nowait(vault)
        if not self._prefetching:
            self._prefetching = True
            self._prefetch()

    @work(group="prefetch", exit_on_error=False)
    async def _prefetch(self) -> None:
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

    @work(group="secrets", exclusive=True, exit_on_error=False)
    async def load_secrets(self, vault: Vault) -> None:
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
        try:
            async for page in self._service.iter_secret_pages(uri):
                seen += len(page)
                self.post_message(SecretsPage(uri, page, done=False, background=cap is not None))
                if cap is not None and uri not in self._full_listing:
                    if seen >= cap:
                        return  # the rest is listed when the vault is opened
                    await self._opened_idle.wait()  # the vault the user opened goes first
            self.post_message(SecretsPage(uri, [], done=True))
        except ConsoleError as exc:
            self.post_message(SecretsPage(uri, [], done=True, error=exc))
        finally:
            self._secret_loads.discard(uri)
            if uri in self._opened_loading:
                self._opened_done(uri)

    @work(group="directory", exclusive=True, exit_on_error=False)
    async def resolve_directory(self, object_ids: list[str]) -> None:
        try:
            objects = await self._service.resolve_principals(object_ids)
        except ConsoleError as exc:
            self.post_message(DirectoryResolved({}, exc))
            return
        self.post_message(DirectoryResolved(objects))

    def on_directory_resolved(self, message: DirectoryResolved) -> None:
        # Without a directory answer (no Graph permission) nobody is called orphaned.
        self.catalog.directory = dict(message.objects)
        self.catalog.directory_checked = message.error is None
        self.catalog._inventory = None
        self._refresh_tree()
        self.show_list(self.ref, keep_focus=True)

    @work(group="roles", exclusive=True, exit_on_error=False)
    async def load_vault_roles(self, vault: Vault) -> None:
        try:
            items = await self._service.list_role_assignments(vault.id)
        except ConsoleError as exc:
            self.post_message(VaultRolesLoaded(vault.id, [], exc))
            return
        self.post_message(VaultRolesLoaded(vault.id, items))

    # ---- handlers (own the state) -----------------------------------------------------
    def on_kind_loaded(self, message: KindLoaded) -> None:
        sub, kind = message.subscription_id, message.kind
        if sub not in self.catalog.subscriptions:
            return  # a refresh or a subscription change made this stale
        if message.error is not None:
            self.catalog.errors[(sub, kind)] = message.error
        self.catalog.add(sub, kind, message.items)
        if kind == "vaults":
            for vault in message.items:
                self.prefetch_secrets(vault)
        if message.done:
            self.pending.discard((sub, kind))
            if not self.pending:
                self.resolve_directory(sorted(self.catalog.principal_ids()))
        if kind in (self.ref.list_kind, "role_assignments") or self.ref.kind == "principals":
            self._list_stale = True
        # The last answer is shown at once; the others join the next coalesced update (a
        # tenant of 20 subscriptions sends 60 "done"s, each flush re-counts the whole tree).
        self._flush(now=message.done and not self.pending)

    def on_secrets_page(self, message: SecretsPage) -> None:
        listing = self.catalog.listing(message.vault_uri)
        if message.error is not None:
            listing.error = message.error
        listing.done = message.done and message.error is None or listing.done
        listing.items.update({p.name: p for p in message.items})
        if message.done and self.ref.list_kind in ("vaults", "pinned"):
            self._list_stale = True
        self._flush()  # coalesced: prefetching a thousand vaults ends a thousand listings

    # ---- coalesced updates: a burst of pages is shown at most every FLUSH_EVERY -------
    def _flush(self, now: bool = False) -> None:
        wait = FLUSH_EVERY - (time.monotonic() - self._flushed)
        if now or wait <= 0:
            self._do_flush()
        elif self._flush_timer is None:
            self._flush_timer = self.set_timer(wait, self._do_flush)

    def _do_flush(self) -> None:
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        self._flushed = time.monotonic()
        self._refresh_tree()
        self._update_progress()
        if self._list_stale:
            self._list_stale = False
            self.show_list(self.ref, keep_focus=True)
        detail = self._vault_detail()
        if detail is not None and detail.vault is not None:
            listing = self.catalog.listing(detail.vault.uri)
            table = detail.query_one("#secrets", VirtualList)
            # The table holds the listing's first rows, in order: add the ones that came since.
            new = list(islice(listing.items.values(), table.row_count, None))
            if new or listing.done or listing.error is not None:
                detail.show_secrets(listing, new=new)
        settle_gc()

    def _vault_detail(self) -> VaultDetail | None:
        found = self.query("#vault-detail")  # mounted just after the first paint
        return found.first(VaultDetail) if found else None

    def on_vault_roles_loaded(self, message: VaultRolesLoaded) -> None:
        detail = self.query_one("#vault-detail", VaultDetail)
        if message.error is not None:
            if detail.vault and detail.vault.id == message.vault_id:
                detail.show_access_error(message.error)
            return
        self.catalog.vault_roles[message.vault_id.lower()] = message.items
        self.catalog._inventory = None
        if detail.vault and detail.vault.id == message.vault_id:
            detail.show_access(self.catalog)

    def on_load_progress(self, message: LoadProgress) -> None:
        self._update_progress()

    def _update_progress(self) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.display = bool(self.pending)

    def _refresh_tree(self) -> None:
        self.query_one("#nav", NavTree).refresh_counts(self.catalog, self.pending)

    # ---- the list pane ----------------------------------------------------------------
    @on(Tree.NodeHighlighted, "#nav")
    def _node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        if event.node.data is not None:
            self.show_list(event.node.data, keep_focus=True)

    @on(Tree.NodeSelected, "#nav")
    def _node_selected(self, event: Tree.NodeSelected) -> None:
        if event.node.data is not None:
            self.show_list(event.node.data, keep_focus=True)
            if event.node.data.kind in ("vaults", "logic_apps", "identities", "principals"):
                self.query_one("#items", VirtualList).focus()

    def _items_for(self, ref: NodeRef) -> tuple[list[Row], str]:
        catalog = self.catalog
        kind = ref.list_kind
        rg = (
            ref.resource_group if ref.kind in ("vaults", "logic_apps", "identities", "rg") else None
        )
        if kind == "pinned":
            vaults = [catalog.pinned[u] for u in catalog.pinned if ref.uri in (None, u)]
            return [self._vault_row(v) for v in vaults], "Pinned vaults"
        if kind == "vaults":
            vaults = catalog.in_scope("vaults", ref.subscription_id, rg)
            return [self._vault_row(v) for v in vaults], "Key Vaults"
        if kind == "logic_apps":
            apps = catalog.in_scope("logic_apps", ref.subscription_id, rg)
            return [self._logic_row(a) for a in apps], "Logic Apps"
        entries = catalog.inventory()
        if kind == "identities":
            ids = {
                i.principal_id.lower()
                for i in catalog.in_scope("identities", ref.subscription_id, rg)
            }
            ids |= {a.identity.principal_id.lower()
                    for a in catalog.in_scope("logic_apps", ref.subscription_id, rg)
                    if a.identity.principal_id}  # fmt: skip
            entries = [e for e in entries if e.object_id.lower() in ids]
            title = "Identities"
        else:
            title = "Principals (everyone seen in this tenant)"
        rows = [
            Row(
                e.object_id,
                (e.label, e.kind + (" · orphaned" if e.orphaned else ""), str(len(e.grants))),
                "warning" if e.orphaned else "",
            )  # fmt: skip
            for e in entries
        ]
        return rows, title

    def _vault_row(self, vault: Vault) -> Row:
        listing = self.catalog.secrets.get(vault.uri.rstrip("/").lower())
        if listing is None:
            secrets, tone = "…", ""
        elif listing.error is not None:
            secrets, tone = f"⚠ {listing.error.title}", "error"
        else:
            n = len(listing.items)
            secrets, tone = (str(n) if listing.done else f"{n}+"), ""
        access = "RBAC" if vault.rbac_authorization else "policies"
        firewall = "—" if vault.pinned else vault.network.default_action
        return Row(vault.uri, (vault.name, access, firewall, secrets), tone)

    def _logic_row(self, app) -> Row:
        from console.definition import find_keyvault_actions

        actions = find_keyvault_actions(app.definition, app.parameters, self.catalog.vault_uris())
        return Row(app.id, (app.name, app.state, app.identity.type, str(len(actions))))

    def show_list(self, ref: NodeRef, *, keep_focus: bool = False) -> None:
        changed = ref != self.ref
        self.ref = ref
        items = self.query_one("#items", VirtualList)
        rows, title = self._items_for(ref)
        columns = COLUMNS[ref.list_kind if ref.list_kind in COLUMNS else "vaults"]
        if items.columns != columns:
            items.columns = columns
        if changed:  # emptied first: clearing the filter then announces no stale row
            items.clear()
            self.query_one("#filter", Input).value = ""
            items.set_filter("", announce=False)
        scope = self._scope_label(ref)
        heading = Text.assemble((f"{title} ({len(rows)})", "bold"), (f"  {scope}", "dim"))
        heading.no_wrap, heading.overflow = True, "ellipsis"
        self.query_one("#list-title", Static).update(heading)
        empty = "Loading…" if self._is_loading(ref) else f"No {title.lower()} here."
        items.set_rows(rows, empty)
        self._show_list_status(ref)
        if changed:
            key = items.highlighted_key
            if key is None:
                self.query_one("#detail", ContentSwitcher).current = "detail-empty"
            else:
                self.show_detail(key)

    def _scope_label(self, ref: NodeRef) -> str:
        parts = []
        if ref.subscription_id and ref.subscription_id in self.catalog.subscriptions:
            parts.append(self.catalog.subscriptions[ref.subscription_id].display_name)
        if ref.resource_group:
            parts.append(ref.resource_group)
        return " / ".join(parts)

    def _is_loading(self, ref: NodeRef) -> bool:
        return any(
            ref.subscription_id in (None, s) and k in (ref.list_kind, "role_assignments")
            for s, k in self.pending
        )

    def _show_list_status(self, ref: NodeRef) -> None:
        status = self.query_one("#list-status", Static)
        kinds = {
            "vaults": ("vaults",),
            "logic_apps": ("logic_apps",),
            "identities": ("identities", "logic_apps"),
            "principals": ("identities", "logic_apps", "role_assignments", "vaults"),
        }
        errors = [
            (s, k, e)
            for (s, k), e in self.catalog.errors.items()
            if k in kinds.get(ref.list_kind, ()) and ref.subscription_id in (None, s)
        ]
        if not errors:
            status.update("")
            status.display = False
            return
        text = Text()
        for sub, kind, error in errors:
            name = self.catalog.subscriptions.get(sub)
            what = f"{KIND_TITLES.get(kind, kind)} in {name.display_name if name else sub}"
            text.append_text(error_text(error, what))
            text.append("\n")
        status.update(text)
        status.display = True

    def action_focus_filter(self) -> None:
        focused = self.focused
        in_vault = focused is not None and any(
            a.id == "vault-detail" for a in focused.ancestors_with_self
        )
        self.query_one("#secret-filter" if in_vault else "#filter", Input).focus()

    def action_tab(self, tab: str) -> None:
        if self.query_one("#detail", ContentSwitcher).current != "vault-detail":
            return
        self.query_one("#vault-tabs", TabbedContent).active = tab
        # Focus moves into the tab: TabbedContent follows focus, and would switch back.
        target = {"tab-secrets": "#secrets", "tab-access": "#access"}.get(tab)
        if target:
            self.query_one(target).focus()
        else:
            self.query_one(f"#{tab} VerticalScroll").focus()

    # ---- details ----------------------------------------------------------------------
    @on(VirtualList.Highlighted, "#items")
    def _item_highlighted(self, event: VirtualList.Highlighted) -> None:
        self.show_detail(event.row.key)

    @on(VirtualList.Selected, "#items")
    def _item_selected(self, event: VirtualList.Selected) -> None:
        self.show_detail(event.row.key)
        if self.ref.list_kind in ("vaults", "pinned"):
            self.query_one("#secrets", VirtualList).focus()

    def show_detail(self, key: str) -> None:
        switcher = self.query_one("#detail", ContentSwitcher)
        kind = self.ref.list_kind
        if kind in ("vaults", "pinned"):
            vault = self.catalog.vault_by_uri(key)
            if vault is None:
                return
            detail = self.query_one("#vault-detail", VaultDetail)
            switcher.current = "vault-detail"
            if detail.vault != vault:
                detail.show(vault, self.catalog)
                listing = self.catalog.listing(vault.uri)
                if not listing.done and listing.error is None:
                    self.load_secrets(vault)
                if vault.rbac_authorization and vault.id.lower() not in self.catalog.vault_roles:
                    self.load_vault_roles(vault)
        elif kind == "logic_apps":
            app = self.catalog.logic_apps.get(key.lower())
            if app is None:
                return
            switcher.current = "logic-detail"
            self.query_one("#logic-body", Static).update(logic_app_text(app, self.catalog))
        else:
            entry = next((e for e in self.catalog.inventory() if e.object_id == key), None)
            if entry is None:
                return
            switcher.current = "identity-detail"
            self.query_one("#identity-body", Static).update(identity_text(entry))

    @on(VirtualList.Selected, "#secrets")
    def _secret_selected(self, event: VirtualList.Selected) -> None:
        vault = self.query_one("#vault-detail", VaultDetail).vault
        if vault is None:
            return
        props = self.catalog.listing(vault.uri).items.get(event.row.key)
        if props is not None:
            from screens.secret import SecretScreen

            self.app.push_screen(SecretScreen(self._service, vault, props))

    # ---- jumping (quick lookup) -------------------------------------------------------
    def jump(self, kind: str, key: str) -> None:
        nav = self.query_one("#nav", NavTree)
        if kind in ("vault", "secret"):
            uri, _, secret = key.partition("|")
            vault = self.catalog.vault_by_uri(uri)
            if vault is None:
                return
            if vault.pinned:
                ref = NodeRef("pinned")
            else:
                ref = NodeRef("vaults", vault.subscription_id, vault.resource_group.lower())
            self._select_node(nav, ref)
            self.show_list(ref)
            items = self.query_one("#items", VirtualList)
            items.select_key(vault.uri, post=False)
            self.show_detail(vault.uri)
            self.query_one("#vault-tabs", TabbedContent).active = "tab-secrets"
            if kind == "secret":
                props = self.catalog.listing(vault.uri).items.get(secret)
                self.query_one("#secrets", VirtualList).select_key(secret, post=False)
                if props is not None:
                    from screens.secret import SecretScreen

                    self.app.push_screen(SecretScreen(self._service, vault, props))
            else:
                items.focus()
        elif kind == "logic_app":
            app = self.catalog.logic_apps.get(key.lower())
            if app is None:
                return
            ref = NodeRef("logic_apps", app.subscription_id, app.resource_group.lower())
            self._select_node(nav, ref)
            self.show_list(ref)
            items = self.query_one("#items", VirtualList)
            items.select_key(app.id, post=False)
            self.show_detail(app.id)
            items.focus()

    def _select_node(self, nav: NavTree, ref: NodeRef) -> None:
        node = nav.node_for(ref)
        if node is None:
            return
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        self.ref = ref  # so the highlight below does not reset the list
        nav.move_cursor(node)

    # ---- the access check -------------------------------------------------------------
    def _selected_logic_app_and_vault(self) -> tuple[Any, Vault | None]:
        """The Logic App to check: the one selected, or the first that uses the selected vault."""
        from console.diagnosis import vaults_used_by

        key = self.query_one("#items", VirtualList).highlighted_key
        kind = self.ref.list_kind
        if kind == "logic_apps" and key:
            return self.catalog.logic_apps.get(key.lower()), None
        if kind in ("vaults", "pinned") and key:
            vault = self.catalog.vault_by_uri(key)
            if vault is None:
                return None, None
            users = [a for a in self.catalog.logic_apps.values()
                     if vault in vaults_used_by(a, [vault])]  # fmt: skip
            return (users[0] if users else None), vault
        return None, None

    def action_access_check(self) -> None:
        from screens.access_check import AccessCheckScreen

        if self.service is None:
            self.notify("Not signed in yet.", severity="warning")
            return
        logic_app, vault = self._selected_logic_app_and_vault()
        if logic_app is None:
            self.notify(
                "Select a Logic App (or a vault a Logic App uses) to check its access.",
                severity="warning",
            )
            return
        vaults = [*self.catalog.vaults.values(), *self.catalog.pinned.values()]
        self.app.push_screen(AccessCheckScreen(self.service, logic_app, vaults, vault=vault))

    # ---- wizards -------------------------------------------------------------------------
    def wizard_prefill(self) -> dict[str, str]:
        """What is selected, as the wizards' prefill (Logic App, vault, secret)."""
        from console.diagnosis import vaults_used_by

        logic_app, vault = self._selected_logic_app_and_vault()
        if vault is None and self.ref.list_kind in ("vaults", "pinned"):
            key = self.query_one("#items", VirtualList).highlighted_key
            vault = self.catalog.vault_by_uri(key) if key else None
        if vault is None and logic_app is not None:
            used = vaults_used_by(logic_app, list(self.catalog.vaults.values()))
            vault = used[0] if used else None
        prefill: dict[str, str] = {}
        if logic_app is not None:
            prefill["logic_app_id"] = logic_app.id
        if vault is not None:
            prefill["vault_id"] = vault.id
            detail = self.query_one("#vault-detail", VaultDetail)
            if detail.vault == vault and self.query_one("#secrets", VirtualList).has_focus:
                secret = self.query_one("#secrets", VirtualList).highlighted_key
                if secret:
                    prefill["secret_name"] = secret
        return prefill

    def action_wizard(self, name: str, mode: str = "") -> None:
        from screens.wizards import open_wizard

        prefill: dict[str, str] = self.wizard_prefill()
        if name != "grant" and name != "setup":
            wanted = {"enable_identity": ("logic_app_id",), "firewall": ("vault_id",
                      "logic_app_id"), "secret": ("vault_id", "secret_name")}[name]  # fmt: skip
            prefill = {k: v for k, v in prefill.items() if k in wanted}
        if mode:
            prefill["mode"] = mode
        open_wizard(self.app, name, **prefill)

    def context_commands(self) -> list[tuple[str, str, object]]:
        out: list[tuple[str, str, object]] = []
        for name, title, key in (("enable_identity", "enable the managed identity", "i"),
                                 ("grant", "grant least-privilege access", "g"),
                                 ("firewall", "lock the vault firewall", "w"),
                                 ("secret", "create or edit a secret", "e"),
                                 ("setup", "first-time setup (identity → grant → firewall)",
                                  "S")):  # fmt: skip
            out.append((f"Wizard: {title}", f"Guided, previewed, undoable ({key})",
                        lambda n=name: self.action_wizard(n)))  # fmt: skip
        logic_app, _ = self._selected_logic_app_and_vault()
        if logic_app is not None:
            out.append((f"Access check: {logic_app.name}",
                        "Why can't this Logic App read its secret? (a)",
                        self.action_access_check))  # fmt: skip
        if self.query_one("#detail", ContentSwitcher).current == "vault-detail":
            for tab, title in (("tab-secrets", "Secrets"), ("tab-access", "Access"),
                               ("tab-network", "Networking"),
                               ("tab-properties", "Properties")):  # fmt: skip
                out.append((f"Vault: {title} tab", f"Show the vault's {title.lower()}",
                            lambda t=tab: self.action_tab(t)))  # fmt: skip
        out.append(("Filter the list", "Type to filter", self.action_focus_filter))
        return out
