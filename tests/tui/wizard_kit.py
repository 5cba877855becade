"""Shared helpers of the wizard tests: a tiny host app, a demo emulator per module, waiting."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input, Static

from console.demo import DemoSession, start_demo
from console.journal import Journal
from console.service import AzureService
from emulator.seeds import DEMO_PRINCIPAL_ID
from screens.wizards import build_wizard
from screens.wizards.base import WizardContext, WizardScreen
from screens.wizards.plan_preview import PlanPreview

SIZE = (140, 50)


class WizardHost(App[None]):
    """Only the wizard under test, on top of an empty screen."""

    def __init__(self, screen: WizardScreen) -> None:
        super().__init__()
        self.wizard = screen

    def on_mount(self) -> None:
        self.push_screen(self.wizard)


def demo_session() -> DemoSession:
    return start_demo("demo")


def service_for(session: DemoSession, *, read_only: bool = False) -> AzureService:
    connection = session.connection()
    connection.client_options["retry_total"] = 0  # an injected 500 fails at once
    return AzureService(connection, read_only=read_only)


@asynccontextmanager
async def wizard(
    session: DemoSession,
    name: str,
    *,
    read_only: bool = False,
    journal: Journal | None = None,
    **prefill: Any,
) -> AsyncIterator[tuple[Pilot, WizardScreen]]:
    service = service_for(session, read_only=read_only)
    ctx = WizardContext(service, journal or Journal(), "kvconsole-demo", DEMO_PRINCIPAL_ID)
    screen = build_wizard(ctx, name, **prefill)
    app = WizardHost(screen)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: bool(screen.logic_apps), "the pickers to fill")
            yield pilot, screen
    finally:
        await service.close()


async def wait_for(pilot: Pilot, condition: Callable[[], bool], what: str, limit: float = 20.0):
    for _ in range(int(limit / 0.05)):
        if condition():
            await pilot.pause()
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def idle(pilot: Pilot, screen: WizardScreen) -> None:
    """Wait until the wizard's workers are done."""
    await wait_for(
        pilot,
        lambda: not any(w.is_running for w in screen.workers if w.group.startswith("wizard")),
        "the wizard's workers",
    )


def text_of(screen: WizardScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def preview_text(screen: WizardScreen) -> str:
    return text_of(screen, "#preview-diff")


async def click(pilot: Pilot, selector: str) -> None:
    button = pilot.app.screen.query_one(selector, Button)
    assert button.display, f"{selector} is hidden"
    button.press()
    await pilot.pause()


async def to_preview(pilot: Pilot, screen: WizardScreen, next_button: str = "#next") -> None:
    await click(pilot, next_button)
    await idle(pilot, screen)
    assert screen.step == "step-preview", (screen.step, text_of(screen, "#wizard-status"))


async def apply(pilot: Pilot, screen: WizardScreen, *, ack: bool = True, typed: str = "") -> None:
    """Tick the warnings, type the confirmation, press Apply and wait for the result."""
    preview = screen.query_one(PlanPreview)
    if ack:
        for box in preview.query(".ack").results(Checkbox):
            box.value = True
    if typed:
        preview.query_one("#preview-typed", Input).value = typed
    await click(pilot, "#preview-apply")
    await idle(pilot, screen)


async def cancel(pilot: Pilot, screen: WizardScreen) -> None:
    await pilot.press("escape")
    await pilot.pause()
    assert not screen.is_attached or pilot.app.screen is not screen
