"""The multi-pane screen: navigation tree, a filtered list of the selected kind, details."""

from __future__ import annotations

import time
from collections.abc import Sequence
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
from console.kinds import ALL_KINDS, GRAPH_KINDS, ResourceKind
from console.loader import Loader, kinds_per_subscription, settle_gc, uses_resource_graph
from screens.app_access import kv_app
from screens.catalog import Catalog
from screens.messages import (
    DirectoryResolved,
    KindLoaded,
    SecretsPage,
    VaultRolesLoaded,
)
from screens.rows import COLUMNS, columns_for, errors_text, is_loading, items_for, scope_label
from screens.widgets.details import VaultDetail, identity_text, logic_app_text
from screens.widgets.filter_input import FilterInput
from screens.widgets.nav import NavTree, NodeRef
from screens.widgets.virtual_list import VirtualList

if TYPE_CHECKING:
    from console.models import LogicApp, SecretProperties, Subscription, Vault
    from console.ports import VaultService

FLUSH_EVERY = 0.1  # s: pages arriving faster are shown together (one list update, one repaint)


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
        self.loader = Loader(self)  # the screen is its sink: each answer becomes a message
        self._flushed = 0.0  # when the list and the secrets table were last updated
        self._flush_timer: Any = None
        self._list_stale = False  # the list pane waits for the next flush

    @property
    def catalog(self) -> Catalog:
        catalog: Catalog = getattr(self.app, "catalog")  # noqa: B009 (KvConsoleApp's)
        return catalog

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield NavTree(id="nav")
            with Vertical(id="list-pane"):
                yield Static("", id="list-title", classes="pane-title")
                yield FilterInput("#items", placeholder="Filter (type to filter)", id="filter")
                yield ProgressBar(total=None, show_eta=False, show_percentage=False, id="progress")
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

    @property
    def _service(self) -> VaultService:
        """The service, for the work that only starts once signed in (``start`` sets it)."""
        if self.service is None:
            raise RuntimeError("not signed in yet")
        return self.service

    # ---- starting and refreshing ------------------------------------------------------
    def start(
        self, service: VaultService, subscriptions: list[Subscription], tenant_label: str
    ) -> None:
        self.service = service
        self.workers.cancel_group(self, "load")
        self.workers.cancel_group(self, "prefetch")
        self.loader.restart(service)
        nav = self.query_one("#nav", NavTree)
        nav.set_tenant(tenant_label)
        chosen = kv_app(self).settings.subscriptions
        subs = [s for s in subscriptions if not chosen or s.subscription_id in chosen]
        graph = uses_resource_graph(len(subs))
        for sub in subs:
            self.catalog.subscriptions[sub.subscription_id] = sub
            nav.add_subscription(sub.subscription_id, sub.display_name)
            self.pending.update((sub.subscription_id, kind) for kind in ALL_KINDS)
            self.load_subscription(sub.subscription_id, kinds_per_subscription(graph))
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

    # ---- the loader's sink and workers (no widget access: they post messages) ------------
    def kind_loaded(
        self,
        subscription_id: str,
        kind: ResourceKind,
        items: list[Any],
        error: ConsoleError | None = None,
        done: bool = True,
    ) -> None:
        self.post_message(KindLoaded(subscription_id, kind, items, error, done))

    def secrets_page(
        self,
        vault_uri: str,
        items: list[SecretProperties],
        *,
        done: bool,
        error: ConsoleError | None = None,
        background: bool = False,
    ) -> None:
        self.post_message(
            SecretsPage(vault_uri, items, done=done, error=error, background=background)
        )

    @work(group="load", exit_on_error=False)
    async def load_inventory(self, subscription_ids: list[str]) -> None:
        """Many subscriptions through Resource Graph; without it, each one on its own."""
        if not await self.loader.load_inventory(subscription_ids):
            for sub in subscription_ids:  # the per-subscription lists say what is wrong
                self.load_subscription(sub, GRAPH_KINDS)

    @work(group="load", exit_on_error=False)
    async def load_subscription(
        self, subscription_id: str, kinds: Sequence[ResourceKind] = ALL_KINDS
    ) -> None:
        await self.loader.load_subscription(subscription_id, kinds)

    def prefetch_secrets(self, vault: Vault) -> None:
        if self.loader.queue_prefetch(vault):
            self._prefetch()

    @work(group="prefetch", exit_on_error=False)
    async def _prefetch(self) -> None:
        await self.loader.prefetch()

    @work(group="secrets", exclusive=True, exit_on_error=False)
    async def load_secrets(self, vault: Vault) -> None:
        await self.loader.open_vault(vault)

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
        self.show_list(self.ref)

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
            self.show_list(self.ref)
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

    def _update_progress(self) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.display = bool(self.pending)

    def _refresh_tree(self) -> None:
        self.query_one("#nav", NavTree).refresh_counts(self.catalog, self.pending)

    # ---- the list pane ----------------------------------------------------------------
    @on(Tree.NodeHighlighted, "#nav")
    def _node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        if event.node.data is not None:
            self.show_list(event.node.data)

    @on(Tree.NodeSelected, "#nav")
    def _node_selected(self, event: Tree.NodeSelected) -> None:
        if event.node.data is not None:
            self.show_list(event.node.data)
            if event.node.data.kind in ("vaults", "logic_apps", "identities", "principals"):
                self.query_one("#items", VirtualList).focus()

    def show_list(self, ref: NodeRef) -> None:
        changed = ref != self.ref
        self.ref = ref
        items = self.query_one("#items", VirtualList)
        rows, title = items_for(self.catalog, ref)
        columns = columns_for(ref)
        if items.columns != columns:
            items.columns = columns
        if changed:  # emptied first: clearing the filter then announces no stale row
            items.clear()
            self.query_one("#filter", Input).value = ""
            items.set_filter("", announce=False)
        scope = scope_label(self.catalog, ref)
        heading = Text.assemble((f"{title} ({len(rows)})", "bold"), (f"  {scope}", "dim"))
        heading.no_wrap, heading.overflow = True, "ellipsis"
        self.query_one("#list-title", Static).update(heading)
        empty = "Loading…" if is_loading(self.pending, ref) else f"No {title.lower()} here."
        items.set_rows(rows, empty)
        self._show_list_status(ref)
        if changed:
            key = items.highlighted_key
            if key is None:
                self.query_one("#detail", ContentSwitcher).current = "detail-empty"
            else:
                self.show_detail(key)

    def _show_list_status(self, ref: NodeRef) -> None:
        status = self.query_one("#list-status", Static)
        text = errors_text(self.catalog, ref)
        status.update(text or "")
        status.display = text is not None

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
            logic_app = self.catalog.logic_apps.get(key.lower())
            if logic_app is None:
                return
            switcher.current = "logic-detail"
            self.query_one("#logic-body", Static).update(logic_app_text(logic_app, self.catalog))
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
            logic_app = self.catalog.logic_apps.get(key.lower())
            if logic_app is None:
                return
            ref = NodeRef("logic_apps", logic_app.subscription_id, logic_app.resource_group.lower())
            self._select_node(nav, ref)
            self.show_list(ref)
            items = self.query_one("#items", VirtualList)
            items.select_key(logic_app.id, post=False)
            self.show_detail(logic_app.id)
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
    def _selected_logic_app_and_vault(self) -> tuple[LogicApp | None, Vault | None]:
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
            users = [
                a for a in self.catalog.logic_apps.values() if vault in vaults_used_by(a, [vault])
            ]
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
            wanted = {
                "enable_identity": ("logic_app_id",),
                "firewall": ("vault_id", "logic_app_id"),
                "secret": ("vault_id", "secret_name"),
            }[name]
            prefill = {k: v for k, v in prefill.items() if k in wanted}
        if mode:
            prefill["mode"] = mode
        open_wizard(self.app, name, **prefill)

    def context_commands(self) -> list[tuple[str, str, object]]:
        out: list[tuple[str, str, object]] = []
        wizards = (
            ("enable_identity", "enable the managed identity", "i"),
            ("grant", "grant least-privilege access", "g"),
            ("firewall", "lock the vault firewall", "w"),
            ("secret", "create or edit a secret", "e"),
            ("setup", "first-time setup (identity → grant → firewall)", "S"),
        )
        for name, title, key in wizards:
            run = lambda n=name: self.action_wizard(n)  # noqa: E731 (one per wizard)
            out.append((f"Wizard: {title}", f"Guided, previewed, undoable ({key})", run))
        logic_app, _ = self._selected_logic_app_and_vault()
        if logic_app is not None:
            why = "Why can't this Logic App read its secret? (a)"
            out.append((f"Access check: {logic_app.name}", why, self.action_access_check))
        if self.query_one("#detail", ContentSwitcher).current == "vault-detail":
            tabs = (
                ("tab-secrets", "Secrets"),
                ("tab-access", "Access"),
                ("tab-network", "Networking"),
                ("tab-properties", "Properties"),
            )
            for tab, title in tabs:
                show = lambda t=tab: self.action_tab(t)  # noqa: E731 (one per tab)
                out.append((f"Vault: {title} tab", f"Show the vault's {title.lower()}", show))
        out.append(("Filter the list", "Type to filter", self.action_focus_filter))
        return out
