"""SVG snapshots of the main screens (values masked), and no demo secret in any snapshot."""

from __future__ import annotations

from pathlib import Path

from screens.secret import SecretScreen
from screens.widgets.nav import NavTree, NodeRef
from screens.widgets.virtual_list import VirtualList
from tests.tui.conftest import SIZE, demo_secret_values
from tests.tui.helpers import loaded, wait_for

SNAPSHOTS = Path(__file__).parent / "__snapshots__"


async def _main_vault(pilot) -> None:
    await loaded(pilot)
    app = pilot.app
    vault = next(v for v in app.catalog.vaults.values() if v.name == "kv-payments-open")
    app.main.query_one("#items", VirtualList).select_key(vault.uri)
    secrets = app.main.query_one("#secrets", VirtualList)
    expected = len(app.catalog.listing(vault.uri).items)
    await wait_for(pilot, lambda: secrets.row_count == expected, "the vault's secrets shown")
    await pilot.pause()


def test_snapshot_vault_secrets(snap_compare, make_demo_app) -> None:
    assert snap_compare(make_demo_app(), run_before=_main_vault, terminal_size=SIZE)


def test_snapshot_vault_access(snap_compare, make_demo_app) -> None:
    async def run_before(pilot) -> None:
        await _main_vault(pilot)
        await pilot.press("2")

    assert snap_compare(make_demo_app(), run_before=run_before, terminal_size=SIZE)


def test_snapshot_locked_vault_error(snap_compare, make_demo_app) -> None:
    async def run_before(pilot) -> None:
        await loaded(pilot)
        app = pilot.app
        vault = next(v for v in app.catalog.vaults.values() if v.name == "kv-payments-locked")
        app.main.query_one("#items", VirtualList).select_key(vault.uri)
        await pilot.pause()

    assert snap_compare(make_demo_app(), run_before=run_before, terminal_size=SIZE)


def test_snapshot_principals(snap_compare, make_demo_app) -> None:
    async def run_before(pilot) -> None:
        await loaded(pilot)
        nav = pilot.app.main.query_one("#nav", NavTree)
        nav.move_cursor(nav.node_for(NodeRef("principals")))
        await pilot.pause()

    assert snap_compare(make_demo_app(), run_before=run_before, terminal_size=SIZE)


def test_snapshot_secret_view_masked(snap_compare, make_demo_app) -> None:
    async def run_before(pilot) -> None:
        await _main_vault(pilot)
        table = pilot.app.main.query_one("#secrets", VirtualList)
        table.focus()
        table.select_key("payments-api-key")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SecretScreen), "the secret view")
        versions = pilot.app.screen.query_one("#versions", VirtualList)
        await wait_for(pilot, lambda: versions.row_count > 0, "the secret's versions")
        await loaded(pilot)

    assert snap_compare(make_demo_app(), run_before=run_before, terminal_size=SIZE)


def test_no_demo_secret_in_any_snapshot(demo) -> None:
    files = list(SNAPSHOTS.rglob("*.svg"))
    assert files, "run pytest tests/tui --snapshot-update once"
    values = demo_secret_values(demo)
    assert values
    for path in files:
        text = path.read_text(encoding="utf-8")
        # SVG text escapes spaces as &#160;: compare both forms.
        normal = text.replace("&#160;", " ")
        leaked = [v for v in values if v in text or v in normal]
        assert not leaked, f"{path.name} shows a secret value"
