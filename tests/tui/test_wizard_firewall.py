"""Wizard 3 (firewall) against the demo emulator: the lock-out guard, typed confirmation, undo."""

from __future__ import annotations

import copy

import pytest
from textual.widgets import Checkbox, Input

from console.demo import DemoSession
from console.errors import ForbiddenError
from console.models import NetworkRules
from emulator.faults import install
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


def vault(session: DemoSession, name: str) -> dict:
    return session.emulator.state.vault_by_name(name)


def acls(session: DemoSession, name: str) -> dict:
    return copy.deepcopy(vault(session, name)["properties"].get("networkAcls") or {})


def ids(session: DemoSession, vault_name: str, app_name: str) -> dict[str, str]:
    app = next(w for w in session.emulator.state.workflows.values() if w["name"] == app_name)
    return {"vault_id": vault(session, vault_name)["id"], "logic_app_id": app["id"]}


async def can_read(session: DemoSession, vault_name: str) -> bool:
    service = service_for(session)
    try:
        await service.get_secret(
            vault(session, vault_name)["properties"]["vaultUri"], "payments-api-key"
        )
        return True
    except ForbiddenError:
        return False
    finally:
        await service.close()


async def test_cancel_at_each_step_changes_nothing(session) -> None:
    before = acls(session, "kv-payments-open")
    prefill = ids(session, "kv-payments-open", "la-payments-ready")
    async with wizard(session, "firewall", **prefill) as (pilot, screen):
        await cancel(pilot, screen)
    async with wizard(session, "firewall", **prefill) as (pilot, screen):
        await to_preview(pilot, screen)
        await cancel(pilot, screen)
    assert acls(session, "kv-payments-open") == before


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("#extra", "20.1.2.300", "is not an IPv4 address"),
        ("#extra", "2001:db8::1", "IPv6"),
        ("#extra", "10.1.2.3", "private address"),
        ("#extra", "20.1.2.0-20.1.2.255", "CIDR"),
        ("#admin", "fe80::1", "IPv6"),
    ],
)
async def test_bad_addresses_are_refused_next_to_the_field(session, field, typed, message) -> None:
    before = acls(session, "kv-payments-open")
    async with wizard(
        session, "firewall", **ids(session, "kv-payments-open", "la-payments-ready")
    ) as (
        pilot,
        screen,
    ):
        screen.query_one(field, Input).value = typed
        await click(pilot, "#next")
        await idle(pilot, screen)
        assert screen.step == "step-choose"
        assert message in text_of(screen, f"{field}-error")
        assert screen.query_one(field, Input).value == typed  # what the user typed is kept
    assert acls(session, "kv-payments-open") == before


async def test_with_the_guard_the_console_still_reads_secrets(session) -> None:
    assert await can_read(session, "kv-payments-open")
    prefill = ids(session, "kv-payments-open", "la-payments-ready")
    async with wizard(session, "firewall", **prefill) as (pilot, screen):
        await to_preview(pilot, screen)
        shown = preview_text(screen)
        assert "- default action: Allow" in shown and "+ default action: Deny" in shown
        address = session.emulator.state.client_address
        assert f"+ ip rules: {address}/32" in shown  # learned from Azure, included
        app = next(
            w for w in session.emulator.state.workflows.values() if w["name"] == "la-payments-ready"
        )
        outgoing = app["properties"]["endpointsConfiguration"]["workflow"]["outgoingIpAddresses"]
        assert all(f"{e['address']}" in shown for e in outgoing)
        assert "Type 'kv-payments-open'" not in shown  # no typed confirmation needed
        await apply(pilot, screen)
        assert screen.step == "step-result"
        assert "default action Deny" in text_of(screen, "#result-verified")
    now = acls(session, "kv-payments-open")
    assert now["defaultAction"] == "Deny"
    assert any(r["value"].startswith(address) for r in now["ipRules"])
    assert await can_read(session, "kv-payments-open")


async def test_without_the_guard_a_typed_confirmation_is_needed_then_undo(session) -> None:
    before = acls(session, "kv-dev-nopurge")
    prefill = ids(session, "kv-dev-nopurge", "la-dev-disabled")
    async with wizard(session, "firewall", **prefill) as (pilot, screen):
        screen.query_one("#guard", Checkbox).value = False
        await to_preview(pilot, screen)
        assert "would be locked out" in preview_text(screen)
        assert "Type 'kv-dev-nopurge' to confirm." in preview_text(screen)
        await apply(pilot, screen)  # warning ticked, nothing typed
        assert screen.step == "step-preview"
        assert "Type 'kv-dev-nopurge' exactly" in text_of(screen, "#preview-error")
        assert acls(session, "kv-dev-nopurge") == before
        await apply(pilot, screen, typed="kv-dev-nopurge")
        assert screen.step == "step-result"
        assert acls(session, "kv-dev-nopurge")["defaultAction"] == "Deny"
        assert not await can_read(session, "kv-dev-nopurge")  # locked out, as confirmed
        await click(pilot, "#result-undo")
        assert "Restore the previous firewall" in preview_text(screen)
        await apply(pilot, screen)
    assert acls(session, "kv-dev-nopurge")["defaultAction"] == before.get("defaultAction", "Allow")
    assert await can_read(session, "kv-dev-nopurge")


async def test_a_concurrent_rule_is_detected_and_kept(session) -> None:
    prefill = ids(session, "kv-platform-rbac", "la-payments-ready")
    async with wizard(session, "firewall", **prefill) as (pilot, screen):
        await to_preview(pilot, screen)
        other = service_for(session)
        try:
            await other.update_network_rules(
                prefill["vault_id"], NetworkRules("Allow", "AzureServices", ("52.10.0.0/16",))
            )
        finally:
            await other.close()
        await apply(pilot, screen)
        summary = text_of(screen, "#result-summary")
        assert "changed since the plan" in summary and "52.10.0.0/16" in summary
        assert acls(session, "kv-platform-rbac")["defaultAction"] == "Allow"  # nothing overwritten
        await click(pilot, "#result-replan")
        await idle(pilot, screen)
        assert "52.10.0.0/16" in preview_text(screen)  # the new plan keeps the other rule
        await apply(pilot, screen)
    rules = [r["value"] for r in acls(session, "kv-platform-rbac")["ipRules"]]
    assert "52.10.0.0/16" in rules


async def test_a_failure_is_reported_and_nothing_changes(session) -> None:
    before = acls(session, "kv-dev-nopurge")
    prefill = ids(session, "kv-dev-nopurge", "la-dev-disabled")
    async with wizard(session, "firewall", **prefill) as (pilot, screen):
        await to_preview(pilot, screen)
        injector = install(session.emulator, "500@PATCH */vaults/*:once")
        try:
            await apply(pilot, screen)
        finally:
            injector.enabled = False
        summary = text_of(screen, "#result-summary")
        assert "Failed" in summary and "internal error" in summary
        assert screen.query_one("#result-edit").display
    assert acls(session, "kv-dev-nopurge") == before


async def test_a_write_landing_right_after_ours_is_not_reported_as_verified(session) -> None:
    """Issue 13: another admin's PATCH lands between ours and the re-read (no ETag on vaults):
    the result names what differs, offers a new plan, and never says "verified"."""
    prefill = ids(session, "kv-dev-nopurge", "la-dev-disabled")
    seen_patch = False

    async def other_admin(request) -> None:
        nonlocal seen_patch
        if request.method == "PATCH" and "/vaults/kv-dev-nopurge" in request.path:
            seen_patch = True
        elif seen_patch and request.method == "GET" and request.path.endswith("kv-dev-nopurge"):
            props = vault(session, "kv-dev-nopurge")["properties"]
            props["networkAcls"] = {"defaultAction": "Allow", "bypass": "AzureServices",
                                    "ipRules": [], "virtualNetworkRules": []}  # fmt: skip
            seen_patch = False

    session.emulator.before_request.append(other_admin)
    try:
        async with wizard(session, "firewall", **prefill) as (pilot, screen):
            await to_preview(pilot, screen)
            await apply(pilot, screen)
            assert screen.step == "step-result"
            shown = text_of(screen, "#result-verified")
            assert "NOT verified" in shown
            assert "default action is Allow; the plan set Deny" in shown
            assert "is missing" in shown  # our IP rules are gone
            assert "Applied and verified" not in text_of(screen, "#wizard-status")
            assert screen.query_one("#result-replan").display
    finally:
        session.emulator.before_request.remove(other_admin)
