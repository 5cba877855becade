"""The access check: the chain drawn as a diagram, the checklist with a Fix key, and a test run.

The check itself is one pure function (console.diagnosis); this screen only reads, draws and
opens the wizard a line names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from console.diagnosis import FAIL, PASS, SKIP, WARN, AccessReport, Check
from console.errors import ConsoleError
from console.models import LogicApp, Vault, WorkflowRun
from screens.text import Plain

if TYPE_CHECKING:
    pass

STYLE = {PASS: "bold green", WARN: "bold yellow", FAIL: "bold red", SKIP: "dim"}
MARK = {PASS: "✔", WARN: "⚠", FAIL: "✖", SKIP: "·"}
WIZARD_TITLES = {
    "enable_identity": "enable the managed identity",
    "grant": "grant access",
    "firewall": "open the firewall to the Logic App",
    "secret": "edit the secret",
    "definition": "change the workflow definition (in the Logic App designer)",
}


def chain_text(report: AccessReport) -> Plain:
    """Logic App → identity → grant → firewall → action → secure outputs → secret, coloured."""
    text = Plain()
    for i, (label, status) in enumerate(report.chain()):
        if i:
            text.append(" ─▶ ", style="dim")
        text.append(f"{MARK[status]} {label}", style=STYLE[status])
    return text


def check_prompt(check: Check) -> Plain:
    line = Plain()
    line.append(f" {MARK[check.status]} ", style=STYLE[check.status])
    line.append(f"{check.title:<26}", style="bold")
    line.append(check.reason)
    return line


def check_details(check: Check) -> Plain:
    text = Plain()
    text.append(f"{check.title}: ", style="bold")
    text.append(f"{check.status.upper()}\n", style=STYLE[check.status])
    text.append(check.reason + "\n")
    for detail in check.details:
        text.append(f"  • {detail}\n", style="dim")
    if check.fix:
        text.append(f"\nFix (f): {WIZARD_TITLES.get(check.fix, check.fix)}", style="bold cyan")
    return text


def run_text(run: WorkflowRun, report: AccessReport | None) -> Plain:
    text = Plain()
    text.append(f"Test run {run.name}: ", style="bold")
    text.append(run.status + "\n", style="bold green" if run.status == "Succeeded" else "bold red")
    for action in run.actions:
        style = {"Succeeded": "green", "Failed": "red"}.get(action.status, "dim")
        text.append(f"  {action.name:<24} ", style="bold")
        text.append(f"{action.status:<10}", style=style)
        if action.code == "NotEmulated":
            text.append(" not a Key Vault step (not run by the emulator)", style="dim")
        elif action.error_code:
            text.append(f" {action.error_code}")
            if action.error_message:
                text.append(f": {action.error_message.splitlines()[0]}", style="dim")
        text.append("\n")
        if action.shows_secret_value:
            text.append(
                "    ⚠ FINDING: the run history shows this action's secret value in clear — "
                "turn on Secure Outputs.\n",
                style="bold red",
            )
        elif action.outputs_unreadable:
            text.append(
                "    ? Could not read this action's outputs from the run history: whether they "
                "show a secret value is unknown — check the run in the Portal.\n",
                style="yellow",
            )
    failed = [a for a in run.actions if a.status == "Failed"]
    if failed and report is not None and report.first_failure is not None:
        first = report.first_failure
        text.append(f"\nWhy: {first.title} — {first.reason}\n", style="yellow")
    return text


class CheckDone(Message):
    def __init__(self, report: AccessReport | None, error: ConsoleError | None = None) -> None:
        super().__init__()
        self.report = report
        self.error = error


class RunDone(Message):
    def __init__(self, run: WorkflowRun | None, error: ConsoleError | None = None) -> None:
        super().__init__()
        self.run = run
        self.error = error


class AccessCheckScreen(Screen[None]):
    """ "Why can't this Logic App read that secret?" for one Logic App (and its vault)."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="check.back"),
        Binding("f", "fix", "Fix", id="check.fix"),
        Binding("t", "test_run", "Test run", id="check.test_run"),
        Binding("r", "recheck", "Re-check", id="check.recheck"),
    ]

    def __init__(
        self,
        service: Any,
        logic_app: LogicApp,
        vaults: Sequence[Vault],
        *,
        vault: Vault | None = None,
        secret_name: str | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.logic_app = logic_app
        self.vaults = list(vaults)
        self.vault = vault
        self.secret_name = secret_name
        self.report: AccessReport | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="check-body"):
            yield Static(
                Plain(f"Access check: {self.logic_app.name}", style="bold"),
                id="check-title",
                markup=False,
            )
            yield Static(Plain("Checking…", style="dim"), id="check-chain", markup=False)
            yield OptionList(id="check-list")
            with VerticalScroll(id="check-detail-scroll"):
                yield Static("", id="check-detail", markup=False)
                yield Static("", id="check-run", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Access check — {self.logic_app.name}"
        self.query_one("#check-list", OptionList).focus()
        self.action_recheck()

    def on_screen_resume(self) -> None:
        if self.report is not None:  # back from a wizard: the fix may have changed things
            self.action_recheck()

    # ---- workers ----------------------------------------------------------------------
    @work(exclusive=True, group="check", exit_on_error=False)
    async def run_check(self) -> None:
        from console.access_check import run_access_check

        try:
            report = await run_access_check(
                self.service,
                self.logic_app,
                vault=self.vault,
                vaults=self.vaults,
                secret_name=self.secret_name,
            )
        except ConsoleError as exc:
            self.post_message(CheckDone(None, exc))
            return
        self.post_message(CheckDone(report))

    @work(exclusive=True, group="test-run", exit_on_error=False)
    async def run_test(self) -> None:
        try:
            run = await self.service.test_run(self.logic_app.id)
        except ConsoleError as exc:
            self.post_message(RunDone(None, exc))
            return
        self.post_message(RunDone(run))

    # ---- handlers ---------------------------------------------------------------------
    def on_check_done(self, message: CheckDone) -> None:
        chain = self.query_one("#check-chain", Static)
        if message.error is not None:
            chain.update(Plain(f"{message.error.title}: {message.error.message}", style="red"))
            return
        report = message.report
        assert report is not None
        self.report = report
        title = f"Access check: {report.logic_app}"
        if report.vault:
            title += f" → {report.vault}"
        if report.secret_name:
            title += f" (secret {report.secret_name})"
        self.query_one("#check-title", Static).update(Plain(title, style="bold"))
        chain.update(chain_text(report))
        options = self.query_one("#check-list", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options([Option(check_prompt(c), id=c.key) for c in report.checks])
        first = next((i for i, c in enumerate(report.checks) if c.status == FAIL), 0)
        options.highlighted = highlighted if highlighted is not None else first
        self._show_check()

    def on_run_done(self, message: RunDone) -> None:
        target = self.query_one("#check-run", Static)
        if message.error is not None:
            target.update(
                Plain(
                    f"\nTest run refused — {message.error.title}: {message.error.message}",
                    style="red",
                )
            )
            return
        assert message.run is not None
        target.update(Plain("\n").append_text(run_text(message.run, self.report)))
        self.action_recheck()

    @on(OptionList.OptionHighlighted, "#check-list")
    def _show_check(self) -> None:
        check = self._highlighted()
        if check is not None:
            self.query_one("#check-detail", Static).update(check_details(check))

    @on(OptionList.OptionSelected, "#check-list")
    def _selected(self) -> None:
        self.action_fix()

    def _highlighted(self) -> Check | None:
        if self.report is None:
            return None
        index = self.query_one("#check-list", OptionList).highlighted
        if index is None or index >= len(self.report.checks):
            return None
        return self.report.checks[index]

    # ---- actions ----------------------------------------------------------------------
    def action_recheck(self) -> None:
        self.run_check()

    def action_test_run(self) -> None:
        self.query_one("#check-run", Static).update(Plain("\nRunning the workflow…", style="dim"))
        self.run_test()

    def action_fix(self) -> None:
        check = self._highlighted()
        if check is None or not check.fix:
            self.notify("Nothing to fix on this line.")
            return
        if check.fix == "definition":
            self.notify(
                "This is fixed in the workflow definition (Logic App designer or code): "
                + check.reason,
                timeout=8,
            )
            return
        from screens.wizards import open_wizard

        report = self.report
        vault = next((v for v in self.vaults if report and v.name == report.vault), self.vault)
        prefill: dict[str, Any] = {}
        if check.fix in ("enable_identity", "grant", "firewall", "setup"):
            prefill["logic_app_id"] = self.logic_app.id
        if vault is not None and check.fix in ("grant", "firewall", "secret"):
            prefill["vault_id"] = vault.id
        if report and report.secret_name and check.fix in ("grant", "secret"):
            prefill["secret_name"] = report.secret_name
        open_wizard(self.app, check.fix, **prefill)
