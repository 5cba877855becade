"""The access check screen: diagram, checklist, test run explained, Fix opens the wizard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import OptionList, Static

from console.demo import DemoSession, start_demo
from console.models import Permissions
from screens.access_check import AccessCheckScreen
from screens.cli import make_app
from screens.widgets.nav import NodeRef
from screens.widgets.virtual_list import VirtualList
from tests.tui.conftest import SIZE
from tests.tui.helpers import loaded, wait_for


@pytest.fixture
def own_demo() -> Iterator[DemoSession]:
    session = start_demo()  # writable: a test run is a write
    yield session
    session.stop()


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def open_check(pilot, logic_app: str) -> AccessCheckScreen:
    app = pilot.app
    target = next(a for a in app.catalog.logic_apps.values() if a.name == logic_app)
    main = app.main
    main.show_list(NodeRef("logic_apps", target.subscription_id, target.resource_group.lower()))
    main.query_one("#items", VirtualList).select_key(target.id, post=False)
    main.query_one("#items", VirtualList).focus()
    await pilot.press("a")
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, AccessCheckScreen) and app.screen.report is not None,
        "the access check",
    )
    return app.screen


async def test_check_run_and_fix_from_the_checklist(own_demo: DemoSession, tmp_path) -> None:
    app = make_app(demo=True, settings_file=tmp_path / "s.json", demo_session=own_demo)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = await open_check(pilot, "la-identity-no-grant")
        chain = text_of(screen, "#check-chain")
        assert "✔ identity ─▶ ✖ grant ─▶ ✔ firewall" in chain
        options = screen.query_one("#check-list", OptionList)
        assert options.highlighted == 1  # the first failing line
        assert "Fix (f): grant access" in text_of(screen, "#check-detail")

        await pilot.press("t")
        await wait_for(
            pilot,
            lambda: (
                "Test run" in text_of(screen, "#check-run")
                and "Failed" in text_of(screen, "#check-run")
            ),
            "the test run",
        )
        run = text_of(screen, "#check-run")
        assert "Get_secret" in run and "Forbidden" in run
        assert "Why: Permission on the vault" in run  # the 403 explained through the checklist

        await pilot.press("f")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "GrantWizard", "the wizard")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "back to the check")

        # Fix it behind the screen's back, then re-check: every line passes, the run succeeds.
        target = next(
            a for a in app.catalog.logic_apps.values() if a.name == "la-identity-no-grant"
        )
        vault = next(v for v in app.catalog.vaults.values() if v.name == "kv-payments-open")
        await app.service.add_access_policy(
            vault.id, target.identity.principal_id, Permissions(secrets=("get",))
        )
        await pilot.press("t")
        await wait_for(pilot, lambda: "Succeeded" in text_of(screen, "#check-run"), "a green run")
        await wait_for(pilot, lambda: "✖" not in text_of(screen, "#check-chain"), "a green chain")
        assert "FINDING" not in text_of(screen, "#check-run")


async def test_a_run_that_leaks_a_secret_is_flagged(own_demo: DemoSession, tmp_path) -> None:
    app = make_app(demo=True, settings_file=tmp_path / "s.json", demo_session=own_demo)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = await open_check(pilot, "la-connector-insecure")
        assert "✖ secure outputs" in text_of(screen, "#check-chain")
        await pilot.press("t")
        await wait_for(pilot, lambda: "Succeeded" in text_of(screen, "#check-run"), "the run")
        run = text_of(screen, "#check-run")
        assert "FINDING: the run history shows this action's secret value in clear" in run
        assert "demo-not-a-real-secret" not in run


async def test_read_only_refuses_the_test_run(own_demo: DemoSession, tmp_path) -> None:
    app = make_app(
        demo=True, read_only=True, settings_file=tmp_path / "s.json", demo_session=own_demo
    )
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = await open_check(pilot, "la-payments-ready")
        await pilot.press("t")
        await wait_for(pilot, lambda: "refused" in text_of(screen, "#check-run"), "the refusal")
        assert "Read-only" in text_of(screen, "#check-run")
        assert own_demo.emulator.state.runs == {}


async def test_wizard_keys_open_prefilled_wizards(own_demo: DemoSession, tmp_path) -> None:
    app = make_app(demo=True, settings_file=tmp_path / "s.json", demo_session=own_demo)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        target = next(a for a in app.catalog.logic_apps.values() if a.name == "la-no-identity")
        main = app.main
        main.show_list(NodeRef("logic_apps", target.subscription_id, target.resource_group.lower()))
        main.query_one("#items", VirtualList).select_key(target.id, post=False)
        main.query_one("#items", VirtualList).focus()
        for key, wizard in (("i", "IdentityWizard"), ("g", "GrantWizard"), ("S", "SetupWizard")):
            await pilot.press(key)
            await wait_for(pilot, lambda w=wizard: type(app.screen).__name__ == w, wizard)
            assert app.screen.prefill.get("logic_app_id") == target.id
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is main, "back to the main screen")


async def test_access_check_from_a_secret(own_demo: DemoSession, tmp_path) -> None:
    from screens.secret import SecretScreen

    app = make_app(demo=True, settings_file=tmp_path / "s.json", demo_session=own_demo)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        vault = next(v for v in app.catalog.vaults.values() if v.name == "kv-payments-open")
        props = app.catalog.listing(vault.uri).items["payments-api-key"]
        app.push_screen(SecretScreen(app.service, vault, props))
        await pilot.pause()
        await pilot.press("a")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, AccessCheckScreen) and app.screen.report is not None,
            "the access check",
        )
        assert app.screen.report.logic_app == "la-payments-ready"
        assert app.screen.report.secret_name == "payments-api-key"
        assert app.screen.report.ok


async def test_fix_through_the_wizard_then_the_check_and_a_run_pass(own_demo, tmp_path) -> None:
    """The whole loop in the real app: check → Fix → grant wizard → apply → check → test run."""
    from tests.tui.wizard_kit import apply, click, idle, to_preview

    app = make_app(demo=True, settings_file=tmp_path / "s.json", demo_session=own_demo)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        check = await open_check(pilot, "la-identity-no-grant")
        assert "✖ grant" in text_of(check, "#check-chain")
        await pilot.press("f")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "GrantWizard", "the wizard")
        wizard = app.screen
        await idle(pilot, wizard)
        await click(pilot, "#next")
        await click(pilot, "#next-vault")
        await to_preview(pilot, wizard, "#next-perms")
        await apply(pilot, wizard)
        assert "secrets get" in str(wizard.query_one("#result-verified", Static).render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is check, "back to the check")
        await wait_for(pilot, lambda: "✖" not in text_of(check, "#check-chain"), "a green chain")
        await pilot.press("t")
        await wait_for(pilot, lambda: "Succeeded" in text_of(check, "#check-run"), "a green run")
        assert "FINDING" not in text_of(check, "#check-run")
