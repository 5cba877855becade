"""The list that holds big vaults: rows arriving in batches, scrolling, type-to-filter."""

from __future__ import annotations

from textual.app import App, ComposeResult

from screens.widgets.filter_input import FilterInput
from screens.widgets.virtual_list import Column, Row, VirtualList


def rows(start: int, stop: int) -> list[Row]:
    return [Row(f"s-{i:05d}", (f"s-{i:05d}", "yes")) for i in range(start, stop)]


class ListApp(App[None]):
    def compose(self) -> ComposeResult:
        yield FilterInput("#items", id="filter")
        yield VirtualList([Column("Name"), Column("On", 3)], id="items")


def line_text(vl: VirtualList, y: int) -> str:
    return vl.render_line(y).text.strip()


async def test_rows_arriving_in_batches_can_all_be_reached() -> None:
    app = ListApp()
    async with app.run_test(size=(60, 20)) as pilot:
        vl = app.query_one(VirtualList)
        vl.focus()
        for start in range(0, 1000, 25):  # as pages arrive while the vault loads
            vl.add_rows(rows(start, start + 25))
            await pilot.pause()
        assert vl.show_vertical_scrollbar
        assert vl.vertical_scrollbar.window_virtual_size == 1001  # the thumb knows every row
        await pilot.press("end")
        assert vl.highlighted.key == "s-00999"
        last_line = vl.scrollable_content_region.height - 1
        assert line_text(vl, last_line).startswith("s-00999")
        await pilot.press("home")
        assert line_text(vl, 1).startswith("s-00000")


async def test_filtering_down_to_a_few_rows_drops_the_scrollbar_and_back() -> None:
    app = ListApp()
    async with app.run_test(size=(60, 20)) as pilot:
        vl = app.query_one(VirtualList)
        vl.add_rows(rows(0, 500))
        await pilot.pause()
        assert vl.show_vertical_scrollbar
        await pilot.click("#filter")
        await pilot.press(*"s-0049")
        assert [r.key for r in vl.visible_rows()] == [f"s-0049{i}" for i in range(10)]
        assert not vl.show_vertical_scrollbar
        await pilot.press("backspace", "backspace")
        assert vl.visible_count == 500 and vl.show_vertical_scrollbar
        await pilot.press("enter")
        assert app.focused is vl


async def test_a_filter_that_matches_nothing_says_so() -> None:
    app = ListApp()
    async with app.run_test(size=(60, 20)) as pilot:
        vl = app.query_one(VirtualList)
        vl.empty_text = "No secrets match."
        vl.add_rows(rows(0, 50))
        await pilot.click("#filter")
        await pilot.press(*"nope")
        assert vl.visible_count == 0
        assert line_text(vl, 1) == "No secrets match."
        assert app.query_one(FilterInput).value == "nope"  # what was typed stays
