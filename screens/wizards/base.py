"""What every wizard shares: the context (service, journal, who), the plan → preview → apply →
verify → journal → undo flow, and the messages its workers post.

A wizard subclass composes its form steps, turns the form into frozen choices (``collect``,
showing messages next to fields), and hands :meth:`WizardScreen.start_plan` an async factory
that re-reads what it needs and calls a pure plan builder from :mod:`console.plans`.
Workers never touch widgets: they post messages; the handlers here own the state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, ContentSwitcher, Footer, Select, Static
from textual.worker import Worker, WorkerState

from console.errors import ConsoleError
from console.journal import Journal, JournalEntry
from console.masked import MaskedValue
from console.models import LogicApp, Vault
from console.plans.apply import execute, read_current
from console.plans.base import Plan, PlanResult, safe_error_text
from console.plans.verify import differences
from screens.text import Plain
from screens.wizards.plan_preview import PlanPreview

if TYPE_CHECKING:
    from console.ports import VaultService

PlanFactory = Callable[[], Awaitable[tuple[Plan, Any]]]
READ_ONLY_MESSAGE = (
    "Read-only mode: nothing was sent. Restart kvconsole without --read-only to make changes."
)


@dataclass
class WizardContext:
    """What a wizard needs from the app; tests build one directly."""

    service: VaultService
    journal: Journal = field(default_factory=Journal)
    who: str = "unknown"
    who_id: str | None = None
    vaults: list[Vault] = field(default_factory=list)  # choices already loaded (may be empty)
    logic_apps: list[LogicApp] = field(default_factory=list)

    @property
    def read_only(self) -> bool:
        return bool(getattr(self.service, "read_only", False))

    @classmethod
    def from_app(cls, app: object) -> WizardContext | None:
        service = getattr(app, "service", None)
        if service is None:
            return None
        who = getattr(app, "who", None)
        catalog = getattr(app, "catalog", None)
        vaults = list(getattr(catalog, "vaults", {}).values()) if catalog else []
        apps = list(getattr(catalog, "logic_apps", {}).values()) if catalog else []
        return cls(
            service,
            Journal(),
            getattr(who, "display_name", None) or "unknown",
            getattr(who, "object_id", None),
            sorted(vaults, key=lambda v: v.name.lower()),
            sorted(apps, key=lambda a: a.name.lower()),
        )


async def load_choices(service: VaultService) -> tuple[list[Vault], list[LogicApp]]:
    """Every vault and Logic App of every visible subscription (for the wizards' pickers)."""
    vaults: list[Vault] = []
    apps: list[LogicApp] = []
    for sub in await service.list_subscriptions():
        vaults += await service.list_vaults(sub.subscription_id)
        apps += await service.list_logic_apps(sub.subscription_id)
    return sorted(vaults, key=lambda v: v.name.lower()), sorted(apps, key=lambda a: a.name.lower())


def selected(select: Select) -> Any:
    """The Select's value, or None when nothing is chosen."""
    value = select.value
    return None if value is Select.NULL or value == Select.NULL else value


def find_by_id(items: Iterable[Any], ident: str | None) -> Any:
    low = (ident or "").lower()
    return next((i for i in items if i.id.lower() == low or i.name.lower() == low), None)


# ---- messages (posted by workers) ---------------------------------------------------------


class ChoicesLoaded(Message):
    def __init__(self, vaults: list[Vault], apps: list[LogicApp], error: str | None) -> None:
        super().__init__()
        self.vaults = vaults
        self.apps = apps
        self.error = error


class PlanReady(Message):
    def __init__(self, plan: Plan | None, extra: Any = None, error: str | None = None) -> None:
        super().__init__()
        self.plan = plan
        self.extra = extra
        self.error = error


class ApplyDone(Message):
    def __init__(
        self,
        plan: Plan,
        result: PlanResult | None,
        *,
        verified: list[str] | None = None,
        entry: JournalEntry | None = None,
        error: str | None = None,
        journal_error: str | None = None,
        differences: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.plan = plan
        self.result = result
        self.verified = verified or []
        # The re-read compared with the plan's after-state: empty means verified.
        self.differences = differences or []
        self.entry = entry
        self.error = error
        self.journal_error = journal_error


def describe_state(state: dict[str, Any]) -> list[str]:
    """Re-read state (plan snapshot format) as short lines; the default verification text."""
    lines: list[str] = []

    def walk(value: Any, label: str, depth: int) -> None:
        pad = "  " * depth
        if isinstance(value, dict):
            if label:
                lines.append(f"{pad}{label}:")
            for key, item in value.items():
                walk(item, str(key).replace("_", " "), depth + (1 if label else 0))
        elif isinstance(value, list):
            shown = ", ".join(map(str, value)) if value else "(none)"
            lines.append(f"{pad}{label}: {shown}")
        else:
            lines.append(f"{pad}{label}: {'(not set)' if value is None else value}")

    for key, value in state.items():
        walk(value, key.split(":", 1)[0].replace("_", " "), 0)
    return lines


class WizardScreen(Screen[None]):
    """Form steps (subclass) + preview + result. Escape closes it at every step."""

    DEFAULT_CSS = """
    WizardScreen { padding: 0 1; }
    WizardScreen #wizard-title { text-style: bold; background: $boost; padding: 0 1; }
    WizardScreen #wizard-status { height: auto; color: $text-muted; padding: 0 1; }
    WizardScreen #wizard-status.error { color: $text-error; }
    WizardScreen #steps { height: 1fr; }
    WizardScreen .step { height: 1fr; padding: 1 1 0 1; overflow-y: auto; }
    WizardScreen .field-error { color: $text-error; height: auto; }
    WizardScreen .hint { color: $text-muted; height: auto; }
    WizardScreen .buttons { height: auto; margin-top: 1; }
    WizardScreen .buttons Button { margin-right: 1; }
    WizardScreen #result-scroll { height: 1fr; border: round $primary-background; padding: 0 1; }
    WizardScreen Select, WizardScreen Input { margin-bottom: 0; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel / close", id="wizard.cancel")]
    WIZARD_TITLE = "Wizard"
    FIRST_STEP = "step-choose"
    NEEDS_CHOICES = True

    def __init__(self, ctx: WizardContext, **prefill: Any) -> None:
        super().__init__()
        self.ctx = ctx
        self.prefill = prefill
        self.vaults: list[Vault] = list(ctx.vaults)
        self.logic_apps: list[LogicApp] = list(ctx.logic_apps)
        self.plan: Plan | None = None
        self.plan_extra: Any = None
        self.result: PlanResult | None = None
        self.entry: JournalEntry | None = None
        self.applying = False
        self.form_step = self.FIRST_STEP  # where "Back" returns to
        self._last_factory: PlanFactory | None = None
        self._undoing = False

    # ---- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(Plain(self.WIZARD_TITLE), id="wizard-title")
        yield Static("", id="wizard-status")
        with ContentSwitcher(id="steps", initial=self.FIRST_STEP):
            yield from self.compose_steps()
            yield PlanPreview(id="step-preview")
            with Vertical(id="step-result"):
                with VerticalScroll(id="result-scroll"):
                    yield Static("", id="result-summary")
                    yield Static("", id="result-verified")
                with Horizontal(classes="buttons", id="result-actions"):
                    yield Button("Undo", id="result-undo", variant="warning")
                    yield Button("Review the new plan", id="result-replan", variant="primary")
                    yield Button("Back to the form", id="result-edit")
                    yield from self.result_buttons()
                    yield Button("Close", id="result-close")
        yield Footer()

    def compose_steps(self) -> ComposeResult:
        raise NotImplementedError

    def result_buttons(self) -> ComposeResult:
        """Extra buttons of the result step (hidden until ``after_apply`` shows them)."""
        yield from ()

    @property
    def step(self) -> str:
        return self.query_one("#steps", ContentSwitcher).current or ""

    def go(self, step: str) -> None:
        if step not in ("step-preview", "step-result"):
            self.form_step = step
        self.query_one("#steps", ContentSwitcher).current = step

    def set_status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#wizard-status", Static)
        status.update(Plain(message))
        status.set_class(error, "error")

    def field_error(self, field_id: str, message: str | None) -> None:
        """The message under a field (``#<field_id>-error``); None clears it."""
        self.query_one(f"#{field_id}-error", Static).update(Plain(message or ""))

    # ---- choices --------------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.NEEDS_CHOICES and not (self.vaults and self.logic_apps):
            self.set_status("Loading vaults and Logic Apps…")
            self._load_choices()
        else:
            self.choices_ready()

    @work(exclusive=True, exit_on_error=False, group="wizard-choices")
    async def _load_choices(self) -> None:
        try:
            vaults, apps = await load_choices(self.ctx.service)
        except ConsoleError as exc:
            self.post_message(ChoicesLoaded([], [], exc.message))
            return
        self.post_message(ChoicesLoaded(vaults, apps, None))

    def on_choices_loaded(self, message: ChoicesLoaded) -> None:
        if message.error:
            self.set_status(f"Could not list vaults and Logic Apps: {message.error}", error=True)
        else:
            self.set_status("")
        self.vaults, self.logic_apps = message.vaults, message.apps
        self.choices_ready()

    def choices_ready(self) -> None:
        """Fill the pickers (and apply the prefill)."""

    # ---- plan -----------------------------------------------------------------------------
    def start_plan(
        self, factory: PlanFactory, *, status: str = "Reading the current state…"
    ) -> None:
        """Run *factory* (re-read + pure plan) in a worker; the preview follows."""
        self._last_factory = factory
        self._undoing = False
        self.set_status(status)
        self._plan_worker(factory)

    @work(exclusive=True, exit_on_error=False, group="wizard-plan")
    async def _plan_worker(self, factory: PlanFactory) -> None:
        try:
            plan, extra = await factory()
        except ConsoleError as exc:
            self.post_message(PlanReady(None, error=exc.message))
            return
        self.post_message(PlanReady(plan, extra))

    async def on_plan_ready(self, message: PlanReady) -> None:
        if message.plan is None:
            self.set_status(f"Could not make the plan: {message.error}", error=True)
            return
        self.set_status("Review the plan. Nothing has been changed yet.")
        self.plan, self.plan_extra = message.plan, message.extra
        await self.query_one(PlanPreview).show(message.plan)
        self.go(self.after_plan(message.plan, message.extra) or "step-preview")

    def after_plan(self, plan: Plan, extra: Any) -> str | None:
        """Hook: the step to show instead of the preview (e.g. another route when blocked)."""
        return None

    def on_plan_preview_back(self, message: PlanPreview.Back) -> None:
        message.stop()
        self.set_status("Nothing was changed.")
        self.go(self.form_step)

    # ---- apply ----------------------------------------------------------------------------
    def secret_value_for(self, plan: Plan) -> MaskedValue | None:
        return None

    def on_plan_preview_confirmed(self, message: PlanPreview.Confirmed) -> None:
        message.stop()
        preview = self.query_one(PlanPreview)
        if self.ctx.read_only:
            preview.set_error(READ_ONLY_MESSAGE)
            self.set_status(READ_ONLY_MESSAGE, error=True)
            return
        if self.applying:
            return
        self.applying = True
        self.query_one("#preview-apply", Button).disabled = True
        self.set_status("Applying… (re-reading first: nothing is overwritten if it changed)")
        self._apply_worker(
            message.plan, message.acknowledged, message.typed, self.secret_value_for(message.plan)
        )

    @work(exclusive=True, exit_on_error=False, group="wizard-apply")
    async def _apply_worker(
        self, plan: Plan, acknowledged: bool, typed: str, secret_value: MaskedValue | None
    ) -> None:
        service = self.ctx.service
        try:
            result = await execute(
                service, plan, acknowledged=acknowledged, typed=typed, secret_value=secret_value
            )
        except ConsoleError as exc:
            self.post_message(ApplyDone(plan, None, error=exc.message))
            return
        if result.drift:
            self.post_message(ApplyDone(plan, result))
            return
        state: dict[str, Any] = {}
        lines: list[str] = []
        found = await differences(service, result.applied)
        try:
            if plan.snapshot:
                state = await read_current(service, plan)
            lines = await self.verify(plan, result, state)
        except ConsoleError as exc:
            lines = [f"Could not re-read to verify: {exc.message}"]
            found.append(lines[0])
        entry, journal_error = None, None
        if result.applied or result.failed is not None:
            try:
                if secret_value is not None:
                    self.ctx.journal.remember_secret(secret_value)
                entry = self.ctx.journal.record(
                    plan, result, who=self.ctx.who, who_id=self.ctx.who_id, verified=state
                )
            except Exception as exc:  # any failure to journal is said, never a hung wizard
                journal_error = f"Not written to the journal: {safe_error_text(exc)}"
        self.post_message(
            ApplyDone(
                plan,
                result,
                verified=lines,
                entry=entry,
                journal_error=journal_error,
                differences=found,
            )
        )

    async def verify(self, plan: Plan, result: PlanResult, state: dict[str, Any]) -> list[str]:
        """Readable re-read state after apply (runs in the worker: service calls only)."""
        return describe_state(state)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An unexpected error in the apply worker must not leave the wizard at "Applying…":
        say so here (the app's error dialog shows the error itself)."""
        worker = event.worker
        if worker.group == "wizard-apply" and event.state == WorkerState.ERROR:
            self.applying = False
            self.query_one("#preview-apply", Button).disabled = False
            self.set_status(
                "Something failed while applying or verifying "
                f"({type(worker.error).__name__}): part of the plan may be applied. "
                "Close and refresh to see Azure's state.",
                error=True,
            )

    def on_apply_done(self, message: ApplyDone) -> None:
        self.applying = False
        self.query_one("#preview-apply", Button).disabled = False
        if message.result is None:
            self.query_one(PlanPreview).set_error(message.error or "Not applied.")
            self.set_status(message.error or "Not applied.", error=True)
            return
        result = message.result
        self.result, self.entry = result, message.entry
        summary = Plain(result.summary() + "\n", style="" if result.ok else "bold")
        if message.journal_error:
            summary.append(message.journal_error + "\n", style="red")
        elif message.entry is not None:
            summary.append("Recorded in the journal.\n", style="dim")
        self.query_one("#result-summary", Static).update(summary)
        verified = Plain()
        if message.differences:
            verified.append("NOT verified: the re-read differs from the plan\n", style="bold red")
            verified.append("\n".join(f"  {d}" for d in message.differences) + "\n\n")
        if message.verified:
            title = "Re-read after applying" if message.differences else "Verified (re-read)"
            verified.append(f"{title}:\n", style="bold")
            verified.append("\n".join(message.verified))
        self.query_one("#result-verified", Static).update(verified)
        undo = (
            self.ctx.journal.undo_plan(message.entry)
            if message.entry is not None and result.applied
            else None
        )
        self._set_visible("#result-undo", undo is not None)
        self._set_visible(
            "#result-replan", bool(result.drift or message.differences) and not self._undoing
        )
        self._set_visible("#result-edit", not result.ok)
        if result.drift:
            self.set_status("Nothing applied: the resource changed since the plan.", error=True)
        elif result.failed is not None:
            self.set_status(
                "Stopped at a failure: see what was applied and what was not.", error=True
            )
        elif message.differences:
            self.set_status(
                "Applied, but NOT verified: Azure shows something else now "
                f"({message.differences[0]}). Review the new plan.",
                error=True,
            )
        else:
            self.set_status("Applied and verified.")
        self.after_apply(message.plan, result)
        self.go("step-result")

    def after_apply(self, plan: Plan, result: PlanResult) -> None:
        """Hook: show the next steps (e.g. continue with another wizard)."""

    def _set_visible(self, selector: str, visible: bool) -> None:
        self.query_one(selector).display = visible

    async def start_undo(self) -> None:
        if self.entry is None:
            return
        undo = self.ctx.journal.undo_plan(self.entry)
        if undo is None:
            return
        self.plan, self._undoing = undo, True
        self.set_status("Review the undo. Nothing has been changed yet.")
        await self.query_one(PlanPreview).show(undo, apply_label="Undo")
        self.go("step-preview")

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button == "result-undo":
            event.stop()
            await self.start_undo()
        elif button == "result-replan" and self._last_factory is not None:
            event.stop()
            self.start_plan(self._last_factory, status="Re-reading and making a new plan…")
        elif button == "result-edit":
            event.stop()
            self.set_status("Your input is kept: change it and try again.")
            self.go(self.form_step)
        elif button == "result-close":
            event.stop()
            self.close()
        else:
            await self.on_wizard_button(event)

    async def on_wizard_button(self, event: Button.Pressed) -> None:
        """Subclasses handle their own buttons here."""

    def open_next(self, name: str, **prefill: Any) -> None:
        """Close this wizard and open *name* (e.g. identity → grant), same context."""
        from screens.wizards import build_wizard

        screen = build_wizard(self.ctx, name, **prefill)
        self.dismiss(None)
        self.app.push_screen(screen)

    # ---- leaving --------------------------------------------------------------------------
    def remask(self) -> None:
        """Hide any revealed value (the app calls this when the terminal loses focus)."""

    def action_cancel(self) -> None:
        if self.applying:
            self.notify(
                "Applying: wait for it to finish (then undo if needed).", severity="warning"
            )
            return
        self.close()

    def close(self) -> None:
        self.remask()
        self.dismiss(None)
