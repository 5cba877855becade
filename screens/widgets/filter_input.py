"""The type-to-filter field above a VirtualList."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from screens.widgets.virtual_list import VirtualList


class FilterInput(Input):
    """Filters its list from the value watcher, so the typed character and the filtered rows
    reach the screen in the same frame. Through `Input.Changed` the list would filter one message
    hop later, after the character was painted, and then wait for Textual's next frame slot
    (16–33 ms more per keystroke). Enter moves the focus to the list."""

    def __init__(self, target: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._target = target  # a selector for the list, looked up on this screen

    @property
    def target_list(self) -> VirtualList:
        return self.screen.query_one(self._target, VirtualList)

    def watch_value(self, value: str) -> None:
        self.target_list.set_filter(value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.target_list.focus()
