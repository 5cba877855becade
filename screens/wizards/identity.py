"""Wizard 1: turn on a Logic App's system-assigned identity (or grant its user-assigned one)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Select, Static

from console.models import LogicApp
from console.plans.base import Plan, PlanResult
from console.plans.changes import IdentitySet
from console.plans.identity import plan_enable_identity, user_assigned_principal
from screens.text import Plain
from screens.wizards.base import WizardContext, WizardScreen, find_by_id, selected


def identity_label(app: LogicApp) -> str:
    kind = app.identity.type if app.identity.type != "None" else "no identity"
    return f"{app.name}  ·  {kind}"


class IdentityWizard(WizardScreen):
    WIZARD_TITLE = "1 · Enable the managed identity of a Logic App"

    def __init__(self, ctx: WizardContext, **prefill: Any) -> None:
        super().__init__(ctx, **prefill)
        self.switch = False
        self.current_app: LogicApp | None = None

    def compose_steps(self) -> ComposeResult:
        with Vertical(id="step-choose", classes="step"):
            yield Label("Logic App")
            yield Select([], prompt="Choose a Logic App", id="la")
            yield Static("", id="la-error", classes="field-error")
            yield Static(
                "A Consumption Logic App holds either a system-assigned identity or one "
                "user-assigned identity, never both.",
                classes="hint",
            )
            with Vertical(id="ua-offer"):
                yield Static("", id="ua-text")
                with Horizontal(classes="buttons"):
                    yield Button("Grant that identity instead", id="ua-grant", variant="primary")
                    yield Button("Switch anyway (warning)…", id="ua-switch", variant="error")
            with Horizontal(classes="buttons"):
                yield Button("Next: preview", id="next", variant="primary")

    def result_buttons(self) -> ComposeResult:
        yield Button("Continue: grant access to a vault", id="next-grant", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ua-offer").display = False
        self.query_one("#next-grant").display = False
        super().on_mount()

    def choices_ready(self) -> None:
        select = self.query_one("#la", Select)
        select.set_options((identity_label(a), a.id) for a in self.logic_apps)
        chosen = find_by_id(self.logic_apps, self.prefill.get("logic_app_id"))
        if chosen is not None:
            select.value = chosen.id

    def on_select_changed(self, event: Select.Changed) -> None:
        self.switch = False
        self.query_one("#ua-offer").display = False
        self.field_error("la", None)

    def _factory(self, app_id: str, switch: bool):
        async def make() -> tuple[Plan, Any]:
            app = await self.ctx.service.get_logic_app(app_id)
            return plan_enable_identity(app, switch=switch), app

        return make

    def request(self) -> None:
        app_id = selected(self.query_one("#la", Select))
        if app_id is None:
            self.field_error("la", "Choose the Logic App whose identity to turn on.")
            return
        self.field_error("la", None)
        self.start_plan(self._factory(app_id, self.switch))

    def after_plan(self, plan: Plan, extra: Any) -> str | None:
        self.current_app = extra
        if plan.blocked and user_assigned_principal(extra) is not None:
            self.query_one("#ua-text", Static).update(Plain(plan.blocked))
            self.query_one("#ua-offer").display = True
            self.set_status("This Logic App already has a user-assigned identity.")
            return "step-choose"
        return None

    async def verify(self, plan: Plan, result: PlanResult, state: dict[str, Any]) -> list[str]:
        params = plan.changes[0].params if plan.changes else None
        app_id = params.logic_app_id if isinstance(params, IdentitySet) else None
        if app_id is None:
            return []
        app = await self.ctx.service.get_logic_app(app_id)
        ident = app.identity
        lines = [f"{app.name}: identity {ident.type}"]
        if ident.principal_id:
            lines.append(f"  principal id {ident.principal_id}")
        lines += [
            f"  user-assigned {u.resource_id.rsplit('/', 1)[-1]}" for u in ident.user_assigned
        ]
        return lines

    def after_apply(self, plan: Plan, result: PlanResult) -> None:
        self.query_one("#next-grant").display = result.ok and not self._undoing

    async def on_wizard_button(self, event: Button.Pressed) -> None:
        button = event.button.id
        if button == "next":
            self.request()
        elif button == "ua-switch":
            self.switch = True
            self.query_one("#ua-offer").display = False
            self.request()
        elif button in ("ua-grant", "next-grant") and self.current_app is not None:
            self.open_next("grant", logic_app_id=self.current_app.id)
