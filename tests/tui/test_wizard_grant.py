"""Wizard 2 (grant) against the demo emulator: presets, custom warnings, RBAC, review, failures."""

from __future__ import annotations

import copy

from textual.widgets import Input, RadioButton, Select, SelectionList

from console.demo import DemoSession
from console.models import Permissions
from emulator.faults import install
from emulator.seeds import ALICE_PRINCIPAL_ID, READER_PRINCIPAL_ID
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

KV_SECRETS_OFFICER = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"


def state(session):
    return session.emulator.state


def ids(session: DemoSession, vault: str, app: str | None = None) -> dict[str, str]:
    out = {"vault_id": state(session).vault_by_name(vault)["id"]}
    if app:
        out["logic_app_id"] = next(
            w["id"] for w in state(session).workflows.values() if w["name"] == app
        )
    return out


def policies(session: DemoSession, vault: str) -> list:
    return copy.deepcopy(state(session).vault_by_name(vault)["properties"]["accessPolicies"])


def principal(session: DemoSession, app: str) -> str:
    return next(w for w in state(session).workflows.values() if w["name"] == app)["identity"][
        "principalId"
    ]


def secrets_of(session: DemoSession, vault: str, object_id: str) -> list[str] | None:
    entry = next((p for p in policies(session, vault) if p["objectId"] == object_id), None)
    return None if entry is None else sorted(entry["permissions"].get("secrets", []))


async def walk_to_preview(pilot, screen) -> None:
    await click(pilot, "#next")
    await click(pilot, "#next-vault")
    await to_preview(pilot, screen, "#next-perms")


async def test_cancel_at_each_step_changes_nothing(session) -> None:
    before = policies(session, "kv-payments-open")
    prefill = ids(session, "kv-payments-open", "la-identity-no-grant")
    for steps in ([], ["#next"], ["#next", "#next-vault"]):
        async with wizard(session, "grant", **prefill) as (pilot, screen):
            for button in steps:
                await click(pilot, button)
            await cancel(pilot, screen)
    async with wizard(session, "grant", **prefill) as (pilot, screen):
        await walk_to_preview(pilot, screen)
        await cancel(pilot, screen)
    assert policies(session, "kv-payments-open") == before


async def test_read_preset_grants_get_only_then_undo(session) -> None:
    oid = principal(session, "la-identity-no-grant")
    async with wizard(
        session, "grant", **ids(session, "kv-payments-open", "la-identity-no-grant")
    ) as (
        pilot,
        screen,
    ):
        await walk_to_preview(pilot, screen)
        shown = preview_text(screen)
        assert "give la-identity-no-grant (system-assigned identity) secrets get" in shown
        assert "+ permissions › secrets: get" in shown
        await apply(pilot, screen)
        assert secrets_of(session, "kv-payments-open", oid) == ["get"]
        assert oid in text_of(screen, "#result-verified")
        await click(pilot, "#result-undo")
        await apply(pilot, screen)
    assert secrets_of(session, "kv-payments-open", oid) is None


async def test_a_logic_app_without_identity_is_sent_to_wizard_1(session) -> None:
    async with wizard(session, "grant", **ids(session, "kv-payments-open", "la-no-identity")) as (
        pilot,
        screen,
    ):
        await click(pilot, "#next")
        assert "has no managed identity yet" in text_of(screen, "#principal-error")
        assert screen.query_one("#to-identity").display


async def test_bad_object_id_and_bad_secret_name(session) -> None:
    async with wizard(session, "grant", vault_id=ids(session, "kv-platform-rbac")["vault_id"]) as (
        pilot,
        screen,
    ):
        screen.query_one("#oid", Input).value = "la-orders"
        await click(pilot, "#next")
        assert "is not an object id" in text_of(screen, "#principal-error")
        assert screen.query_one("#oid", Input).value == "la-orders"
        screen.query_one("#oid", Input).value = READER_PRINCIPAL_ID
        await click(pilot, "#next")
        screen.query_one("#secret", Input).value = "db_password"
        await click(pilot, "#next-vault")
        assert "characters Azure refuses" in text_of(screen, "#secret-error")
        assert screen.step == "step-vault"


async def test_custom_beyond_get_needs_each_warning_confirmed(session) -> None:
    oid = principal(session, "la-identity-no-grant")
    async with wizard(
        session, "grant", **ids(session, "kv-dev-nopurge", "la-identity-no-grant")
    ) as (
        pilot,
        screen,
    ):
        await click(pilot, "#next")
        await click(pilot, "#next-vault")
        screen.query_one("#preset-custom", RadioButton).value = True
        await pilot.pause()
        custom = screen.query_one("#custom", SelectionList)
        custom.select("list")
        custom.select("delete")
        await to_preview(pilot, screen, "#next-perms")
        shown = preview_text(screen)
        assert "Beyond Get: secrets list" in shown and "Beyond Get: secrets delete" in shown
        await apply(pilot, screen, ack=False)
        assert "Tick every warning" in text_of(screen, "#preview-error")
        assert secrets_of(session, "kv-dev-nopurge", oid) is None
        await apply(pilot, screen)
    assert secrets_of(session, "kv-dev-nopurge", oid) == ["delete", "get", "list"]


async def test_user_account_warning_and_rbac_secret_scope(session) -> None:
    vault = ids(session, "kv-platform-rbac")["vault_id"]
    async with wizard(
        session,
        "grant",
        vault_id=vault,
        principal_id=READER_PRINCIPAL_ID,
        secret_name="db-connection-string",
    ) as (pilot, screen):
        screen.query_one("#kind", Select).value = "user"  # as the admin says it is
        await walk_to_preview(pilot, screen)
        shown = preview_text(screen)
        assert "is a user account" in shown
        assert "Key Vault Secrets User" in shown and "secrets/db-connection-string" in shown
        await apply(pilot, screen)
    scope = f"{vault}/secrets/db-connection-string".lower()
    assert any(
        a["properties"]["scope"].lower() == scope
        and a["properties"]["principalId"] == READER_PRINCIPAL_ID
        for a in state(session).role_assignments.values()
    )


async def test_review_removes_only_what_is_ticked_and_stops_at_a_failure(session) -> None:
    vault = ids(session, "kv-platform-rbac")["vault_id"]
    other = service_for(session)
    try:  # a second over-privileged entry, so that the removal plan has two steps
        second = await other.create_role_assignment(vault, KV_SECRETS_OFFICER, READER_PRINCIPAL_ID)
    finally:
        await other.close()
    async with wizard(
        session, "grant", **ids(session, "kv-platform-rbac", "la-payments-ready")
    ) as (
        pilot,
        screen,
    ):
        await walk_to_preview(pilot, screen)
        await apply(pilot, screen)
        await click(pilot, "#review")
        await idle(pilot, screen)
        assert screen.step == "step-review"
        listing = screen.query_one("#review-list", SelectionList)
        assert listing.option_count == 2 and not listing.selected  # opt-in: nothing ticked
        await click(pilot, "#review-next")
        assert "Tick the entries" in text_of(screen, "#review-error")
        listing.select_all()
        await to_preview(pilot, screen, "#review-next")
        assert preview_text(screen).count("• Delete") == 2
        name = second.id.rsplit("/", 1)[-1]
        injector = install(session.emulator, f"500@DELETE */roleAssignments/{name}:once")
        try:
            await apply(pilot, screen)
        finally:
            injector.enabled = False
        summary = text_of(screen, "#result-summary")
        assert "Applied (1)" in summary and "Failed" in summary and "can be undone" in summary
        assert second.id.lower() in state(session).role_assignments
        await click(pilot, "#result-undo")  # undo of the applied part only
        assert preview_text(screen).count("• Assign") == 1
        await apply(pilot, screen)
    alice = [
        a
        for a in state(session).role_assignments.values()
        if a["properties"]["principalId"] == ALICE_PRINCIPAL_ID
        and a["properties"]["scope"].lower() == vault.lower()
    ]
    assert alice  # given back by the undo


async def test_a_concurrent_policy_change_is_detected(session) -> None:
    oid = principal(session, "la-secret-rotation")
    async with wizard(
        session,
        "grant",
        preset="rotate",
        **ids(session, "kv-payments-locked", "la-secret-rotation"),
    ) as (pilot, screen):
        await walk_to_preview(pilot, screen)
        assert "secrets set" in preview_text(screen)
        other = service_for(session)
        try:
            await other.add_access_policy(
                ids(session, "kv-payments-locked")["vault_id"],
                READER_PRINCIPAL_ID,
                Permissions(secrets=("get",)),
            )
        finally:
            await other.close()
        await apply(pilot, screen)
        assert "changed since the plan" in text_of(screen, "#result-summary")
        assert secrets_of(session, "kv-payments-locked", oid) == ["get", "list"]
        await click(pilot, "#result-replan")
        await idle(pilot, screen)
        await apply(pilot, screen)
    assert secrets_of(session, "kv-payments-locked", oid) == ["get", "list", "set"]
    assert secrets_of(session, "kv-payments-locked", READER_PRINCIPAL_ID) == ["get"]  # kept
