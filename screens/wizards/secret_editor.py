"""Wizard 4: the secret editor — create / new version (masked, from a file, multi-line),
attributes only, delete (soft), recover, purge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from console.errors import NotFoundError
from console.masked import MaskedValue
from console.models import SecretProperties, Vault
from console.plans.base import SECRET_SET, Plan, PlanResult
from console.plans.changes import (
    SecretDelete,
    SecretPurge,
    SecretRecover,
    SecretSet,
    SecretUpdate,
)
from console.plans.secret import (
    SecretDraft,
    draft_errors,
    plan_delete_secret,
    plan_purge_secret,
    plan_recover_secret,
    plan_set_secret,
    plan_update_secret,
)
from console.validation import (
    decode_secret_file,
    format_tags,
    parse_date,
    parse_tags,
    validate_secret_name,
)
from screens.text import Plain
from screens.widgets.secret_input import SecretInput
from screens.wizards.base import WizardContext, WizardScreen, find_by_id, selected

MODES = [
    ("Create the secret or add a new version", "new"),
    ("Change attributes only (value untouched)", "attributes"),
    ("Delete (soft delete: recoverable)", "delete"),
    ("Recover a deleted secret", "recover"),
    ("Purge a deleted secret (for good)", "purge"),
]
_VALUE_FIELDS = ("#value-row", "#file-row", "#value-label")
_ATTRIBUTE_FIELDS = ("#attributes",)


class MaskedEntry(SecretInput):
    """The TUI's SecretInput (fixed-width mask, no copy or cut) plus: a reveal toggle, and
    pasted text kept whole (multi-line values: newlines are not cut off)."""

    BINDINGS = [Binding("ctrl+o", "newline", "New line", id="secret.newline")]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.revealed = False

    def shown_text(self) -> Text:  # Input's own type; a Plain when revealed
        if self.revealed:
            return Plain(self.value.replace("\n", "⏎"), no_wrap=True, overflow="ignore", end="")
        return super().shown_text()

    @property
    def content_width(self) -> int:
        return len(self.shown_text()) + 1 if self.revealed else super().content_width

    def set_revealed(self, revealed: bool) -> None:
        self.revealed = revealed
        self.refresh(layout=True)

    def on_paste_text(self, event: events.Paste) -> None:
        if event.text:
            self.insert_text_at_cursor(event.text)
        event.stop()

    def action_newline(self) -> None:
        self.insert_text_at_cursor("\n")


class AttributesLoaded(Message):
    """The current attributes of a secret, read by a worker for the form."""

    def __init__(self, vault_id: str, name: str, current: SecretProperties | None) -> None:
        super().__init__()
        self.vault_id = vault_id
        self.name = name
        self.current = current


class SecretEditorWizard(WizardScreen):
    WIZARD_TITLE = "4 · Secret editor"
    BINDINGS = [Binding("f2", "toggle_reveal", "Reveal / hide", id="secret.reveal")]

    def __init__(self, ctx: WizardContext, **prefill: Any) -> None:
        super().__init__(ctx, **prefill)
        self.draft: SecretDraft | None = None
        self.attributes_of: tuple[str, str] | None = None  # (vault id, name) loaded into the form
        self.loaded_tags: tuple[tuple[str, str], ...] | None = None  # Azure's, as loaded

    def compose_steps(self) -> ComposeResult:
        with Vertical(id="step-choose", classes="step"):
            yield Select(MODES, value=self.prefill.get("mode", "new"), allow_blank=False, id="mode")
            yield Label("Vault")
            yield Select([], prompt="Choose a vault", id="vault")
            yield Static("", id="vault-error", classes="field-error")
            yield Label("Name")
            yield Input(
                self.prefill.get("secret_name", ""), placeholder="e.g. db-password", id="name"
            )
            yield Static("", id="name-error", classes="field-error")
            yield Label(
                "Value (masked; F2 reveals; paste keeps every line; ctrl+o adds a line)",
                id="value-label",
            )
            with Horizontal(id="value-row", classes="buttons"):
                yield MaskedEntry(placeholder="type or paste the value", id="value")
                yield Button("Reveal", id="reveal")
            with Horizontal(id="file-row", classes="buttons"):
                yield Input(placeholder="…or load it from a file: path", id="file")
                yield Button("Load", id="load")
            yield Static("", id="value-error", classes="field-error")
            with Vertical(id="attributes"):
                yield Input(placeholder="content type, e.g. text/plain", id="content_type")
                yield Static("", id="content_type-error", classes="field-error")
                yield Checkbox("Enabled", True, id="enabled")
                yield Input(
                    placeholder="activation date (ISO, UTC), e.g. 2026-01-31", id="not_before"
                )
                yield Static("", id="not_before-error", classes="field-error")
                yield Input(placeholder="expiry date (ISO, UTC), e.g. 2026-12-31", id="expires_on")
                yield Static("", id="expires_on-error", classes="field-error")
                yield Input(
                    placeholder=r"tags: name=value, …  (\, \= \n \s: comma, =, line, space)",
                    id="tags",
                )
                yield Static("", id="tags-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Load current attributes", id="load-attributes")
                yield Button("Next: preview", id="next", variant="primary")

    def on_mount(self) -> None:
        self._show_mode(self.prefill.get("mode", "new"))
        super().on_mount()

    def choices_ready(self) -> None:
        vault = self.query_one("#vault", Select)
        vault.set_options((v.name, v.id) for v in self.vaults)
        want = self.prefill.get("vault_id") or self.prefill.get("vault_uri")
        chosen = find_by_id(self.vaults, want) or next(
            (v for v in self.vaults if want and v.uri.rstrip("/") == want.rstrip("/")), None
        )
        if chosen is not None:
            vault.value = chosen.id

    def _show_mode(self, mode: str) -> None:
        for selector in _VALUE_FIELDS:
            self.query_one(selector).display = mode == "new"
        for selector in _ATTRIBUTE_FIELDS:
            self.query_one(selector).display = mode in ("new", "attributes")
        self.query_one("#load-attributes").display = mode == "attributes"

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "mode":
            self._show_mode(str(event.value))

    # ---- reveal (re-masked when leaving the form) ----------------------------------------
    def action_toggle_reveal(self) -> None:
        entry = self.query_one("#value", MaskedEntry)
        entry.set_revealed(not entry.revealed)
        self.query_one("#reveal", Button).label = "Hide" if entry.revealed else "Reveal"

    def remask(self) -> None:
        entry = self.query_one("#value", MaskedEntry)
        if entry.revealed:
            self.action_toggle_reveal()

    def go(self, step: str) -> None:
        if step != "step-choose":
            self.remask()
        super().go(step)

    # ---- collecting the form ------------------------------------------------------------
    def _vault(self) -> Vault | None:
        vault = find_by_id(self.vaults, selected(self.query_one("#vault", Select)))
        self.field_error("vault", None if vault else "Choose the vault.")
        return vault

    def _attributes(self) -> dict[str, Any] | None:
        errors: dict[str, str | None] = {}
        nbf, errors["not_before"] = parse_date(self.query_one("#not_before", Input).value)
        exp, errors["expires_on"] = parse_date(self.query_one("#expires_on", Input).value)
        typed_tags = self.query_one("#tags", Input).value
        if self.loaded_tags is not None and typed_tags == format_tags(self.loaded_tags):
            tags, errors["tags"] = self.loaded_tags, None  # untouched: exactly Azure's tags
        else:
            tags, errors["tags"] = parse_tags(typed_tags)
        for name, message in errors.items():
            self.field_error(name, message)
        if any(errors.values()):
            return None
        return {
            "content_type": self.query_one("#content_type", Input).value.strip() or None,
            "enabled": self.query_one("#enabled", Checkbox).value,
            "not_before": nbf,
            "expires_on": exp,
            "tags": tags,
        }

    def _draft(self) -> SecretDraft | None:
        vault, attrs = self._vault(), self._attributes()
        if attrs is None:
            return None
        draft = SecretDraft(
            name=self.query_one("#name", Input).value,
            value=MaskedValue(self.query_one("#value", MaskedEntry).value),
            **attrs,
        )
        errors = draft_errors(draft)
        for name in ("name", "value", "content_type", "tags"):
            self.field_error(name, errors.get(name))
        if "expires_on" in errors:
            self.field_error("expires_on", errors["expires_on"])
        return None if errors or vault is None else draft

    def _secret_name(self) -> str | None:
        name = self.query_one("#name", Input).value
        error = validate_secret_name(name)
        self.field_error("name", error)
        return None if error else name

    # ---- plans --------------------------------------------------------------------------
    async def _latest(self, vault: Vault, name: str) -> SecretProperties | None:
        try:
            versions = await self.ctx.service.list_secret_versions(vault.uri, name)
        except NotFoundError:
            return None
        return versions[0] if versions else None

    async def _deleted(self, vault: Vault, name: str):
        deleted = await self.ctx.service.list_deleted_secrets(vault.uri)
        return next((d for d in deleted if d.properties.name.lower() == name.lower()), None)

    def _factory(
        self,
        mode: str,
        vault_id: str,
        name: str,
        draft: SecretDraft | None,
        attrs: dict[str, Any] | None,
    ):
        service = self.ctx.service

        async def make() -> tuple[Plan, Any]:
            vault = await service.get_vault(vault_id)
            title = f"Secret '{name}' in {vault.name}"
            if mode == "new" and draft is not None:
                current = await self._latest(vault, name)
                deleted = await self._deleted(vault, name) if current is None else None
                return plan_set_secret(vault, draft, current, deleted), vault
            if mode in ("recover", "purge"):
                deleted = await self._deleted(vault, name)
                if deleted is None:
                    return Plan(title, blocked=f"No deleted secret named '{name}'."), vault
                build = plan_recover_secret if mode == "recover" else plan_purge_secret
                return build(vault, deleted), vault
            current = await self._latest(vault, name)
            if current is None:
                return Plan(title, blocked=f"There is no secret named '{name}' here."), vault
            if mode == "delete":
                return plan_delete_secret(vault, current), vault
            return plan_update_secret(vault, current, **(attrs or {})), vault

        return make

    def secret_value_for(self, plan: Plan) -> MaskedValue | None:
        if self.draft is not None and any(c.kind == SECRET_SET for c in plan.changes):
            return self.draft.value
        return None

    async def verify(self, plan: Plan, result: PlanResult, state: dict[str, Any]) -> list[str]:
        if not plan.changes:
            return []
        params = plan.changes[0].params
        if not isinstance(
            params, SecretSet | SecretUpdate | SecretDelete | SecretRecover | SecretPurge
        ):
            return []
        name = params.name
        current = await self._latest_by_uri(params.vault_uri, name)
        if current is None:
            deleted = await self.ctx.service.list_deleted_secrets(params.vault_uri)
            gone = any(d.properties.name.lower() == name.lower() for d in deleted)
            return [f"'{name}': {'deleted (recoverable)' if gone else 'does not exist'}"]
        tags = format_tags(current.tags) or "(none)"
        return [
            f"'{name}': version {current.version}, enabled {current.enabled}",
            f"  content type {current.content_type or '(none)'}; tags {tags}",
            f"  activation {current.not_before or '(none)'}",
            f"  expiry {current.expires_on or '(none)'}",
        ]

    async def _latest_by_uri(self, vault_uri: str, name: str) -> SecretProperties | None:
        try:
            versions = await self.ctx.service.list_secret_versions(vault_uri, name)
        except NotFoundError:
            return None
        return versions[0] if versions else None

    # ---- buttons ------------------------------------------------------------------------
    async def on_wizard_button(self, event: Button.Pressed) -> None:
        button = event.button.id
        mode = str(self.query_one("#mode", Select).value)
        if button == "reveal":
            self.action_toggle_reveal()
        elif button == "load":
            self._load_file()
        elif button == "load-attributes":
            vault, name = self._vault(), self._secret_name()
            if vault is not None and name is not None:
                self.run_worker(
                    self._fill_attributes(vault, name),
                    group="wizard-load",
                    exclusive=True,
                    exit_on_error=False,
                )
        elif button == "next":
            self._next(mode)

    def _next(self, mode: str) -> None:
        if mode == "new":
            draft = self._draft()
            if draft is None:
                self.set_status("Fix the fields marked in red: nothing was sent.", error=True)
                return
            self.draft = draft
            vault_id = selected(self.query_one("#vault", Select))
            self.start_plan(self._factory(mode, vault_id, draft.name, draft, None))
            return
        vault, name = self._vault(), self._secret_name()
        attrs = self._attributes() if mode == "attributes" else None
        if mode == "attributes" and vault and name and self.attributes_of != (vault.id, name):
            self.field_error(
                "name",
                "Load the current attributes first (nothing is cleared by "
                "accident), then change them.",
            )
            return
        if vault is None or name is None or (mode == "attributes" and attrs is None):
            self.set_status("Fix the fields marked in red: nothing was sent.", error=True)
            return
        self.start_plan(self._factory(mode, vault.id, name, None, attrs))

    def _load_file(self) -> None:
        path = Path(self.query_one("#file", Input).value.strip()).expanduser()
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.field_error("value", f"Cannot read {path}: {exc.strerror or 'error'}.")
            return
        text, error = decode_secret_file(data)
        if error or text is None:
            self.field_error("value", error)
            return
        self.query_one("#value", MaskedEntry).value = text
        self.field_error("value", None)
        self.set_status(f"Value loaded from {path.name} (masked).")

    async def _fill_attributes(self, vault: Vault, name: str) -> None:
        # Worker: read, then hand the result to the handler (workers never touch widgets).
        current = await self._latest(vault, name)
        self.post_message(AttributesLoaded(vault.id, name, current))

    def on_attributes_loaded(self, message: AttributesLoaded) -> None:
        current, name = message.current, message.name
        if current is None:
            self.field_error("name", f"There is no secret named '{name}' here.")
            return
        self.query_one("#content_type", Input).value = current.content_type or ""
        self.query_one("#enabled", Checkbox).value = current.enabled
        self.query_one("#not_before", Input).value = (
            current.not_before.isoformat() if current.not_before else ""
        )
        self.query_one("#expires_on", Input).value = (
            current.expires_on.isoformat() if current.expires_on else ""
        )
        self.loaded_tags = tuple(current.tags)
        self.query_one("#tags", Input).value = format_tags(current.tags)
        self.attributes_of = (message.vault_id, name)
