"""Sign-in as a person meets it: problems say what is wrong and the key that fixes it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import keyring
import pytest
from textual.widgets import Label, SelectionList, Static

from console.demo import DemoSession
from console.settings import Settings
from emulator.faults import install
from emulator.seeds import build_state
from emulator.server import EmulatorThread
from screens.cli import make_app
from screens.signin import DeviceCodeScreen, ProblemScreen, SubscriptionPicker
from screens.widgets.nav import NavTree, NodeRef
from screens.widgets.virtual_list import VirtualList
from tests.core.test_credentials import MemoryKeyring
from tests.tui.conftest import SIZE
from tests.tui.helpers import loaded, wait_for


def start(state) -> DemoSession:
    thread = EmulatorThread(state)
    thread.start()
    return DemoSession(thread)


@pytest.fixture
def session() -> Iterator[DemoSession]:
    demo = start(build_state("demo"))
    yield demo
    demo.stop()


def problem_text(app) -> str:
    screen = app.screen
    parts = [str(w.render()) for w in screen.query(Label)]
    parts += [str(w.render()) for w in screen.query(Static)]
    return "\n".join(parts)


async def test_service_principal_without_a_stored_secret_says_what_to_do(tmp_path) -> None:
    keyring.set_keyring(MemoryKeyring())
    settings = replace(
        Settings(),
        auth_mode="service_principal",
        tenant_id="00000000-0000-0000-0000-000000000001",
        client_id="00000000-0000-0000-0000-000000000002",
    )
    app = make_app(settings=settings, settings_file=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ProblemScreen), "the problem")
        await pilot.pause()  # let the problem screen finish mounting before reading it
        text = problem_text(app)
        assert "Not signed in" in text
        assert "No secret is stored in the keyring" in text and "press s" in text
        assert "az login" in text  # the exact command that fixes it


async def test_an_expired_sign_in_is_explained_and_retry_works(
    session: DemoSession, tmp_path
) -> None:
    install(session.emulator, "expire@GET /subscriptions:once")
    app = make_app(demo=True, settings_file=tmp_path / "s.json", demo_session=session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ProblemScreen), "the problem")
        assert "Not signed in, or the sign-in has expired." in problem_text(app)
        await pilot.press("r")
        await loaded(pilot)
        assert not isinstance(app.screen, ProblemScreen)
        assert len(app.catalog.subscriptions) == 2


async def test_no_subscription_visible_says_how_to_get_one(tmp_path) -> None:
    state = build_state("demo")
    admin = state.info["demo_principal_id"]
    for key, ra in list(state.role_assignments.items()):
        if ra["properties"]["principalId"] == admin:  # any role inside makes a subscription seen
            del state.role_assignments[key]
    demo = start(state)
    try:
        app = make_app(demo=True, settings_file=tmp_path / "s.json", demo_session=demo)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ProblemScreen), "the problem")
            await pilot.pause()
            text = problem_text(app)
            assert "no subscription is visible" in text
            assert "Reader is enough" in text and "pin a vault" in text
    finally:
        demo.stop()


async def test_device_code_is_shown_and_copyable(tmp_path) -> None:
    keyring.set_keyring(MemoryKeyring())
    settings = replace(Settings(), auth_mode="service_principal", tenant_id="t", client_id="c")
    app = make_app(settings=settings, settings_file=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ProblemScreen), "start-up")
        await pilot.pause()
        app.push_screen(DeviceCodeScreen("https://microsoft.com/devicelogin", "ABCD-1234"))
        await pilot.pause()
        assert "ABCD-1234" in str(app.screen.query_one("#device-code", Static).render())
        await pilot.press("c")
        assert app.clipboard == "ABCD-1234"


async def test_subscription_picker_limits_the_tree(session: DemoSession, tmp_path) -> None:
    app = make_app(demo=True, settings_file=tmp_path / "s.json", demo_session=session)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, SubscriptionPicker), "the picker")
        subs = app.screen.query_one("#subs", SelectionList)
        dev = next(
            s.subscription_id
            for s in app.catalog.subscriptions.values()
            if s.display_name == "Contoso Development"
        )
        subs.deselect(dev)
        await pilot.click("#ok")
        await wait_for(
            pilot,
            lambda: dev not in app.catalog.subscriptions and len(app.catalog.subscriptions) == 1,
            "the reload",
        )
        assert app.settings.subscriptions and dev not in app.settings.subscriptions
        assert dev not in (tmp_path / "s.json").read_text()


async def test_a_vault_pinned_by_uri_is_browsable(session: DemoSession, tmp_path) -> None:
    uri = session.emulator.vault_uri("kv-payments-open")
    app = make_app(demo=True, settings_file=tmp_path / "s.json", demo_session=session)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("p")
        await pilot.pause()
        await pilot.press(*"not a uri")
        await pilot.press("enter")
        await pilot.pause()
        error = str(app.screen.query_one("#dialog-error", Static).render())
        assert error  # a clear message, and the dialog stays open with what was typed
        for _ in range(len("not a uri")):
            await pilot.press("backspace")
        await pilot.press(*uri)
        await pilot.press("enter")
        await wait_for(pilot, lambda: uri in app.settings.pinned_vaults, "the pin")
        nav = app.main.query_one("#nav", NavTree)
        node = nav.node_for(NodeRef("pinned"))
        nav.move_cursor(node)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: app.main.query_one("#items", VirtualList).row_count == 1,
            "the pinned list",
        )
        await wait_for(pilot, lambda: app.catalog.listing(uri).done, "its secrets")
        assert "payments-api-key" in app.catalog.listing(uri).items
