"""The console against the embedded demo tenant, driven as a user would (Pilot)."""

from __future__ import annotations

import gc

from textual.widgets import ContentSwitcher, Static, TabbedContent

from console.masked import MASK
from screens.cli import pause_gc_for_startup
from screens.secret import SecretScreen
from screens.widgets.nav import NavTree, NodeRef
from screens.widgets.virtual_list import VirtualList
from tests.tui.conftest import SIZE
from tests.tui.helpers import loaded, wait_for


def names(app, selector: str = "#items") -> list[str]:
    return [row.cells[0] for row in app.main.query_one(selector, VirtualList).visible_rows()]


def static_text(app, selector: str) -> str:
    widget = app.screen.query_one(selector, Static)
    return str(widget.render())


async def go(pilot, ref: NodeRef) -> None:
    nav = pilot.app.main.query_one("#nav", NavTree)
    node = nav.node_for(ref)
    assert node is not None, ref
    nav.focus()
    nav.move_cursor(node)
    await pilot.press("enter")
    await pilot.pause()


def ref_for(app, kind: str, rg: str) -> NodeRef:
    sub = next(
        v.subscription_id
        for v in app.catalog.in_scope("vaults", None, None)
        if v.resource_group == "rg-payments"
    )
    return NodeRef(kind, sub, rg)


async def open_vault(pilot, name: str) -> None:
    app = pilot.app
    await go(pilot, NodeRef("tenant"))
    items = app.main.query_one("#items", VirtualList)
    vault = next(v for v in app.catalog.vaults.values() if v.name == name)
    assert items.select_key(vault.uri)
    await pilot.pause()


async def test_demo_sign_in_says_demo(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert "DEMO" in app.title
        nav = app.main.query_one("#nav", NavTree)
        assert "DEMO" in str(nav.root.label)
        subs = sorted(s.display_name for s in app.catalog.subscriptions.values())
        assert subs == ["Contoso Development", "Contoso Production"]


async def test_navigating_to_each_kind(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await go(pilot, ref_for(app, "vaults", "rg-payments"))
        assert names(app) == ["kv-payments-locked", "kv-payments-open"]
        await go(pilot, ref_for(app, "logic_apps", "rg-integration"))
        assert "la-payments-ready" in names(app) and "la-no-identity" in names(app)
        await go(pilot, ref_for(app, "identities", "rg-integration"))
        assert "id-integration-shared" in names(app) and "la-payments-ready" in names(app)
        await go(pilot, NodeRef("principals"))
        rows = app.main.query_one("#items", VirtualList).visible_rows()
        orphans = [r for r in rows if "orphaned" in r.cells[1]]
        assert len(orphans) == 1 and "alice@contoso.example" in [r.cells[0] for r in rows]
        # The details of the focused Logic App: its Key Vault action and Secure settings.
        await go(pilot, ref_for(app, "logic_apps", "rg-integration"))
        items = app.main.query_one("#items", VirtualList)
        items.select_key(app.catalog.in_scope("logic_apps", None, None)[0].id)  # make it current
        app_id = next(
            a.id for a in app.catalog.logic_apps.values() if a.name == "la-connector-insecure"
        )
        items.select_key(app_id)
        await pilot.pause()
        body = static_text(app, "#logic-body")
        assert "Get_secret" in body and "Secure outputs: OFF" in body
        assert "ManagedServiceIdentity" in body


async def test_filtering_as_you_type(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await go(pilot, NodeRef("tenant"))
        assert len(names(app)) == 4
        await pilot.press("slash", "l", "o", "c")
        assert names(app) == ["kv-payments-locked"]
        await pilot.press("backspace", "backspace", "backspace")
        assert len(names(app)) == 4
        await pilot.press("n", "o", "p", "e", "n", "d")  # matches nothing
        assert names(app) == []
        await pilot.press(*["backspace"] * 6, "o", "p", "e", "n", "enter")
        assert names(app) == ["kv-payments-open"]
        items = app.main.query_one("#items", VirtualList)
        assert app.focused is items and items.highlighted.cells[0] == "kv-payments-open"


async def test_filtering_the_secrets_of_a_vault(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await open_vault(pilot, "kv-payments-open")
        everything = names(app, "#secrets")
        assert len(everything) > 1 and "payments-api-key" in everything
        app.main.query_one("#secrets", VirtualList).focus()
        await pilot.press("slash", *"api-key")
        assert names(app, "#secrets") == ["payments-api-key"]
        await pilot.press("enter")
        assert app.focused is app.main.query_one("#secrets", VirtualList)
        await open_vault(pilot, "kv-payments-locked")  # another vault: the filter is cleared
        await open_vault(pilot, "kv-payments-open")
        assert app.main.query_one("#secret-filter").value == ""
        assert names(app, "#secrets") == everything


async def test_vault_tabs(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await open_vault(pilot, "kv-payments-open")
        switcher = app.main.query_one("#detail", ContentSwitcher)
        assert switcher.current == "vault-detail"
        assert "payments-api-key" in names(app, "#secrets")
        await pilot.press("2")
        assert app.main.query_one("#vault-tabs", TabbedContent).active == "tab-access"
        access = app.main.query_one("#access", VirtualList).visible_rows()
        by_name = {r.cells[0]: r.cells[1] for r in access}
        assert by_name.get("la-payments-ready", "").startswith("Logic App")
        assert any("orphaned" in kind for kind in by_name.values())
        await pilot.press("3")
        network = static_text(app, "#network-body")
        assert "Default action" in network and "Allow" in network
        await pilot.press("4")
        props = static_text(app, "#properties-body")
        assert "Purge protection" in props and "Soft delete" in props and "URI" in props
        # An RBAC vault lists role assignments instead of access policies.
        await open_vault(pilot, "kv-platform-rbac")
        await pilot.press("2")
        await wait_for(
            pilot,
            lambda: app.main.query_one("#access", VirtualList).row_count > 0,
            "role assignments",
        )
        assert "RBAC" in static_text(app, "#access-mode")


async def test_an_error_in_one_vault_while_the_others_load(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await go(pilot, NodeRef("tenant"))
        rows = {r.cells[0]: r for r in app.main.query_one("#items", VirtualList).visible_rows()}
        assert rows["kv-payments-locked"].tone == "error"
        assert "firewall" in rows["kv-payments-locked"].cells[3].lower()
        assert rows["kv-payments-open"].cells[3] == "5"
        await open_vault(pilot, "kv-payments-locked")
        status = static_text(app, "#secrets-status")
        assert "Blocked by the vault firewall" in status and "203.0.113.10" in status
        assert status.strip().lower() != "forbidden"


async def secret_screen(pilot, vault: str, secret: str) -> SecretScreen:
    await open_vault(pilot, vault)
    app = pilot.app
    table = app.main.query_one("#secrets", VirtualList)
    table.focus()
    assert table.select_key(secret, post=False)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, SecretScreen), "the secret view")
    return app.screen


def secret_value(demo, vault: str, name: str) -> str:
    return demo.emulator.state.vault_secrets(vault)[name].latest.value


async def test_reveal_and_remask(make_demo_app, demo) -> None:
    app = make_demo_app(reveal_timeout=0.3)
    value = secret_value(demo, "kv-payments-open", "payments-api-key")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = await secret_screen(pilot, "kv-payments-open", "payments-api-key")
        shown = lambda: str(screen.query_one("#secret-value", Static).render())  # noqa: E731
        assert shown() == MASK
        await pilot.press("r")
        await wait_for(pilot, lambda: shown() == value, "the revealed value")
        await wait_for(pilot, lambda: shown() == MASK, "re-masking after the timeout")
        # Leaving the view hides it too.
        app.settings = app.settings.__class__(reveal_timeout=60)
        await pilot.press("r")
        await wait_for(pilot, lambda: shown() == value, "the revealed value")
        await pilot.press("escape")
        assert not screen.revealed and not isinstance(app.screen, SecretScreen)


async def test_copy_then_clipboard_cleared(make_demo_app, demo) -> None:
    app = make_demo_app(clipboard_timeout=0.3)
    value = secret_value(demo, "kv-payments-open", "db-connection-string")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await secret_screen(pilot, "kv-payments-open", "db-connection-string")
        await pilot.press("c")
        await wait_for(pilot, lambda: app.clipboard == value, "the copy")
        assert str(app.screen.query_one("#secret-value", Static).render()) == MASK
        await wait_for(pilot, lambda: app.clipboard == "", "the clipboard to be cleared")


async def test_quick_lookup_opens_a_secret_masked(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+k")
        await pilot.press(*"legacy-ftp")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SecretScreen), "the secret view")
        assert app.screen.props.name == "legacy-ftp-password"
        assert str(app.screen.query_one("#secret-value", Static).render()) == MASK
        # A vault found this way is selected in its list.
        await pilot.press("escape")
        await pilot.press("ctrl+k", *"kv-dev-nop")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.main.query_one("#items", VirtualList).highlighted.cells[0] == "kv-dev-nopurge"


async def test_markup_in_azure_text_stays_plain(make_demo_app) -> None:
    from screens.widgets.virtual_list import Row

    app = make_demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        items = app.main.query_one("#items", VirtualList)
        items.set_rows([Row("k", ("[bold]kv[/bold] [link=x]", "a", "b", "c"))])
        await pilot.pause()
        assert "[bold]kv[/bold]" in "".join(s.text for s in items.render_line(1))


async def test_crash_output_never_shows_locals(make_demo_app, capfd) -> None:
    """An unhandled error prints a traceback, never the local variables (a secret's home)."""
    canary = "canary-value-8d2f61"
    app = make_demo_app()

    def explode() -> None:
        secret_local = "".join(reversed(canary))[::-1]  # noqa: F841 - must not be printed
        raise RuntimeError("handler failed")

    try:
        async with app.run_test(size=SIZE) as pilot:
            app.call_later(explode)
            await pilot.pause()
    except RuntimeError:
        pass
    app._print_error_renderables()
    out, err = capfd.readouterr()
    assert app.return_code == 1
    assert "handler failed" in out + err and "Traceback" in out + err
    assert canary not in out + err


async def test_a_resource_group_node_lists_its_vaults_with_vault_columns(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        sub = next(
            v.subscription_id
            for v in app.catalog.in_scope("vaults", None, None)
            if v.resource_group == "rg-payments"
        )
        await go(pilot, NodeRef("rg", sub, "rg-payments"))
        items = app.main.query_one("#items", VirtualList)
        assert names(app) == ["kv-payments-locked", "kv-payments-open"]
        assert [c.title for c in items.columns][:2] == ["Name", "Access"]
        await go(pilot, NodeRef("principals"))
        assert [c.title for c in items.columns] == ["Name", "Kind", "Grants"]
        assert "Principals" in static_text(app, "#list-title")


async def test_the_gc_paused_for_start_up_is_on_again_after_the_first_paint(make_demo_app) -> None:
    pause_gc_for_startup()  # as `kvconsole` does before it loads the app
    try:
        assert not gc.isenabled()
        app = make_demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            assert gc.isenabled()
    finally:
        gc.enable()


async def test_the_detail_pane_follows_the_row_the_filter_highlights(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await go(pilot, NodeRef("tenant"))
        await pilot.press("slash", *"payments-open")
        assert names(app) == ["kv-payments-open"]
        await pilot.pause()
        assert "kv-payments-open" in static_text(app, "#vault-title")
        await pilot.press(*["backspace"] * 4, "l", "o", "c")  # "payments-loc"
        await pilot.pause()
        assert "kv-payments-locked" in static_text(app, "#vault-title")


async def test_tree_counts_match_the_tenant(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        nav = app.main.query_one("#nav", NavTree)

        def label(kind: str, rg: str) -> str:
            ref = ref_for(app, kind, rg)
            return str(nav.node_for(ref).label)

        assert label("vaults", "rg-payments") == "Key Vaults (2)"
        assert label("logic_apps", "rg-integration") == "Logic Apps (6)"
        assert label("identities", "rg-integration") == "Identities (1)"
        assert str(nav.node_for(NodeRef("principals")).label) == "Principals (all) (9)"


async def test_refresh_reloads_the_tenant_and_its_secret_names(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        before = app.catalog
        await go(pilot, NodeRef("tenant"))
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.catalog is not before, "the refresh to start")
        await loaded(pilot)  # every vault's secret names listed again, in the background
        assert len(names(app)) == 4
        vault = next(v for v in app.catalog.vaults.values() if v.name == "kv-payments-open")
        listing = app.catalog.listing(vault.uri)
        assert "payments-api-key" in listing.items


async def test_many_subscriptions_load_through_resource_graph(make_demo_app, monkeypatch) -> None:
    import console.loader
    from console.service import AzureService

    calls: list[str] = []
    per_subscription = (
        "iter_vault_pages",
        "list_logic_apps",
        "list_user_assigned_identities",
        "list_resource_groups",
    )
    for name in per_subscription:
        real = getattr(AzureService, name)
        monkeypatch.setattr(
            AzureService,
            name,
            lambda self, *a, real=real, name=name, **k: (calls.append(name), real(self, *a, **k))[
                1
            ],
        )
    monkeypatch.setattr(console.loader, "RESOURCE_GRAPH_FROM", 1)  # the demo has 2 subscriptions
    app = make_demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await go(pilot, NodeRef("tenant"))
        assert len(names(app)) == 4
        nav = app.main.query_one("#nav", NavTree)
        assert str(nav.node_for(ref_for(app, "identities", "rg-integration")).label) == (
            "Identities (1)"
        )
        assert str(nav.node_for(ref_for(app, "logic_apps", "rg-integration")).label) == (
            "Logic Apps (6)"
        )
    assert calls == []  # nothing listed subscription by subscription


async def test_without_resource_graph_each_subscription_is_listed(
    make_demo_app, monkeypatch
) -> None:
    import console.loader
    from console.errors import ServiceError
    from console.service import AzureService

    async def refused(self, subscription_ids):
        raise ServiceError("Resource Graph is not available.")
        yield  # an async generator, as the real one

    monkeypatch.setattr(AzureService, "iter_resource_group_pages", refused)
    monkeypatch.setattr(console.loader, "RESOURCE_GRAPH_FROM", 1)
    app = make_demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await go(pilot, NodeRef("tenant"))
        assert len(names(app)) == 4
        groups = {g.name for gs in app.catalog.resource_groups.values() for g in gs}
        assert {"rg-integration", "rg-payments", "rg-platform", "rg-dev-sandbox"} <= groups
        assert not app.catalog.errors  # the fallback listed everything
