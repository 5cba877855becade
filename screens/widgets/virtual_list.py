"""A line-API list for very large data (Toolong's approach): only visible lines are rendered.

Rows are plain tuples of strings: text from Azure is never parsed as markup here. Filtering works
on lower-cased text computed once per row, one comprehension per word; typing more of a filter
narrows the current view instead of scanning every row again.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.safe_text import visible


@dataclass(frozen=True)
class Column:
    title: str
    width: int | None = None  # None: takes what is left (at least 8)


@dataclass(frozen=True)
class Row:
    key: str
    cells: tuple[str, ...]
    tone: str = ""  # "" | "dim" | "error" | "warning"


class VirtualList(ScrollView, can_focus=True):
    """A fixed header and any number of rows; a cursor; type-to-filter through `set_filter`."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False, id="list.up"),
        Binding("down", "cursor(1)", "Down", show=False, id="list.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list.pagedown"),
        Binding("home", "jump(0)", "First", show=False, id="list.home"),
        Binding("end", "jump(-1)", "Last", show=False, id="list.end"),
        Binding("enter", "select", "Open", id="list.open"),
    ]
    COMPONENT_CLASSES = {
        "virtual-list--header",
        "virtual-list--cursor",
        "virtual-list--dim",
        "virtual-list--error",
        "virtual-list--warning",
    }
    DEFAULT_CSS = """
    VirtualList { height: 1fr; }
    VirtualList > .virtual-list--header { text-style: bold; color: $text-accent; }
    VirtualList > .virtual-list--cursor { background: $block-cursor-blurred-background; }
    VirtualList:focus > .virtual-list--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    VirtualList > .virtual-list--dim { color: $text-muted; }
    VirtualList > .virtual-list--error { color: $text-error; }
    VirtualList > .virtual-list--warning { color: $text-warning; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        def __init__(self, list_: VirtualList, row: Row) -> None:
            super().__init__()
            self.list = list_
            self.row = row

        @property
        def control(self) -> VirtualList:
            return self.list

    class Selected(Highlighted):
        pass

    def __init__(
        self,
        columns: list[Column],
        *,
        empty_text: str = "Nothing here.",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = columns
        self.empty_text = empty_text
        self._rows: list[Row] = []
        self._haystack: list[str] = []
        self._view: list[int] = []  # indices of rows passing the filter
        self._filter: tuple[str, ...] = ()
        # Views of the filters typed so far, each narrowing the one before: backspace restores
        # one instead of scanning every row again. Dropped whenever rows change.
        self._trail: list[tuple[tuple[str, ...], list[int]]] = []
        self._styles: dict[str, Style] = {}  # per paint: looked up once, not once per line
        self._widths_for: tuple[tuple[int, list[Column]], list[int]] = ((-1, []), [])

    # ---- data -------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def visible_count(self) -> int:
        return len(self._view)

    @property
    def rows(self) -> list[Row]:
        return self._rows

    def visible_rows(self) -> list[Row]:
        return [self._rows[i] for i in self._view]

    def clear(self, empty_text: str | None = None) -> None:
        if empty_text is not None:
            self.empty_text = empty_text
        self._rows, self._haystack, self._view, self._trail = [], [], [], []
        self.cursor = 0
        self._resize()

    def set_rows(self, rows: list[Row], empty_text: str | None = None) -> None:
        keep = self.highlighted_key
        self.clear(empty_text)
        self.add_rows(rows)
        if keep is not None:
            self.select_key(keep, post=False)

    def add_rows(self, rows: list[Row]) -> None:
        """Append a batch (lists fill in progressively); the cursor stays where it is."""
        if not rows:
            return
        start = len(self._rows)
        shown = len(self._view)
        self._rows.extend(rows)
        self._haystack.extend(" ".join(r.cells).lower() for r in rows)
        self._view.extend(self._matching(range(start, len(self._rows))))
        self._trail = []
        # Rows landing below the visible part change only the scrollbar: no repaint of lines.
        bottom = round(self.scroll_y) + max(1, self.scrollable_content_region.height)
        self._resize(repaint=shown < bottom)
        if start == 0 and self._view:
            self.cursor = 0

    def _matching(
        self, indices: range | list[int], words: tuple[str, ...] | None = None
    ) -> range | list[int]:
        hay = self._haystack
        for word in self._filter if words is None else words:
            indices = [i for i in indices if word in hay[i]]
        return indices

    def set_filter(self, text: str, *, announce: bool = True) -> None:
        """Show the rows containing every word of *text*; the first is highlighted and, when that
        is another row than before, announced (a detail pane follows the highlight)."""
        before = self.highlighted_key
        words = tuple(text.lower().split())
        old, self._filter = self._filter, words
        if words != old:
            self._view = self._filtered(old, words)
        self.scroll_to(y=0, animate=False)
        with self.prevent(self.Highlighted):
            self.cursor = 0
        self._resize()
        row = self.highlighted
        if announce and row is not None and row.key != before:
            self.post_message(self.Highlighted(self, row))

    def _filtered(self, old: tuple[str, ...], words: tuple[str, ...]) -> list[int]:
        trail = self._trail
        if not trail or trail[-1][0] != old:
            trail[:] = [(old, self._view)]
        for pos, (seen, view) in enumerate(trail):  # backspace: an earlier view is still right
            if seen == words:
                del trail[pos + 1 :]
                return view
        # Every row matching the new words matched the old ones when each old word is part of
        # a new word ("big" -> "big-0"): only the current view needs checking.
        if all(any(o in w for w in words) for o in old):
            view = list(self._matching(self._view))
        else:
            view = list(self._matching(range(len(self._rows))))
            trail.clear()
        trail.append((words, view))
        return view

    @property
    def highlighted(self) -> Row | None:
        if 0 <= self.cursor < len(self._view):
            return self._rows[self._view[self.cursor]]
        return None

    @property
    def highlighted_key(self) -> str | None:
        row = self.highlighted
        return row.key if row else None

    def select_key(self, key: str, *, post: bool = True) -> bool:
        """Move the cursor to the row with *key* (clearing a filter that hides it)."""
        for pos, index in enumerate(self._view):
            if self._rows[index].key == key:
                self.cursor = pos
                if post:
                    self.post_message(self.Selected(self, self._rows[index]))
                return True
        if self._filter and any(r.key == key for r in self._rows):
            self.set_filter("", announce=False)
            return self.select_key(key, post=post)
        return False

    # ---- geometry ---------------------------------------------------------------------
    def _resize(self, repaint: bool = True) -> None:
        size = Size(self.size.width, len(self._view) + 1)
        window = self.scrollable_content_region.height
        if (
            self.show_vertical_scrollbar
            and size.width == self.virtual_size.width
            and min(size.height, self.virtual_size.height) > window
        ):
            # The scrollbar stays: only its thumb changes. Setting virtual_size would lay out the
            # whole screen again (~15 ms at 160×45, with every batch of a loading vault).
            self.set_reactive(VirtualList.virtual_size, size)
            self.vertical_scrollbar.window_virtual_size = size.height
        else:
            self.virtual_size = size
        if repaint:
            self.refresh()

    def on_resize(self) -> None:
        self._resize()

    def _widths(self, total: int) -> list[int]:
        if self._widths_for[0] != (total, self.columns):
            fixed = sum((c.width or 0) + 1 for c in self.columns)
            flex = [c for c in self.columns if c.width is None]
            left = max(8, total - fixed - len(flex))
            each = left // max(1, len(flex))
            widths = [c.width if c.width is not None else each for c in self.columns]
            self._widths_for = ((total, list(self.columns)), widths)
        return self._widths_for[1]

    def _line(self, cells: tuple[str, ...], width: int) -> str:
        widths = self._widths(width)
        parts = []
        for text, w in zip(cells, widths, strict=False):
            text = visible(text)  # Azure text: controls shown as escapes, one line per row
            if cell_len(text) > w:
                text = set_cell_size(text, max(0, w - 1)) + "…"
            parts.append(set_cell_size(text, w))
        return set_cell_size(" ".join(parts), width)

    def render_lines(self, crop: Region) -> list[Strip]:
        # Each style lookup walks up the DOM: do it once per paint instead of once per line.
        self._styles = {}
        try:
            return super().render_lines(crop)
        finally:
            self._styles = {}

    def _style(self, part: str = "") -> Style:
        style = self._styles.get(part)
        if style is None:
            style = self.rich_style if not part else self.get_component_rich_style(part)
            self._styles[part] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._style()
        if y == 0:
            header = base + self._style("virtual-list--header")
            text = self._line(tuple(c.title for c in self.columns), width)
            return Strip([Segment(text, header)], width)
        pos = round(self.scroll_y) + y - 1
        if not self._view:
            if y == 1:
                dim = base + self._style("virtual-list--dim")
                return Strip([Segment(set_cell_size(self.empty_text, width), dim)], width)
            return Strip.blank(width, base)
        if pos >= len(self._view):
            return Strip.blank(width, base)
        row = self._rows[self._view[pos]]
        style: Style = base
        if row.tone:
            style += self._style(f"virtual-list--{row.tone}")
        if pos == self.cursor:
            style += self._style("virtual-list--cursor")
        return Strip([Segment(self._line(row.cells, width), style)], width)

    # ---- cursor -----------------------------------------------------------------------
    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._view) - 1)) if self._view else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        row = self.highlighted
        if row is not None and old != new:
            self.post_message(self.Highlighted(self, row))

    def _scroll_to_cursor(self) -> None:
        body = max(1, self.scrollable_content_region.height - 1)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + body:
            self.scroll_to(y=self.cursor - body + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.scrollable_content_region.height - 2)

    def action_jump(self, where: int) -> None:
        self.cursor = len(self._view) - 1 if where < 0 else 0

    def action_select(self) -> None:
        row = self.highlighted
        if row is not None:
            self.post_message(self.Selected(self, row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        pos = round(self.scroll_y) + offset.y - 1
        if 0 <= pos < len(self._view):
            self.cursor = pos
            self.action_select()
