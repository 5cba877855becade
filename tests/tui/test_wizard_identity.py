"""Wizard 1 (enable identity) against the demo emulator, driven through its screen."""

from __future__ import annotations

import copy
import json

from textual.widgets import Select

from console.demo import DemoSession
from console.journal import Journal
from emulator.faults import install
from screens.wizards.grant import GrantWizard
from tests.tui.wizard_kit import (
    apply,
    cancel,
    click,
    idle,
    preview_text,
    service_for,
    text_of,
    to_preview,
    wizard,
)


def workflow(session: DemoSession, name: str) -> dict:
    state = session.emulator.state
    return next(w for w in state.workflows.values() if w["name"] == name)


def app_id(session: DemoSession, name: str) -> str:
    return workflow(session, name)["id"]


def identity(session: DemoSession, name: str) -> dict:
    return copy.deepcopy(workflow(session, name).get("identity") or {"type": "None"})


async def test_cancel_at_each_step_changes_nothing(session) -> None:
    before = identity(session, "la-no-identity")
    async with wizard(session, "enable_identity") as (pilot, screen):
        await cancel(pilot, screen)  # at the choice
    async with wizard(
        session, "enable_identity", logic_app_id=app_id(session, "la-no-identity")
    ) as (
        pilot,
        screen,
    ):
        await to_preview(pilot, screen)
        await cancel(pilot, screen)  # at the preview
    assert identity(session, "la-no-identity") == before


async def test_no_choice_says_so_next_to_the_field(session) -> None:
    async with wizard(session, "enable_identity") as (pilot, screen):
        await click(pilot, "#next")
        assert "Choose the Logic App" in text_of(screen, "#la-error")
        assert screen.step == "step-choose"


async def test_enable_preview_apply_verify_journal_and_undo(session) -> None:
    journal = Journal()
    target = app_id(session, "la-no-identity")
    async with wizard(session, "enable_identity", logic_app_id=target, journal=journal) as (
        pilot,
        screen,
    ):
        await to_preview(pilot, screen)
        shown = preview_text(screen)
        assert "Turn on the system-assigned identity of la-no-identity" in shown
        assert "- type: None" in shown and "+ type: SystemAssigned" in shown
        await apply(pilot, screen)
        assert screen.step == "step-result"
        now = identity(session, "la-no-identity")
        assert now["type"] == "SystemAssigned" and now["principalId"]
        assert now["principalId"] in text_of(screen, "#result-verified")  # re-read after apply
        assert screen.query_one("#next-grant").display  # offer to continue with wizard 2
        [entry] = journal.entries()
        assert entry.result["status"] == "applied" and entry.who == "kvconsole-demo"
        # Undo: previewed, then applied: the identity is gone again.
        await click(pilot, "#result-undo")
        assert screen.step == "step-preview"
        assert "Turn off the managed identity of la-no-identity" in preview_text(screen)
        await apply(pilot, screen)
        assert identity(session, "la-no-identity")["type"] == "None"
        assert len(journal.entries()) == 2


async def test_continue_opens_the_grant_wizard_for_the_same_app(session) -> None:
    target = app_id(session, "la-dev-disabled")
    async with wizard(session, "enable_identity", logic_app_id=target) as (pilot, screen):
        await to_preview(pilot, screen)
        await apply(pilot, screen)
        await click(pilot, "#next-grant")
        assert isinstance(pilot.app.screen, GrantWizard)
        await idle(pilot, pilot.app.screen)
        assert pilot.app.screen.query_one("#la", Select).value == target


async def test_user_assigned_is_said_and_switching_needs_the_warning(session) -> None:
    before = identity(session, "la-user-assigned")
    target = app_id(session, "la-user-assigned")
    async with wizard(session, "enable_identity", logic_app_id=target) as (pilot, screen):
        await click(pilot, "#next")
        await idle(pilot, screen)
        assert screen.step == "step-choose"
        assert "id-integration-shared" in text_of(screen, "#ua-text")
        assert screen.query_one("#ua-grant").display
        await click(pilot, "#ua-switch")
        await idle(pilot, screen)
        assert "SWITCHING IDENTITY" in preview_text(screen)
        await apply(pilot, screen, ack=False)  # the warning not ticked: refused
        assert screen.step == "step-preview"
        assert "Tick every warning" in text_of(screen, "#preview-error")
        await cancel(pilot, screen)
    assert identity(session, "la-user-assigned") == before


async def test_grant_that_identity_instead(session) -> None:
    target = app_id(session, "la-user-assigned")
    async with wizard(session, "enable_identity", logic_app_id=target) as (pilot, screen):
        await click(pilot, "#next")
        await idle(pilot, screen)
        await click(pilot, "#ua-grant")
        grant = pilot.app.screen
        assert isinstance(grant, GrantWizard)
        await idle(pilot, grant)
        assert grant.query_one("#la", Select).value == target


async def test_a_change_between_preview_and_apply_is_detected(session) -> None:
    target = app_id(session, "la-no-identity")
    async with wizard(session, "enable_identity", logic_app_id=target) as (pilot, screen):
        await to_preview(pilot, screen)
        other = service_for(session)
        try:  # someone else turns it on meanwhile
            changed = await other.enable_system_identity(target)
        finally:
            await other.close()
        await apply(pilot, screen)
        assert "changed since the plan" in text_of(screen, "#result-summary")
        assert screen.query_one("#result-replan").display
        assert not screen.query_one("#result-undo").display
        assert identity(session, "la-no-identity")["principalId"] == changed.identity.principal_id
        await click(pilot, "#result-replan")
        await idle(pilot, screen)
        assert "nothing to do" in preview_text(screen)
    other = service_for(session)
    try:
        await other.set_identity_none(target)
    finally:
        await other.close()


async def test_a_failure_is_reported_and_nothing_is_applied(session) -> None:
    before = identity(session, "la-no-identity")
    target = app_id(session, "la-no-identity")
    async with wizard(session, "enable_identity", logic_app_id=target) as (pilot, screen):
        await to_preview(pilot, screen)
        injector = install(session.emulator, "500@PUT */workflows/*:once")
        try:
            await apply(pilot, screen)
        finally:
            injector.enabled = False
        summary = text_of(screen, "#result-summary")
        assert "Failed" in summary and "Turn on the system-assigned identity" in summary
        assert not screen.query_one("#result-undo").display  # nothing applied, nothing to undo
    assert identity(session, "la-no-identity") == before


async def test_read_only_refuses_to_apply(session) -> None:
    before = identity(session, "la-no-identity")
    target = app_id(session, "la-no-identity")
    async with wizard(session, "enable_identity", read_only=True, logic_app_id=target) as (
        pilot,
        screen,
    ):
        await to_preview(pilot, screen)
        await apply(pilot, screen)
        assert screen.step == "step-preview"
        assert "Read-only mode" in text_of(screen, "#preview-error")
    assert identity(session, "la-no-identity") == before
    assert json.dumps(before)  # the state is plain JSON: compared as such
