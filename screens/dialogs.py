"""Small typed modals (Frogmouth style): each returns its result through ``dismiss``."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Markdown, Static

from console.errors import ConsoleError
from screens.text import Plain


def safe_error_text(error: BaseException) -> tuple[str, str]:
    """(title, message) safe to show: our typed errors carry safe messages; anything else is
    reduced to its type, since its text might quote a value."""
    if isinstance(error, ConsoleError):
        return error.title, error.message
    return (
        "Unexpected error",
        f"{type(error).__name__}. Details are not shown because they could contain a secret "
        "value; run again with a debugger attached to see them.",
    )


class ErrorDialog(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter", "dismiss", "Close", id="dialog.close")]

    def __init__(self, error: BaseException, context: str = "") -> None:
        super().__init__()
        self.title_text, self.message = safe_error_text(error)
        self.context = context

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="error"):
            yield Label(Plain(self.title_text), id="dialog-title")
            if self.context:
                yield Static(Plain(self.context), classes="dim")
            yield Static(Plain(self.message), id="dialog-body")
            yield Button("Close", id="close", variant="error")

    def on_button_pressed(self) -> None:
        self.dismiss(None)


class PinVaultDialog(ModalScreen[str | None]):
    """Ask for a vault URI (data-plane access only); returns it normalised, or None.

    *check* is the signed-in cloud's rule (``console.vault_uri.check_vault_uri``): a URI it
    refuses keeps the dialog open with what was typed and the reason."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, check: Callable[[str], str]) -> None:
        super().__init__()
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Pin a vault by its URI", id="dialog-title")
            yield Static(
                "For vaults you can read but not list (no role on the subscription). "
                "Use the vault's URI, e.g. https://myvault.vault.azure.net/",
                classes="dim",
            )
            yield Input(placeholder="https://<name>.vault.azure.net/", id="uri")
            yield Static("", id="dialog-error", classes="error-text")
            with Horizontal(classes="buttons"):
                yield Button("Pin", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def _submit(self) -> None:
        try:
            uri = self.check(self.query_one("#uri", Input).value)
        except ValueError as exc:
            self.query_one("#dialog-error", Static).update(Plain(str(exc)))
            return
        self.dismiss(uri)

    def on_input_submitted(self) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


HELP = """\
# kvconsole

| Key | What it does |
|---|---|
| `tab` / `shift+tab` | Move between the tree, the list and the details |
| `/` | Filter the list (type to filter, as you type) |
| `enter` | Open the highlighted item |
| `ctrl+k` | Quick lookup: any vault, secret or Logic App loaded so far |
| `ctrl+p` | Command palette (commands for what is on screen) |
| `f5` | Refresh everything |
| `p` | Pin a vault by its URI |
| `1`-`4` | Vault tabs: Secrets, Access, Networking, Properties |
| `r` | In a secret: reveal (hidden again after the timeout, or when you leave) |
| `c` | In a secret: copy (the clipboard is cleared after the timeout) |
| `a` | Access check of the selected Logic App (or of one that uses the selected vault) |
| `i` | Wizard: enable the Logic App's managed identity |
| `g` | Wizard: grant least-privilege access (secrets Get, or Key Vault Secrets User) |
| `w` | Wizard: lock the vault firewall (Deny + the Logic App's addresses, no lock-out) |
| `e` / `n` | Wizard: edit the highlighted secret / create a new one |
| `S` | Wizard: first-time setup (identity → grant → firewall → secret → check) |
| `s` | Sign-in settings (default chain, device code, service principal) |
| `u` | Choose subscriptions |
| `q` | Quit |

In the access check: `f` opens the wizard that fixes the highlighted line, `t` runs the workflow
(a test run) and shows its Key Vault steps, `r` checks again.

Every change is previewed (before → after) and applied only on confirm; it is re-read, written to
the journal (never a value) and can be undone where Azure allows.

Values are never fetched until you ask to see or copy one. In `--demo` mode everything is an
emulated tenant running inside this process: nothing reaches Azure.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="help"):
            yield Markdown(HELP)
            yield Button("Close", id="close")

    def on_button_pressed(self) -> None:
        self.dismiss(None)
