"""Wizard 5: first-time setup for one Logic App and one vault — identity (1) → grant (2) →
firewall (3) → the secret, each previewed and confirmed, then a re-read and the access check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static

from console.diagnosis import check_access
from console.errors import ConsoleError, NotFoundError
from console.journal import JournalEntry
from console.masked import MaskedValue
from console.plans.base import SECRET_SET, Change, Plan, PlanResult
from console.plans.firewall import propose_firewall
from console.plans.grant import plan_grant, principal_for_logic_app
from console.plans.identity import plan_enable_identity
from console.plans.secret import SecretDraft, plan_set_secret
from console.validation import validate_secret_name, validate_secret_value
from screens.text import Plain
from screens.wizards.base import WizardContext, WizardScreen, find_by_id, selected
from screens.wizards.firewall import learn_client_address
from screens.wizards.secret_editor import MaskedEntry

STAGES = ("identity", "grant", "firewall", "secret")
STAGE_TITLES = {
    "identity": "1 · managed identity",
    "grant": "2 · secrets Get on the vault",
    "firewall": "3 · vault firewall",
    "secret": "4 · the secret",
}
_MARK = {"pass": "✓", "warn": "!", "fail": "✗", "skip": "·"}


@dataclass(frozen=True)
class SetupChoice:
    logic_app_id: str
    vault_id: str
    secret_name: str | None
    value: MaskedValue | None  # only used when the secret does not exist yet


class SummaryReady(Message):
    def __init__(self, lines: list[str], ok: bool) -> None:
        super().__init__()
        self.lines = lines
        self.ok = ok


class SetupWizard(WizardScreen):
    WIZARD_TITLE = "5 · First-time setup: Logic App → identity → grant → firewall → secret"

    def __init__(self, ctx: WizardContext, **prefill: Any) -> None:
        super().__init__(ctx, **prefill)
        self.choice: SetupChoice | None = None
        self.stage = -1
        self.stage_log: list[str] = []
        self.entries: list[JournalEntry] = []

    def compose_steps(self) -> ComposeResult:
        with Vertical(id="step-choose", classes="step"):
            yield Label("Logic App")
            yield Select([], prompt="Choose the Logic App", id="la")
            yield Static("", id="la-error", classes="field-error")
            yield Label("Vault")
            yield Select([], prompt="Choose the vault", id="vault")
            yield Static("", id="vault-error", classes="field-error")
            yield Label("Secret the Logic App reads (created if it does not exist)")
            yield Input(
                self.prefill.get("secret_name", ""), placeholder="e.g. db-password", id="name"
            )
            yield Static("", id="name-error", classes="field-error")
            yield MaskedEntry(
                placeholder="value, if the secret must be created (masked)", id="value"
            )
            yield Static("", id="value-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Start: step 1", id="next", variant="primary")
        with Vertical(id="step-summary", classes="step"):
            with VerticalScroll():
                yield Static("", id="summary-log")
                yield Static("", id="summary-check")
            with Horizontal(classes="buttons"):
                yield Button("Close", id="summary-close", variant="primary")

    def result_buttons(self) -> ComposeResult:
        yield Button("Next step", id="setup-next", variant="primary")
        yield Button("Undo everything applied so far", id="setup-undo-all", variant="error")

    def on_mount(self) -> None:
        self.query_one("#setup-next").display = False
        self.query_one("#setup-undo-all").display = False
        super().on_mount()

    def choices_ready(self) -> None:
        la = self.query_one("#la", Select)
        la.set_options((a.name, a.id) for a in self.logic_apps)
        if app := find_by_id(self.logic_apps, self.prefill.get("logic_app_id")):
            la.value = app.id
        vault = self.query_one("#vault", Select)
        vault.set_options((v.name, v.id) for v in self.vaults)
        if chosen := find_by_id(self.vaults, self.prefill.get("vault_id")):
            vault.value = chosen.id

    def remask(self) -> None:
        entry = self.query_one("#value", MaskedEntry)
        if entry.revealed:
            entry.set_revealed(False)

    # ---- the stages ---------------------------------------------------------------------
    def _collect(self) -> SetupChoice | None:
        la = selected(self.query_one("#la", Select))
        vault = selected(self.query_one("#vault", Select))
        name = self.query_one("#name", Input).value
        value = self.query_one("#value", MaskedEntry).value
        self.field_error("la", None if la else "Choose the Logic App.")
        self.field_error("vault", None if vault else "Choose the vault.")
        name_error = validate_secret_name(name) if name else None
        value_error = validate_secret_value(value) if value else None
        self.field_error("name", name_error)
        self.field_error("value", value_error)
        if not la or not vault or name_error or value_error:
            return None
        return SetupChoice(la, vault, name or None, MaskedValue(value) if value else None)

    def _factory(self, stage: str, c: SetupChoice):
        service = self.ctx.service

        async def make() -> tuple[Plan, Any]:
            app = await service.get_logic_app(c.logic_app_id)
            if stage == "identity":
                plan = plan_enable_identity(app)
                if plan.blocked:  # user-assigned: step 2 grants that identity instead
                    plan = Plan(plan.title, notes=(plan.blocked,), snapshot=plan.snapshot)
                return plan, None
            vault = await service.get_vault(c.vault_id)
            if stage == "grant":
                principal = principal_for_logic_app(app)
                if principal is None:
                    return Plan(f"Grant {app.name}", blocked="It has no managed identity."), None
                roles = (
                    await service.list_role_assignments(vault.id)
                    if vault.rbac_authorization
                    else []
                )
                return plan_grant(
                    vault, principal, "read", role_assignments=roles, secret_name=c.secret_name
                ), None
            if stage == "firewall":
                address = await learn_client_address(service, vault.uri)
                proposal = propose_firewall(
                    vault, app, admin_address=address, include_admin_address=address is not None
                )
                return proposal.plan, None
            title = f"Secret '{c.secret_name}' in {vault.name}"
            if c.secret_name is None:
                return Plan(title, notes=("No secret named: skipped.",)), None
            try:
                versions = await service.list_secret_versions(vault.uri, c.secret_name)
            except NotFoundError:
                versions = []
            if versions:
                return Plan(title, notes=(f"'{c.secret_name}' exists already: kept as is.",)), None
            if c.value is None:
                note = f"'{c.secret_name}' does not exist: create it with the secret editor."
                return Plan(title, notes=(note,)), None
            draft = SecretDraft(c.secret_name, c.value)
            return plan_set_secret(vault, draft, None), None

        return make

    def _run_stage(self, index: int) -> None:
        self.stage = index
        assert self.choice is not None  # the stages start once the choice step has set it
        if index >= len(STAGES):
            self.set_status("Re-reading everything and checking the access chain…")
            self._summary_worker(self.choice)
            return
        stage = STAGES[index]
        self.start_plan(self._factory(stage, self.choice), status=f"Step {STAGE_TITLES[stage]}…")

    def after_plan(self, plan: Plan, extra: Any) -> str | None:
        if plan.is_empty and not plan.blocked:
            self.stage_log.append(f"{STAGE_TITLES[STAGES[self.stage]]}: " + " ".join(plan.notes))
            self._run_stage(self.stage + 1)
            return self.step or "step-choose"
        self.set_status(f"Step {STAGE_TITLES[STAGES[self.stage]]}: review the plan.")
        return None

    def secret_value_for(self, plan: Plan) -> MaskedValue | None:
        if self.choice and any(c.kind == SECRET_SET for c in plan.changes):
            return self.choice.value
        return None

    def after_apply(self, plan: Plan, result: PlanResult) -> None:
        if self.entry is not None and not self._undoing:
            self.entries.append(self.entry)
        if not self._undoing:
            self.stage_log.append(f"{STAGE_TITLES[STAGES[self.stage]]}: {result.status}")
        self.query_one("#setup-next").display = result.ok and not self._undoing
        applied = [e for e in self.entries if e.applied_changes]
        self.query_one("#setup-undo-all").display = (
            bool(applied) and result.failed is not None and not self._undoing
        )

    def _undo_all(self) -> Plan | None:
        changes: list[Change] = []
        notes: list[str] = []
        snapshot: dict[str, Any] = {}
        for entry in reversed(self.entries):  # the last change is undone first
            plan = self.ctx.journal.undo_plan(entry)
            if plan is not None:
                changes += plan.changes
                notes += plan.notes
        # The drift check compares with the newest re-read of each resource: two steps on the
        # same vault (grant, then firewall) must leave the later step's snapshot, not the older.
        for entry in self.entries:
            snapshot.update(entry.verified)
        if not changes:
            return None
        return Plan("Undo the setup so far", tuple(changes), notes=tuple(notes), snapshot=snapshot)

    # ---- summary ------------------------------------------------------------------------
    @work(exclusive=True, exit_on_error=False, group="wizard-summary")
    async def _summary_worker(self, c: SetupChoice) -> None:
        service = self.ctx.service
        try:
            app = await service.get_logic_app(c.logic_app_id)
            vault = await service.get_vault(c.vault_id)
            roles = (
                await service.list_role_assignments(vault.id) if vault.rbac_authorization else []
            )
            secret, missing = None, False
            if c.secret_name:
                try:
                    versions = await service.list_secret_versions(vault.uri, c.secret_name)
                    secret, missing = (versions[0] if versions else None), not versions
                except NotFoundError:
                    missing = True
        except ConsoleError as exc:
            self.post_message(SummaryReady([f"Could not re-read: {exc.message}"], False))
            return
        report = check_access(
            app,
            vault,
            role_assignments=roles,
            secret_name=c.secret_name,
            secret=secret,
            secret_missing=missing,
        )
        lines = [
            f"Access check: {app.name} → {vault.name}"
            + (f" → {c.secret_name}" if c.secret_name else "")
        ]
        lines += [f"{_MARK.get(ch.status, '?')} {ch.title}: {ch.reason}" for ch in report.checks]
        self.post_message(SummaryReady(lines, report.ok))

    def on_summary_ready(self, message: SummaryReady) -> None:
        self.query_one("#summary-log", Static).update(Plain("\n".join(self.stage_log) + "\n"))
        style = "green" if message.ok else "yellow"
        self.query_one("#summary-check", Static).update(
            Plain("\n".join(message.lines), style=style)
        )
        self.set_status(
            "Setup done: re-read and checked."
            if message.ok
            else "Setup done; the access check still reports problems."
        )
        self.go("step-summary")

    # ---- buttons ------------------------------------------------------------------------
    async def on_wizard_button(self, event: Button.Pressed) -> None:
        button = event.button.id
        if button == "next":
            choice = self._collect()
            if choice is not None:
                self.choice, self.stage_log, self.entries = choice, [], []
                self._run_stage(0)
        elif button == "setup-next":
            self._run_stage(self.stage + 1)
        elif button == "setup-undo-all":
            plan = self._undo_all()
            if plan is not None:
                from screens.wizards.plan_preview import PlanPreview

                self.plan, self._undoing = plan, True
                await self.query_one(PlanPreview).show(plan, apply_label="Undo")
                self.go("step-preview")
        elif button == "summary-close":
            self.close()
