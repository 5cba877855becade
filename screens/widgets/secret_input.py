"""An input for a secret: a fixed-width mask (no length leak) and no copy or cut."""

from __future__ import annotations

from rich.text import Text
from textual.actions import SkipAction

from console.masked import MASK
from screens.textual_private import ShownTextInput


class SecretInput(ShownTextInput):
    def __init__(self, **kwargs) -> None:
        super().__init__(password=True, **kwargs)

    def shown_text(self) -> Text:
        return Text(MASK if self.value else "", no_wrap=True, overflow="ignore", end="")

    @property
    def content_width(self) -> int:
        return len(MASK) + 1 if self.value else super().content_width

    def action_copy(self) -> None:
        raise SkipAction()

    def action_cut(self) -> None:
        raise SkipAction()
