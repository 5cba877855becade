"""One secret: masked value, reveal with auto re-mask, copy with auto-clear, versions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Static

from console.errors import ConsoleError
from console.masked import MASK, MaskedValue
from console.models import Secret, SecretProperties, Vault
from screens.app_access import kv_app
from screens.text import Plain, kv_table, when, yes_no
from screens.widgets.details import error_text
from screens.widgets.virtual_list import Column, Row, VirtualList

VERSION_COLUMNS = [
    Column("Version"),
    Column("Enabled", 7),
    Column("Updated", 16),
    Column("Expires", 16),
]

if TYPE_CHECKING:
    from console.ports import VaultService


class SecretFetched(Message):
    def __init__(
        self,
        ticket: int,
        version: str | None,
        purpose: str,
        secret: Secret | None,
        error: ConsoleError | None = None,
    ) -> None:
        super().__init__()
        self.ticket = ticket  # which request this answers (stale ones are dropped)
        self.version = version
        self.purpose = purpose  # "reveal" | "copy"
        self.secret = secret
        self.error = error


class VersionsLoaded(Message):
    def __init__(self, versions: list[SecretProperties], error: ConsoleError | None) -> None:
        super().__init__()
        self.versions = versions
        self.error = error


class SecretScreen(Screen[None]):
    """The value is fetched only on reveal/copy and dropped when masked again."""

    BINDINGS = [
        Binding("r", "reveal", "Reveal / hide", id="secret.reveal"),
        Binding("c", "copy", "Copy value", id="secret.copy"),
        Binding("l", "latest", "Latest version", id="secret.latest"),
        Binding("escape", "back", "Back", id="secret.back"),
        Binding("a", "access_check", "Access check", id="secret.access_check"),
        Binding("e", "edit", "Edit", id="secret.edit"),
    ]

    def __init__(self, service: VaultService, vault: Vault, props: SecretProperties) -> None:
        super().__init__()
        self.service = service
        self.vault = vault
        self.props = props
        self.version: str | None = None  # None: the latest
        self.versions: dict[str, SecretProperties] = {}
        self._value: MaskedValue | None = None
        self._remask_timer: Timer | None = None
        # Every reveal/copy request gets a ticket; hiding the value (leaving, blur, another
        # version, r again) moves past it, so a slow answer arriving afterwards is dropped.
        self._ticket = 0
        self._pending: int | None = None

    @property
    def revealed(self) -> bool:
        return self._value is not None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="secret-pane"):
            yield Static(id="secret-title", classes="pane-title")
            with Horizontal(id="secret-value-row"):
                yield Static("Value", classes="dim label")
                yield Static(MASK, id="secret-value")
            yield Static(id="secret-hint", classes="dim")
            yield Static(id="secret-attributes")
            yield Static("Versions (enter: select, r: reveal the selected one)", classes="dim")
            yield VirtualList(VERSION_COLUMNS, empty_text="Loading versions…", id="versions")
        yield Footer()

    def on_mount(self) -> None:
        self._show_attributes(self.props)
        self._show_value()
        self.load_versions()

    # ---- showing ----------------------------------------------------------------------
    def _show_attributes(self, p: SecretProperties) -> None:
        title = Plain(p.name, style="bold")
        title.append(f"  in {self.vault.name}", style="dim")
        title.append(f"  version {self.version or 'latest'}", style="dim")
        self.query_one("#secret-title", Static).update(title)
        pairs = [
            ("Enabled", yes_no(p.enabled)),
            ("Content type", p.content_type or "—"),
            ("Created", when(p.created_on)),
            ("Updated", when(p.updated_on)),
            ("Not before", when(p.not_before)),
            ("Expires", when(p.expires_on)),
            ("Recovery level", p.recovery_level or "—"),
            *((f"tag {k}", v) for k, v in p.tags),
        ]
        self.query_one("#secret-attributes", Static).update(kv_table(pairs))

    def _show_value(self) -> None:
        widget = self.query_one("#secret-value", Static)
        hint = self.query_one("#secret-hint", Static)
        if self._value is None:
            widget.update(Plain(MASK))
            widget.remove_class("revealed")
            hint.update(Plain("Press r to reveal (hidden again automatically), c to copy."))
        else:
            widget.update(Plain(self._value.reveal()))
            widget.add_class("revealed")
            seconds = kv_app(self).settings.reveal_timeout
            hint.update(Plain(f"Visible for {seconds:g} s, or until you leave this view."))

    def remask(self, *, redraw: bool = True) -> None:
        """Hide the value and forget it (the next reveal fetches it again); a reveal or copy
        still on its way is cancelled: its answer will be dropped."""
        self._ticket += 1
        self._pending = None
        if self._remask_timer is not None:
            self._remask_timer.stop()
            self._remask_timer = None
        self._value = None
        if redraw and self.is_mounted:
            self._show_value()

    # ---- actions ----------------------------------------------------------------------
    def action_reveal(self) -> None:
        if self.revealed or self._pending is not None:
            self.remask()  # r again: hide, or cancel the reveal still on its way
        else:
            self._request("reveal")

    def action_copy(self) -> None:
        self._request("copy")

    def _request(self, purpose: str) -> None:
        self._ticket += 1
        self._pending = self._ticket
        self.fetch(self._ticket, self.version, purpose)

    def action_latest(self) -> None:
        self._select_version(None)

    def action_back(self) -> None:
        self.remask()
        self.dismiss(None)

    def _select_version(self, version: str | None) -> None:
        self.remask()
        self.version = version
        props = self.versions.get(version) if version else None
        self._show_attributes(props or self.props)

    # ---- workers ----------------------------------------------------------------------
    @work(exclusive=True, group="secret-value", exit_on_error=False)
    async def fetch(self, ticket: int, version: str | None, purpose: str) -> None:
        try:
            secret = await self.service.get_secret(self.vault.uri, self.props.name, version)
        except ConsoleError as exc:
            self.post_message(SecretFetched(ticket, version, purpose, None, exc))
            return
        self.post_message(SecretFetched(ticket, version, purpose, secret))

    @work(exclusive=True, group="secret-versions", exit_on_error=False)
    async def load_versions(self) -> None:
        try:
            versions = await self.service.list_secret_versions(self.vault.uri, self.props.name)
        except ConsoleError as exc:
            self.post_message(VersionsLoaded([], exc))
            return
        self.post_message(VersionsLoaded(versions, None))

    # ---- handlers ---------------------------------------------------------------------
    def on_secret_fetched(self, message: SecretFetched) -> None:
        if message.ticket != self._pending or message.version != self.version:
            return  # the reason for it is gone: hidden, left, blurred or another version
        self._pending = None
        if not self.is_active or not self.app.app_focus:
            return  # another screen on top or the terminal lost focus meanwhile
        if message.error is not None:
            self.query_one("#secret-hint", Static).update(error_text(message.error, "reading"))
            return
        assert message.secret is not None
        if message.purpose == "copy":
            kv_app(self).copy_secret(message.secret.value)
            return
        self._value = message.secret.value
        self._show_value()
        if self._remask_timer is not None:
            self._remask_timer.stop()
        self._remask_timer = self.set_timer(kv_app(self).settings.reveal_timeout, self.remask)

    def on_versions_loaded(self, message: VersionsLoaded) -> None:
        table = self.query_one("#versions", VirtualList)
        if message.error is not None:
            table.clear(f"⚠ {message.error.title}: {message.error.message}")
            return
        self.versions = {v.version: v for v in message.versions if v.version}
        table.set_rows(
            [
                Row(
                    v.version or "",
                    (v.version or "?", yes_no(v.enabled), when(v.updated_on), when(v.expires_on)),
                    "" if v.enabled else "dim",
                )
                for v in message.versions
            ],
            "No versions.",
        )

    @on(VirtualList.Selected, "#versions")
    def _version_selected(self, event: VirtualList.Selected) -> None:
        self._select_version(event.row.key)

    # Leaving the view (another screen on top, or this one closing) hides the value.
    def on_screen_suspend(self) -> None:
        self.remask()

    def on_unmount(self) -> None:
        self.remask(redraw=False)

    # ---- from a secret to the access check and the editor ---------------------------------
    def action_access_check(self) -> None:
        """Check the Logic Apps that read this secret (the first one; others from the list)."""
        from console.definition import find_keyvault_actions
        from screens.access_check import AccessCheckScreen

        catalog = kv_app(self).catalog
        readers = [
            app
            for app in catalog.logic_apps.values()
            if any(
                a.secret_name and a.secret_name.lower() == self.props.name.lower()
                for a in find_keyvault_actions(app.definition, app.parameters, [self.vault.uri])
            )
        ]
        if not readers:
            self.notify("No loaded Logic App reads this secret.", severity="warning")
            return
        vaults = [*catalog.vaults.values(), *catalog.pinned.values()]
        self.app.push_screen(
            AccessCheckScreen(
                self.service, readers[0], vaults, vault=self.vault, secret_name=self.props.name
            )
        )

    def action_edit(self) -> None:
        from screens.wizards import open_wizard

        open_wizard(self.app, "secret", vault_id=self.vault.id, secret_name=self.props.name)
