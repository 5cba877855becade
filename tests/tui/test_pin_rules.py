"""Pinning a vault: in the demo nothing leaves the machine; bad URIs keep what was typed."""

from __future__ import annotations

from textual.widgets import Input, Static

from screens.cli import make_app
from screens.dialogs import PinVaultDialog
from tests.tui.conftest import SIZE
from tests.tui.helpers import loaded


async def test_demo_refuses_a_real_vault_host_and_keeps_the_text(demo, tmp_path) -> None:
    app = make_app(demo=True, settings_file=tmp_path / "s.json", demo_session=demo)
    typed = "https://user:pw@kv-prod.vault.azure.net/"
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("p")
        await pilot.pause()
        await pilot.press(*typed, "enter")
        await pilot.pause()
        assert isinstance(app.screen, PinVaultDialog)
        assert app.screen.query_one("#uri", Input).value == typed
        error = str(app.screen.query_one("#dialog-error", Static).render())
        assert "user name or password" in error
        field = app.screen.query_one("#uri", Input)
        field.value = "https://kv-prod.vault.azure.net/"
        await pilot.press("enter")
        await pilot.pause()
        error = str(app.screen.query_one("#dialog-error", Static).render())
        assert "only the emulator" in error
        assert app.settings.pinned_vaults == ()
