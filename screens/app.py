"""The Textual app: factory (`make_app`, reused by tests), sign-in flow, clipboard, crash output.

No Azure SDK is imported before the first paint: connecting starts after it, and the connect
worker imports the SDK (and starts the demo emulator) in a thread, so the event loop stays free.
Screens shown only later (dialogs, sign-in) are imported when first needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

import assets
from console.errors import AuthRequiredError, ConsoleError
from console.masked import MaskedValue
from console.settings import Settings, load_settings, save_settings
from screens.catalog import Catalog
from screens.commands import ContextCommands, LookupProvider
from screens.main import MainScreen
from screens.messages import Connected, SignInProblem
from screens.textual_private import TracebackWithoutLocals

if TYPE_CHECKING:
    from console.clouds import Cloud
    from console.models import SignedIn, Subscription
    from console.ports import VaultService

CSS_FILE = Path(assets.__file__).with_name("kvconsole.tcss")  # package data, next to it

# (service, demo session) from keyword options: `console.connect.open_service`, handed in by the
# wiring module (screens/cli.py) so that screens/ never imports the SDK wiring.
Connect = Callable[..., Awaitable[tuple[Any, Any]]]


@dataclass(frozen=True)
class AppOptions:
    demo: bool = False
    seed: str = "demo"
    state: Path | None = None
    read_only: bool = False
    cloud: str = "AzureCloud"
    tenant: str | None = None
    subscriptions: tuple[str, ...] = ()


def _fingerprint(text: str) -> str:
    import hashlib  # only when something is copied (start-up time)

    return hashlib.sha256(text.encode()).hexdigest()


# Crash output without local variables (a secret value can be one): screens/textual_private.py.
class KvConsoleApp(TracebackWithoutLocals, App[None]):
    CSS_PATH = CSS_FILE
    TITLE = "kvconsole"
    COMMANDS = App.COMMANDS | {ContextCommands}
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+k", "lookup", "Lookup", show=False, id="app.lookup"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(
        self,
        options: AppOptions,
        settings: Settings,
        *,
        connect: Connect,
        settings_file: Path | None = None,
        settings_problem: str | None = None,
        demo_session: Any = None,
    ) -> None:
        super().__init__()
        self.options = options
        self._connect = connect
        self.settings = settings
        self.settings_file = settings_file
        self.settings_problem = settings_problem
        self.catalog = Catalog()
        self.service: VaultService | None = None
        self.demo_session: Any = demo_session
        self._owns_demo = demo_session is None  # a session handed in (tests) is not stopped here
        self.who: SignedIn | None = None
        self._clipboard_fingerprint: str | None = None
        if options.demo:
            self.title = "kvconsole — DEMO (emulated tenant, nothing reaches Azure)"

    # ---- no screenshots: one could capture a revealed value ---------------------------
    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        self.notify("Screenshots are disabled: they could capture a secret value.")

    def deliver_screenshot(self, *args: Any, **kwargs: Any) -> None:
        self.notify("Screenshots are disabled: they could capture a secret value.")

    # ---- start-up ---------------------------------------------------------------------
    def get_default_screen(self) -> MainScreen:
        return MainScreen()

    @property
    def main(self) -> MainScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, MainScreen)
        return screen

    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        if self.settings_problem:
            self.notify(self.settings_problem, title="Settings", severity="warning", timeout=15)
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        """After the first paint: what start-up built stays for good, so it leaves the cyclic GC's
        view (`screens.cli.pause_gc_for_startup` kept the GC off until now); then connect, which
        loads the SDK and the demo emulator."""
        gc.freeze()
        gc.enable()
        self.connect()

    def _theme_changed(self, theme: Any) -> None:
        if theme.name != self.settings.theme:
            self.update_settings(replace(self.settings, theme=theme.name))

    def update_settings(self, settings: Settings) -> None:
        self.settings = settings
        try:
            save_settings(settings, self.settings_file)
        except OSError as exc:
            self.notify(f"Settings not saved: {exc.strerror}", severity="error")

    # ---- connecting (worker: imports the SDK, never touches widgets) -------------------
    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect(self, reuse: bool = False) -> None:
        try:
            service = self.service if reuse and self.service is not None else None
            if service is None:
                service = await self._open_service()
            # Textual and the SDK are loaded for good: keep their objects out of the cyclic GC,
            # whose full collections otherwise stall the UI for 100 ms+ while a big list loads.
            gc.freeze()
            subscriptions = await service.list_subscriptions()
        except AuthRequiredError as exc:
            self.post_message(SignInProblem("Not signed in, or the sign-in has expired.", exc))
            return
        except ConsoleError as exc:
            self.post_message(SignInProblem("Could not sign in or reach Azure.", exc))
            return
        try:
            who = await service.whoami()
        except ConsoleError:
            who = None  # display only
        self.post_message(Connected(service, subscriptions, who))

    async def _open_service(self) -> Any:
        o = self.options
        service, self.demo_session = await self._connect(
            settings=self.settings, demo=o.demo, seed=o.seed, state=o.state, cloud=o.cloud,
            tenant=o.tenant, subscriptions=o.subscriptions, read_only=o.read_only,
            demo_session=self.demo_session, device_prompt=self._device_prompt,
        )  # fmt: skip
        return service

    def _device_prompt(self, url: str, code: str, expires_on: Any) -> None:
        from screens.signin import DeviceCodeScreen

        # Called by azure-identity from a worker thread.
        self.call_from_thread(self.push_screen, DeviceCodeScreen(url, code))

    def on_connected(self, message: Connected) -> None:
        from screens.signin import DeviceCodeScreen, ProblemScreen

        while isinstance(self.screen, DeviceCodeScreen | ProblemScreen):
            self.pop_screen()
        if self.service is not None and self.service is not message.service:
            self.run_worker(self.service.close(), group="close", exit_on_error=False)
        self.service = message.service
        self.who = message.who
        if message.who is not None and not self.options.demo:
            self.sub_title = f"{message.who.display_name} · {self.options.cloud}"
        elif self.options.demo:
            self.sub_title = "demo tenant"
        self.catalog = Catalog()
        tenant = getattr(message.who, "tenant_id", None) or "Tenant"
        label = "DEMO tenant" if self.options.demo else f"Tenant {tenant}"
        self.main.start(message.service, message.subscriptions, label)
        if not message.subscriptions and not self.settings.pinned_vaults:
            self.push_screen(
                ProblemScreen(
                    "Signed in, but no subscription is visible to this account.",
                    "Ask for a role on a subscription (Reader is enough to browse), choose "
                    "another tenant (az login --tenant <id>, or s), or pin a vault you can "
                    "read by its URI (p, after closing this screen with r).",
                ),
                self._problem_choice,
            )

    def on_sign_in_problem(self, message: SignInProblem) -> None:
        from screens.signin import DeviceCodeScreen, ProblemScreen

        while isinstance(self.screen, DeviceCodeScreen | ProblemScreen):
            self.pop_screen()
        detail = message.error.message if message.error is not None else ""
        advice = None
        if message.error is not None and message.error.code == "StateFileError":
            advice = (
                "• Move the state file aside (or delete it), then press r to retry: the demo "
                "starts from its seed.\n• Or restart without --state."
            )
        self.push_screen(ProblemScreen(message.problem, detail, advice), self._problem_choice)

    def _problem_choice(self, choice: str | None) -> None:
        if choice == "retry":
            self.connect()
        elif choice == "device":
            self.update_settings(replace(self.settings, auth_mode="device_code"))
            self.connect()
        elif choice == "settings":
            self.action_signin_settings()

    # ---- secrets and the clipboard ----------------------------------------------------
    def copy_secret(self, value: MaskedValue) -> None:
        """Copy, then wipe the clipboard (and app.clipboard) after the configured timeout,
        unless something else was copied meanwhile."""
        text = value.reveal()
        self.copy_to_clipboard(text)
        fingerprint = _fingerprint(text)  # remember a hash, not the value
        self._clipboard_fingerprint = fingerprint
        seconds = self.settings.clipboard_timeout
        self.set_timer(seconds, lambda: self._clear_clipboard(fingerprint))
        self.notify(f"Copied. The clipboard is cleared in {seconds:g} s.", title="Clipboard")

    def _clear_clipboard(self, fingerprint: str) -> None:
        if self._clipboard_fingerprint != fingerprint:
            return  # a later copy owns the clipboard now
        self._clipboard_fingerprint = None
        if self.clipboard and _fingerprint(self.clipboard) == fingerprint:
            self.copy_to_clipboard("")
            self.notify("Clipboard cleared.", title="Clipboard")

    def on_app_blur(self) -> None:
        # The terminal lost focus: hide any revealed value.
        remask = getattr(self.screen, "remask", None)
        if callable(remask):
            remask()

    # ---- actions ----------------------------------------------------------------------
    def action_help(self) -> None:
        from screens.dialogs import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_lookup(self) -> None:
        from textual.command import CommandPalette

        # Textual types the argument App[object] (invariant); any App is accepted at run time
        if not CommandPalette.is_open(cast("App[object]", self)):
            self.push_screen(
                CommandPalette(
                    providers=[LookupProvider],
                    placeholder="Find a vault, secret or Logic App (loaded so far)…",
                    id="--command-palette",
                )
            )

    def jump_to(self, kind: str, key: str) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.main.jump(kind, key)

    def action_refresh(self) -> None:
        self.connect(reuse=True)

    def action_pin_vault(self) -> None:
        from console.vault_uri import check_vault_uri
        from screens.dialogs import ErrorDialog, PinVaultDialog

        def done(uri: str | None) -> None:
            if not uri:
                return
            try:
                self.update_settings(self.settings.with_pinned(uri))
            except ValueError as exc:
                self.push_screen(ErrorDialog(ConsoleError(str(exc))))
                return
            self.main.show_pinned()
            self.notify(f"Pinned {uri}", markup=False)

        cloud = self._pin_cloud()
        self.push_screen(PinVaultDialog(lambda uri: check_vault_uri(uri, cloud)), done)

    def _pin_cloud(self) -> Cloud:
        """The cloud whose vault hosts may be pinned (the local emulator's in the demo)."""
        from console.clouds import CLOUDS, emulator_cloud

        return (
            emulator_cloud("https://127.0.0.1") if self.options.demo else CLOUDS[self.options.cloud]
        )

    def action_subscriptions(self) -> None:
        subs = list(self.catalog.subscriptions.values())
        if self.service is None:
            return

        def done(chosen: tuple[str, ...] | None) -> None:
            if chosen is None:
                return
            self.update_settings(replace(self.settings, subscriptions=chosen))
            self.connect(reuse=True)

        self._pick_subscriptions(subs, done)

    @work(group="subs", exclusive=True, exit_on_error=False)
    async def _pick_subscriptions(
        self, known: list[Subscription], done: Callable[[tuple[str, ...] | None], None]
    ) -> None:
        from screens.dialogs import ErrorDialog
        from screens.signin import SubscriptionPicker

        if self.service is None:  # signed out meanwhile: action_subscriptions checked it
            return
        try:
            subs = await self.service.list_subscriptions()
        except ConsoleError as exc:
            self.push_screen(ErrorDialog(exc, "listing subscriptions"))
            return
        self.push_screen(SubscriptionPicker(subs or known, self.settings.subscriptions), done)

    def action_signin_settings(self) -> None:
        from console.credentials import keyring_available
        from screens.dialogs import ErrorDialog
        from screens.signin import SignInChoice, SignInSettingsScreen

        note = "" if keyring_available() else (
            "No OS keyring here: a service principal secret cannot be stored. Use the default "
            "sign-in with AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET, or az login."
        )  # fmt: skip

        def done(choice: SignInChoice | None) -> None:
            if choice is None:
                return
            if choice.client_secret is not None:
                from console.credentials import store_client_secret

                try:
                    store_client_secret(choice.settings.tenant_id, choice.settings.client_id,
                                        choice.client_secret)  # fmt: skip
                except ConsoleError as exc:
                    self.push_screen(ErrorDialog(exc, "storing the client secret"))
                    return
            self.update_settings(choice.settings)
            if self.options.demo:
                self.notify("Saved. The demo always signs in to the emulator.")
                return
            self.connect()

        self.push_screen(SignInSettingsScreen(self.settings, note), done)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Workers catch ConsoleError themselves; anything else lands here, not in a crash.
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.show_error(event.worker.error, f"while {event.worker.name or 'working'}")

    def show_error(self, error: BaseException, context: str = "") -> None:
        from screens.dialogs import ErrorDialog

        self.push_screen(ErrorDialog(error, context))

    async def on_unmount(self) -> None:
        if self.service is not None:
            with contextlib.suppress(Exception):  # closing on the way out must not crash
                await self.service.close()
        if self.demo_session is not None and self._owns_demo:
            await asyncio.to_thread(self.demo_session.stop)
            self.demo_session = None


def make_app(
    *,
    connect: Connect,
    demo: bool = False,
    seed: str = "demo",
    state: Path | None = None,
    read_only: bool = False,
    cloud: str = "AzureCloud",
    tenant: str | None = None,
    subscriptions: tuple[str, ...] = (),
    settings: Settings | None = None,
    settings_file: Path | None = None,
    demo_session: Any = None,
) -> KvConsoleApp:
    """Build settings and options, then the app (tests call this too)."""
    problem = None
    if settings is None:
        loaded = load_settings(settings_file)
        settings, problem = loaded.settings, loaded.problem
    options = AppOptions(demo=demo, seed=seed, state=state, read_only=read_only, cloud=cloud,
                         tenant=tenant, subscriptions=tuple(subscriptions))  # fmt: skip
    return KvConsoleApp(options, settings, connect=connect, settings_file=settings_file,
                        settings_problem=problem, demo_session=demo_session)  # fmt: skip
