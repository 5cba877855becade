"""Wizard 5 (first-time setup) against the demo emulator: 1 → 2 → 3 + secret, then the check."""

from __future__ import annotations

import copy

from console.demo import DemoSession
from emulator.faults import install
from tests.tui.wizard_kit import (
    apply,
    cancel,
    click,
    idle,
    preview_text,
    text_of,
    to_preview,
    wizard,
)


def workflow(session: DemoSession, name: str) -> dict:
    return next(w for w in session.emulator.state.workflows.values() if w["name"] == name)


def prefill(session: DemoSession, app: str, vault: str, **more: str) -> dict[str, str]:
    v = session.emulator.state.vault_by_name(vault)
    return {"logic_app_id": workflow(session, app)["id"], "vault_id": v["id"], **more}


async def test_cancel_changes_nothing(session) -> None:
    async with wizard(session, "setup", **prefill(session, "la-no-identity", "kv-dev-nopurge")) as (
        pilot,
        screen,
    ):
        await to_preview(pilot, screen)  # step 1 previewed
        await cancel(pilot, screen)
    assert (workflow(session, "la-no-identity").get("identity") or {}).get("type", "None") == "None"


async def test_the_whole_path_ends_with_the_access_check(session) -> None:
    args = prefill(session, "la-no-identity", "kv-dev-nopurge", secret_name="partner-token")
    async with wizard(session, "setup", **args) as (pilot, screen):
        screen.query_one("#value").value = "setup-value-123"
        await to_preview(pilot, screen)
        assert "Turn on the system-assigned identity" in preview_text(screen)
        await apply(pilot, screen)
        await to_preview(pilot, screen, "#setup-next")
        assert "secrets get" in preview_text(screen)
        await apply(pilot, screen)
        await to_preview(pilot, screen, "#setup-next")
        assert "+ default action: Deny" in preview_text(screen)
        await apply(pilot, screen)
        await to_preview(pilot, screen, "#setup-next")
        assert "Create secret 'partner-token'" in preview_text(screen)
        await apply(pilot, screen)
        await click(pilot, "#setup-next")
        await idle(pilot, screen)
        assert screen.step == "step-summary"
        check = text_of(screen, "#summary-check")
        assert "Access check: la-no-identity → kv-dev-nopurge → partner-token" in check
        assert "✓ Managed identity" in check and "✓ Secret" in check
    state = session.emulator.state
    principal = workflow(session, "la-no-identity")["identity"]["principalId"]
    vault = state.vault_by_name("kv-dev-nopurge")["properties"]
    assert any(p["objectId"] == principal for p in vault["accessPolicies"])
    assert vault["networkAcls"]["defaultAction"] == "Deny"
    assert state.vault_secrets("kv-dev-nopurge")["partner-token"].latest.value == "setup-value-123"


async def test_a_failure_mid_way_offers_to_undo_what_was_applied(session) -> None:
    args = prefill(session, "la-dev-disabled", "kv-payments-open")
    async with wizard(session, "setup", **args) as (pilot, screen):
        await to_preview(pilot, screen)
        await apply(pilot, screen)  # step 1 applied
        assert workflow(session, "la-dev-disabled")["identity"]["type"] == "SystemAssigned"
        await to_preview(pilot, screen, "#setup-next")
        injector = install(session.emulator, "500@PUT */accessPolicies/*:once")
        try:
            await apply(pilot, screen)
        finally:
            injector.enabled = False
        assert "Failed" in text_of(screen, "#result-summary")
        await click(pilot, "#setup-undo-all")
        assert "Turn off the managed identity of la-dev-disabled" in preview_text(screen)
        await apply(pilot, screen)
    assert (workflow(session, "la-dev-disabled").get("identity") or {}).get(
        "type", "None"
    ) == "None"


async def test_undo_all_after_a_failed_secret_step_reverts_every_step() -> None:
    """Issue 13: a failure in the last step (the secret) left identity, grant and firewall
    applied: undo-all compared with the older of two snapshots of the same vault."""
    from tests.tui.wizard_kit import demo_session

    fresh = demo_session()
    try:
        args = prefill(fresh, "la-no-identity", "kv-dev-nopurge", secret_name="partner-token")
        vault_before = copy.deepcopy(fresh.emulator.state.vault_by_name("kv-dev-nopurge"))
        async with wizard(fresh, "setup", **args) as (pilot, screen):
            screen.query_one("#value").value = "setup-value-123"
            await to_preview(pilot, screen)
            await apply(pilot, screen)  # identity
            for _ in range(2):  # grant, firewall
                await to_preview(pilot, screen, "#setup-next")
                await apply(pilot, screen)
            await to_preview(pilot, screen, "#setup-next")
            injector = install(fresh.emulator, "500@PUT */secrets/*:once")
            try:
                await apply(pilot, screen)
            finally:
                injector.enabled = False
            assert "Failed" in text_of(screen, "#result-summary")
            await click(pilot, "#setup-undo-all")
            assert "changed since the plan" not in text_of(screen, "#wizard-status")
            await apply(pilot, screen)
            assert "changed since the plan" not in text_of(screen, "#result-summary")
        vault_after = fresh.emulator.state.vault_by_name("kv-dev-nopurge")["properties"]
        assert vault_after["accessPolicies"] == vault_before["properties"]["accessPolicies"]
        acls = vault_after.get("networkAcls") or {}
        assert acls.get("defaultAction", "Allow") == "Allow"
        identity = (workflow(fresh, "la-no-identity").get("identity") or {}).get("type", "None")
        assert identity == "None"
    finally:
        fresh.stop()
