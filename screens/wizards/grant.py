"""Wizard 2: give a principal least-privilege access to a vault's secrets, then (opt-in) remove
over-privileged entries of that vault."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import (
    Button,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
    Static,
)

from console.errors import ConsoleError
from console.models import Permissions
from console.plans.base import Plan, PlanResult
from console.plans.grant import (
    OverPrivileged,
    PrincipalRef,
    plan_remove_over_privileged,
    principal_for_logic_app,
    review_over_privileged,
)
from console.validation import normalise_object_id, validate_object_id, validate_secret_name
from screens.text import Plain
from screens.wizards.base import WizardContext, WizardScreen, find_by_id, selected

if TYPE_CHECKING:
    from console.ports import VaultService

SECRET_PERMISSIONS = ("get", "list", "set", "delete", "backup", "restore", "recover", "purge")
KINDS = [
    ("Find out (directory look-up)", "detect"),
    ("Managed identity", "managed_identity"),
    ("Service principal (application)", "service_principal"),
    ("User account", "user"),
]


@dataclass(frozen=True)
class GrantChoice:
    logic_app_id: str | None
    object_id: str | None
    kind: str
    vault_id: str
    secret_name: str | None
    permissions: Permissions | str  # a preset name or custom permissions


class ReviewReady(Message):
    def __init__(
        self, vault_id: str, entries: list[OverPrivileged], names: dict[str, str], error: str | None
    ) -> None:
        super().__init__()
        self.vault_id = vault_id
        self.entries = entries
        self.names = names
        self.error = error


def _key(entry: OverPrivileged) -> str:
    return entry.object_id.lower() + "|" + (entry.assignment.id.lower() if entry.assignment else "")


async def _names(service: VaultService, ids: list[str]) -> dict[str, str]:
    try:
        found = await service.resolve_principals(ids)
    except ConsoleError:
        return {}
    return {oid: found[oid.lower()].display_name for oid in ids if oid.lower() in found}


class GrantWizard(WizardScreen):
    WIZARD_TITLE = "2 · Grant access to a vault's secrets (least privilege)"

    def __init__(self, ctx: WizardContext, **prefill: Any) -> None:
        super().__init__(ctx, **prefill)
        self.choice: GrantChoice | None = None
        self.review_entries: list[OverPrivileged] = []
        self.review_names: dict[str, str] = {}

    # ---- form ---------------------------------------------------------------------------
    def compose_steps(self) -> ComposeResult:
        with Vertical(id="step-choose", classes="step"):
            yield Label("Who needs access? A Logic App's identity…")
            yield Select([], prompt="Choose a Logic App", id="la")
            yield Label("…or any identity by its object id")
            yield Input(placeholder="object id (GUID)", id="oid")
            yield Select(KINDS, value="detect", allow_blank=False, id="kind")
            yield Static("", id="principal-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Enable its identity first", id="to-identity")
                yield Button("Next: vault", id="next", variant="primary")
        with Vertical(id="step-vault", classes="step"):
            yield Label("Vault")
            yield Select([], prompt="Choose a vault", id="vault")
            yield Static("", id="vault-error", classes="field-error")
            yield Label("Secret (optional: on an RBAC vault the role is given on this secret only)")
            yield Input(placeholder="secret name, e.g. db-password", id="secret")
            yield Static("", id="secret-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Back", id="back-choose")
                yield Button("Next: permissions", id="next-vault", variant="primary")
        with Vertical(id="step-perms", classes="step"):
            yield Label("Permissions")
            with RadioSet(id="preset"):
                yield RadioButton("Read a secret: secrets Get only (recommended)", id="preset-read")
                yield RadioButton("Rotate: secrets Get, List, Set", id="preset-rotate")
                yield RadioButton(
                    "Custom (each permission beyond Get is confirmed)", id="preset-custom"
                )
            yield SelectionList[str](
                *((name, name, name == "get") for name in SECRET_PERMISSIONS), id="custom"
            )
            yield Static("", id="perm-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Back", id="back-vault")
                yield Button("Next: preview", id="next-perms", variant="primary")
        with Vertical(id="step-review", classes="step"):
            yield Static("", id="review-text")
            yield SelectionList[str](id="review-list")
            yield Static("", id="review-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Preview removal", id="review-next", variant="warning")
                yield Button("Keep them and close", id="review-skip")

    def result_buttons(self) -> ComposeResult:
        yield Button("Review other entries of this vault", id="review", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#review").display = False
        self.query_one("#to-identity").display = False
        preset = self.prefill.get("preset", "read")
        self.query_one(f"#preset-{preset}", RadioButton).value = True
        self.query_one("#custom").display = preset == "custom"
        if self.prefill.get("principal_id"):
            self.query_one("#oid", Input).value = self.prefill["principal_id"]
        if self.prefill.get("secret_name"):
            self.query_one("#secret", Input).value = self.prefill["secret_name"]
        super().on_mount()

    def choices_ready(self) -> None:
        la = self.query_one("#la", Select)
        la.set_options((f"{a.name}  ·  {a.identity.type}", a.id) for a in self.logic_apps)
        if app := find_by_id(self.logic_apps, self.prefill.get("logic_app_id")):
            la.value = app.id
        vault = self.query_one("#vault", Select)
        vault.set_options(
            (f"{v.name}  ·  {'RBAC' if v.rbac_authorization else 'access policies'}", v.id)
            for v in self.vaults
        )
        if chosen := find_by_id(self.vaults, self.prefill.get("vault_id")):
            vault.value = chosen.id

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.query_one("#custom").display = event.pressed.id == "preset-custom"
        self.field_error("perm", None)

    def _principal(self) -> tuple[str | None, str | None] | None:
        la = selected(self.query_one("#la", Select))
        oid = self.query_one("#oid", Input).value.strip()
        self.query_one("#to-identity").display = False
        if la and oid:
            self.field_error("principal", "Choose a Logic App or type an object id, not both.")
            return None
        if la:
            app = find_by_id(self.logic_apps, la)
            if app is not None and principal_for_logic_app(app) is None:
                self.field_error(
                    "principal",
                    f"{app.name} has no managed identity yet: enable it first (wizard 1).",
                )
                self.query_one("#to-identity").display = True
                return None
            self.field_error("principal", None)
            return la, None
        if error := validate_object_id(oid):
            self.field_error("principal", "Choose a Logic App, or: " + error)
            return None
        self.field_error("principal", None)
        return None, normalise_object_id(oid)

    def _vault(self) -> tuple[str, str | None] | None:
        vault = selected(self.query_one("#vault", Select))
        secret = self.query_one("#secret", Input).value
        ok = True
        self.field_error("vault", None if vault else "Choose the vault.")
        ok = ok and bool(vault)
        error = validate_secret_name(secret) if secret.strip() or secret else None
        self.field_error("secret", error)
        if not vault or error:
            return None
        return vault, secret or None

    def _permissions(self) -> Permissions | str | None:
        pressed = self.query_one("#preset", RadioSet).pressed_button
        if pressed is None or pressed.id == "preset-read":
            return "read"
        if pressed.id == "preset-rotate":
            return "rotate"
        chosen = tuple(self.query_one("#custom", SelectionList).selected)
        if not chosen:
            self.field_error("perm", "Choose at least one permission (the usual one is get).")
            return None
        self.field_error("perm", None)
        return Permissions(secrets=chosen)

    def _collect(self) -> GrantChoice | None:
        principal, vault, perms = self._principal(), self._vault(), self._permissions()
        if principal is None:
            self.go("step-choose")
            return None
        if vault is None:
            self.go("step-vault")
            return None
        if perms is None:
            return None
        kind = selected(self.query_one("#kind", Select)) or "detect"
        return GrantChoice(principal[0], principal[1], kind, vault[0], vault[1], perms)

    # ---- plan ---------------------------------------------------------------------------
    def _factory(self, choice: GrantChoice):
        service = self.ctx.service

        async def make() -> tuple[Plan, Any]:
            vault = await service.get_vault(choice.vault_id)
            if choice.logic_app_id:
                app = await service.get_logic_app(choice.logic_app_id)
                principal = principal_for_logic_app(app)
                if principal is None:
                    return Plan(
                        f"Grant {app.name} access to vault {vault.name}",
                        blocked=f"{app.name} has no managed identity: enable it first.",
                    ), vault
            else:
                oid = choice.object_id or ""
                principal = PrincipalRef(
                    oid, oid, "unknown" if choice.kind == "detect" else choice.kind
                )
                if choice.kind == "detect":
                    try:
                        found = (await service.resolve_principals([oid])).get(oid.lower())
                    except ConsoleError:
                        found = None
                    if found is not None:
                        principal = PrincipalRef(oid, found.display_name, found.kind)
            assignments = (
                await service.list_role_assignments(vault.id) if vault.rbac_authorization else []
            )
            from console.plans.grant import plan_grant

            plan = plan_grant(
                vault,
                principal,
                choice.permissions,
                role_assignments=assignments,
                secret_name=choice.secret_name,
            )
            return plan, vault

        return make

    def _review_factory(self, vault_id: str, keys: set[str], names: dict[str, str]):
        service, keep = self.ctx.service, self.ctx.who_id

        async def make() -> tuple[Plan, Any]:
            vault = await service.get_vault(vault_id)
            assignments = (
                await service.list_role_assignments(vault.id) if vault.rbac_authorization else []
            )
            entries = review_over_privileged(vault, keep, assignments)
            chosen = [e for e in entries if _key(e) in keys]
            return plan_remove_over_privileged(vault, chosen, names, assignments), vault

        return make

    async def verify(self, plan: Plan, result: PlanResult, state: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        for key, snap in state.items():
            kind = key.split(":", 1)[0]
            if kind == "vault":
                lines.append(f"Vault {snap['name']}: access policies")
                for oid, perms in snap["access_policies"].items():
                    shown = "; ".join(f"{k} {', '.join(v)}" for k, v in perms.items())
                    lines.append(f"  {oid}: {shown or '(none)'}")
            elif kind == "role_assignments":
                lines.append("Role assignments:")
                lines += [
                    f"  {a['role']} → {a['principal_id']} at {a['scope']}" for a in snap.values()
                ]
        return lines

    def after_apply(self, plan: Plan, result: PlanResult) -> None:
        is_grant = self.choice is not None and plan.title.startswith("Grant")
        self.query_one("#review").display = result.ok and is_grant and not self._undoing

    # ---- review of over-privileged entries ---------------------------------------------
    @work(exclusive=True, exit_on_error=False, group="wizard-review")
    async def _review_worker(self, vault_id: str) -> None:
        service = self.ctx.service
        try:
            vault = await service.get_vault(vault_id)
            assignments = (
                await service.list_role_assignments(vault.id) if vault.rbac_authorization else []
            )
        except ConsoleError as exc:
            self.post_message(ReviewReady(vault_id, [], {}, exc.message))
            return
        entries = review_over_privileged(vault, self.ctx.who_id, assignments)
        names = await _names(service, sorted({e.object_id for e in entries}))
        self.post_message(ReviewReady(vault_id, entries, names, None))

    def on_review_ready(self, message: ReviewReady) -> None:
        if message.error:
            self.set_status(f"Could not read the vault: {message.error}", error=True)
            return
        self.review_entries, self.review_names = message.entries, message.names
        listing = self.query_one("#review-list", SelectionList)
        listing.clear_options()
        listing.add_options(
            (Plain(f"{message.names.get(e.object_id, e.object_id)}: {e.description}"), _key(e))
            for e in message.entries
        )
        text = (
            "These entries can do more than read secrets. Tick the ones to remove (nothing is "
            "removed unless you tick it and confirm). Your own access is not listed."
            if message.entries
            else "No other entry of this vault has more than read access."
        )
        self.query_one("#review-text", Static).update(Plain(text))
        self.query_one("#review-next").display = bool(message.entries)
        self.set_status("Review of over-privileged entries (optional).")
        self.go("step-review")

    # ---- buttons ------------------------------------------------------------------------
    async def on_wizard_button(self, event: Button.Pressed) -> None:
        button = event.button.id
        if button == "next":
            if self._principal() is not None:
                self.go("step-vault")
        elif button == "next-vault":
            if self._vault() is not None:
                self.go("step-perms")
        elif button == "back-choose":
            self.go("step-choose")
        elif button == "back-vault":
            self.go("step-vault")
        elif button == "next-perms":
            choice = self._collect()
            if choice is not None:
                self.choice = choice
                self.start_plan(self._factory(choice))
        elif button == "to-identity":
            self.open_next("enable_identity", logic_app_id=selected(self.query_one("#la", Select)))
        elif button == "review" and self.choice is not None:
            self.set_status("Reading the vault's entries…")
            self._review_worker(self.choice.vault_id)
        elif button == "review-next" and self.choice is not None:
            keys = set(self.query_one("#review-list", SelectionList).selected)
            if not keys:
                self.field_error("review", "Tick the entries to remove, or keep them and close.")
                return
            self.field_error("review", None)
            factory = self._review_factory(self.choice.vault_id, keys, self.review_names)
            self.start_plan(factory)
        elif button == "review-skip":
            self.close()
