"""A corrupt --state file in the demo: the console says which file and what to do with it."""

from __future__ import annotations

from textual.widgets import Static

from screens.cli import make_app
from screens.signin import ProblemScreen
from tests.tui.conftest import SIZE
from tests.tui.helpers import wait_for


async def test_the_state_file_error_and_its_fix_are_shown(tmp_path) -> None:
    state = tmp_path / "tenant.json"
    state.write_text("{not json")
    app = make_app(demo=True, state=state, settings_file=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ProblemScreen), "the problem screen")
        text = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert str(state) in text and "unreadable" in text
        assert "Move the state file aside" in text and "az login" not in text
    assert state.read_text() == "{not json"  # nothing overwritten
