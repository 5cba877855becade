"""The preview every wizard shows before applying: the plan as a readable diff, one checkbox per
warning, and the typed confirmation when the plan asks for one.

The widget only collects the user's consent; the screen that holds it applies the plan.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Static

from console.plans.base import Plan
from screens.text import Plain

_STYLES = {"- ": "red", "+ ": "green", "! ": "yellow", "✗ ": "bold red", "i ": "cyan"}


def diff_text(plan: Plan) -> Plain:
    """render_diff() with colours; Azure text stays plain (never parsed as markup)."""
    out = Plain()
    for index, line in enumerate(plan.render_diff()):
        if index == 0 or line.startswith("• "):
            style = "bold"
        else:
            style = next((s for p, s in _STYLES.items() if line.startswith(p)), "")
        out.append(line + "\n", style=style)
    return out


class PlanPreview(Vertical):
    DEFAULT_CSS = """
    PlanPreview { height: 1fr; }
    PlanPreview #preview-scroll { height: 1fr; border: round $primary-background; padding: 0 1; }
    PlanPreview #preview-diff { height: auto; }
    PlanPreview #preview-warnings { height: auto; }
    PlanPreview #preview-warnings Checkbox { height: auto; width: 1fr; }
    PlanPreview #preview-typed { margin-top: 1; }
    PlanPreview #preview-error { color: $text-error; height: auto; }
    PlanPreview .buttons { height: auto; }
    PlanPreview .buttons Button { margin-right: 1; }
    """

    class Confirmed(Message):
        """The user asked to apply *plan*, with what they ticked and typed."""

        def __init__(self, plan: Plan, acknowledged: bool, typed: str) -> None:
            super().__init__()
            self.plan = plan
            self.acknowledged = acknowledged
            self.typed = typed

    class Back(Message):
        """Back to the form (nothing applied)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.plan: Plan | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="preview-scroll"):
            yield Static("", id="preview-diff")
            yield Vertical(id="preview-warnings")
        yield Input(placeholder="type the confirmation here", id="preview-typed")
        yield Static("", id="preview-error")
        with Horizontal(classes="buttons"):
            yield Button("Apply", id="preview-apply", variant="warning")
            yield Button("Back", id="preview-back")

    async def show(self, plan: Plan, *, apply_label: str = "Apply") -> None:
        self.plan = plan
        self.query_one("#preview-diff", Static).update(diff_text(plan))
        box = self.query_one("#preview-warnings", Vertical)
        await box.remove_children()
        await box.mount_all(
            Checkbox(Plain(f"I understand: {w}"), id=f"ack-{i}", classes="ack")
            for i, w in enumerate(plan.warnings)
        )
        typed = self.query_one("#preview-typed", Input)
        typed.value = ""
        typed.display = plan.needs_typed_confirmation is not None
        if plan.needs_typed_confirmation:
            typed.placeholder = f"type {plan.needs_typed_confirmation} to confirm"
        apply = self.query_one("#preview-apply", Button)
        apply.label = apply_label
        apply.display = plan.can_apply
        self.set_error("" if plan.can_apply or plan.blocked else "Nothing to apply.")

    def set_error(self, message: str) -> None:
        self.query_one("#preview-error", Static).update(Plain(message))

    @property
    def all_acknowledged(self) -> bool:
        return all(box.value for box in self.query(".ack").results(Checkbox))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "preview-back":
            event.stop()
            self.post_message(self.Back())
        elif event.button.id == "preview-apply":
            event.stop()
            self._confirm()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "preview-typed":
            event.stop()
            self._confirm()

    def _confirm(self) -> None:
        plan = self.plan
        if plan is None or not plan.can_apply:
            return
        if not self.all_acknowledged:
            self.set_error(
                "Tick every warning above to confirm it, or go back and change the plan."
            )
            return
        typed = self.query_one("#preview-typed", Input).value
        if not plan.confirmation_matches(typed):
            self.set_error(f"Type '{plan.needs_typed_confirmation}' exactly to apply this plan.")
            return
        self.set_error("")
        self.post_message(self.Confirmed(plan, plan.needs_acknowledgement, typed))
