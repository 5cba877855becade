"""Sign-in: what is wrong and how to fix it, the sign-in settings, device code, subscriptions."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Label,
    RadioButton,
    RadioSet,
    SelectionList,
    Static,
)

from console.masked import MaskedValue
from console.models import Subscription
from console.settings import Settings
from screens.text import Plain
from screens.widgets.secret_input import SecretInput


class ProblemScreen(Screen[str]):
    """Not signed in, expired, or nothing visible: the problem and the exact fix."""

    BINDINGS = [
        Binding("r", "choose('retry')", "Retry", id="problem.retry"),
        Binding("s", "choose('settings')", "Sign-in settings", id="problem.settings"),
        Binding("d", "choose('device')", "Device code sign-in", id="problem.device"),
        Binding("q", "app.quit", "Quit", id="problem.quit"),
    ]

    def __init__(self, problem: str, detail: str = "", advice: str | None = None) -> None:
        super().__init__()
        self.problem = problem
        self.detail = detail
        self.advice = advice  # replaces the sign-in advice when the problem is not sign-in

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="problem"):
            yield Label(Plain(self.problem), id="problem-title")
            if self.detail:
                yield Static(Plain(self.detail), id="problem-detail")
            if self.advice is not None:
                yield Static(Plain.assemble(("How to fix it\n", "bold"), self.advice))
                return
            yield Static(
                Plain.assemble(
                    ("How to fix it\n", "bold"),
                    "• Run ",
                    ("az login", "bold"),
                    " in a shell (add ",
                    ("--tenant <id>", "bold"),
                    " for another tenant), then press ",
                    ("r", "bold"),
                    " to retry.\n",
                    "• Or press ",
                    ("d", "bold"),
                    " to sign in with a device code here.\n",
                    "• Or press ",
                    ("s", "bold"),
                    " to use a service principal "
                    "(its secret goes to the OS keyring), or set AZURE_TENANT_ID, "
                    "AZURE_CLIENT_ID and AZURE_CLIENT_SECRET.\n",
                    "• No subscriptions? Ask for a role (Reader is enough to browse) or pin a "
                    "vault by URI after signing in.\n",
                    "• Just looking? Restart with ",
                    ("kvconsole --demo", "bold"),
                    ".",
                ),
                id="problem-fix",
            )
        yield Footer()

    def action_choose(self, what: str) -> None:
        self.dismiss(what)


@dataclass(frozen=True)
class SignInChoice:
    settings: Settings
    client_secret: MaskedValue | None  # only for a service principal, to go to the keyring


class SignInSettingsScreen(ModalScreen[SignInChoice | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="signin.cancel")]

    def __init__(self, settings: Settings, keyring_message: str = "") -> None:
        super().__init__()
        self.settings = settings
        self.keyring_message = keyring_message

    def compose(self) -> ComposeResult:
        s = self.settings
        with Vertical(id="dialog"):
            yield Label("Sign-in", id="dialog-title")
            with RadioSet(id="mode"):
                yield RadioButton(
                    "Default (az login, environment, managed identity)",
                    value=s.auth_mode == "default",
                    id="default",
                )
                yield RadioButton(
                    "Device code", value=s.auth_mode == "device_code", id="device_code"
                )
                yield RadioButton(
                    "Service principal",
                    value=s.auth_mode == "service_principal",
                    id="service_principal",
                )
            yield Input(
                s.tenant_id,
                placeholder="Tenant id (optional except for a service principal)",
                id="tenant",
            )
            yield Input(s.client_id, placeholder="Client (application) id", id="client")
            yield SecretInput(
                placeholder="Client secret (stored in the OS keyring; empty: keep)", id="secret"
            )
            yield Static(Plain(self.keyring_message), id="dialog-error", classes="error-text")
            with Horizontal(classes="buttons"):
                yield Button("Sign in", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id != "ok":
            self.dismiss(None)
            return
        pressed = self.query_one("#mode", RadioSet).pressed_button
        mode = pressed.id if pressed and pressed.id else "default"
        tenant = self.query_one("#tenant", Input).value.strip()
        client = self.query_one("#client", Input).value.strip()
        secret = self.query_one("#secret", SecretInput).value
        if mode == "service_principal" and not (tenant and client):
            self.query_one("#dialog-error", Static).update(
                "A service principal needs the tenant id and the client id."
            )
            return
        from dataclasses import replace

        settings = replace(self.settings, auth_mode=mode, tenant_id=tenant, client_id=client)
        self.dismiss(SignInChoice(settings, MaskedValue(secret) if secret else None))

    def action_cancel(self) -> None:
        self.dismiss(None)


class DeviceCodeScreen(ModalScreen[None]):
    """Shows the code and the URL; `c` copies the code. Closed by the app once signed in."""

    BINDINGS = [
        Binding("c", "copy_code", "Copy code", id="device.copy"),
        Binding("escape", "dismiss", "Hide", id="device.hide"),
    ]

    def __init__(self, url: str, code: str) -> None:
        super().__init__()
        self.url = url
        self.code = code

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Sign in with a device code", id="dialog-title")
            yield Static(
                Plain.assemble(
                    "Open ", (self.url, "bold underline"), " in a browser and enter the code:"
                )
            )
            yield Static(Plain(self.code, style="bold"), id="device-code")
            yield Static(
                "c: copy the code · waiting for you to finish in the browser…", classes="dim"
            )

    def action_copy_code(self) -> None:
        self.app.copy_to_clipboard(self.code)
        self.notify("Code copied")


class SubscriptionPicker(ModalScreen[tuple[str, ...] | None]):
    """Choose which subscriptions to show (none chosen: all of them)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="subs.cancel")]

    def __init__(self, subscriptions: list[Subscription], chosen: tuple[str, ...]) -> None:
        super().__init__()
        self.subscriptions = subscriptions
        self.chosen = chosen

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Subscriptions to show", id="dialog-title")
            yield SelectionList[str](
                *[
                    (
                        Plain(f"{s.display_name}  {s.subscription_id}"),
                        s.subscription_id,
                        not self.chosen or s.subscription_id in self.chosen,
                    )
                    for s in self.subscriptions
                ],
                id="subs",
            )
            with Horizontal(classes="buttons"):
                yield Button("Apply", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id != "ok":
            self.dismiss(None)
            return
        picked = tuple(self.query_one("#subs", SelectionList).selected)
        everything = len(picked) == len(self.subscriptions)
        self.dismiss(() if everything else picked)

    def action_cancel(self) -> None:
        self.dismiss(None)
