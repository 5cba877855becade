"""Wizard 4 (secret editor) against the demo emulator: validation, drafts, canary, delete/purge."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Checkbox, Input, Select

from console.demo import DemoSession
from console.journal import Journal, forget_secrets, journal_path
from console.masked import MaskedValue
from emulator.faults import install
from screens.wizards.secret_editor import MaskedEntry
from tests.tui.wizard_kit import (
    apply,
    cancel,
    click,
    demo_session,
    idle,
    preview_text,
    service_for,
    text_of,
    to_preview,
    wizard,
)

CANARY = "canary-Zq81-never-in-the-journal-7731"


@pytest.fixture(scope="module")
def session() -> Iterator[DemoSession]:
    s = demo_session()
    yield s
    s.stop()
    forget_secrets()


def secrets(session: DemoSession, vault: str) -> dict:
    return session.emulator.state.vault_secrets(vault)


def vault_id(session: DemoSession, name: str) -> str:
    return session.emulator.state.vault_by_name(name)["id"]


def fill(screen, **fields: str) -> None:
    for name, value in fields.items():
        widget = screen.query_one(f"#{name}")
        widget.value = value


async def test_cancel_at_each_step_creates_nothing(session) -> None:
    prefill = {"vault_id": vault_id(session, "kv-dev-nopurge"), "secret_name": "never-made"}
    async with wizard(session, "secret", **prefill) as (pilot, screen):
        fill(screen, value="some-value-123")
        await cancel(pilot, screen)
    async with wizard(session, "secret", **prefill) as (pilot, screen):
        fill(screen, value="some-value-123")
        await to_preview(pilot, screen)
        await cancel(pilot, screen)
    assert "never-made" not in secrets(session, "kv-dev-nopurge")


@pytest.mark.parametrize(
    ("fields", "where", "message"),
    [
        ({"name": "bad name!", "value": "x"}, "#name-error", "characters Azure refuses"),
        ({"name": "ok-name", "value": "x" * (25 * 1024 + 1)}, "#value-error", "25 KB"),
        ({"name": "ok-name", "value": ""}, "#value-error", "The value is empty"),
        (
            {"name": "ok-name", "value": "v", "expires_on": "31/12/2026"},
            "#expires_on-error",
            "is not a date",
        ),
        ({"name": "ok-name", "value": "v", "tags": "novalue"}, "#tags-error", "name=value"),
    ],
)
async def test_bad_input_is_shown_next_to_the_field(session, fields, where, message) -> None:
    async with wizard(session, "secret", vault_id=vault_id(session, "kv-dev-nopurge")) as (
        pilot,
        screen,
    ):
        fill(screen, **fields)
        await click(pilot, "#next")
        await idle(pilot, screen)
        assert screen.step == "step-choose"
        shown = text_of(screen, where)
        assert message in shown
        assert str(25 * 1024 + 1) not in shown  # the value's size is never told
        assert screen.query_one("#value", MaskedEntry).value == fields["value"]  # kept
    assert "ok-name" not in secrets(session, "kv-dev-nopurge")


async def test_create_with_a_canary_value_never_journals_it(session) -> None:
    journal = Journal()
    prefill = {"vault_id": vault_id(session, "kv-dev-nopurge"), "secret_name": "api-token"}
    async with wizard(session, "secret", journal=journal, **prefill) as (pilot, screen):
        fill(
            screen,
            value=CANARY,
            content_type="text/plain",
            tags="owner=ops, env=dev",
            expires_on="2099-01-01",
        )
        entry = screen.query_one("#value", MaskedEntry)
        assert CANARY not in str(entry.render_line(0).text)  # masked, fixed width
        await to_preview(pilot, screen)
        shown = preview_text(screen)
        assert "Create secret 'api-token'" in shown and "not recorded" in shown
        assert CANARY not in shown
        await apply(pilot, screen)
        assert "version" in text_of(screen, "#result-verified")
    record = secrets(session, "kv-dev-nopurge")["api-token"]
    assert record.latest.value == CANARY and record.latest.content_type == "text/plain"
    assert record.latest.tags == {"owner": "ops", "env": "dev"}
    text = journal_path().read_text()
    assert "api-token" in text and CANARY not in text


async def test_multi_line_paste_and_file(session, tmp_path) -> None:
    source = tmp_path / "cert.pem"
    source.write_text("-----BEGIN-----\nline two\n-----END-----\n")
    prefill = {"vault_id": vault_id(session, "kv-dev-nopurge"), "secret_name": "pem-file"}
    async with wizard(session, "secret", **prefill) as (pilot, screen):
        fill(screen, file=str(source))
        await click(pilot, "#load")
        assert screen.query_one("#value", MaskedEntry).value.count("\n") == 3
        await to_preview(pilot, screen)
        await apply(pilot, screen)
    assert secrets(session, "kv-dev-nopurge")["pem-file"].latest.value.startswith("-----BEGIN")


async def test_a_failed_save_keeps_the_draft_for_retry(session) -> None:
    prefill = {"vault_id": vault_id(session, "kv-dev-nopurge"), "secret_name": "retry-me"}
    async with wizard(session, "secret", **prefill) as (pilot, screen):
        fill(screen, value="draft-value-42")
        await to_preview(pilot, screen)
        injector = install(session.emulator, "500@PUT */secrets/*:once")
        try:
            await apply(pilot, screen)
        finally:
            injector.enabled = False
        assert "Failed" in text_of(screen, "#result-summary")
        assert "retry-me" not in secrets(session, "kv-dev-nopurge")
        await click(pilot, "#result-edit")
        assert screen.step == "step-choose"
        assert screen.query_one("#value", MaskedEntry).value == "draft-value-42"
        await to_preview(pilot, screen)
        await apply(pilot, screen)
    assert secrets(session, "kv-dev-nopurge")["retry-me"].latest.value == "draft-value-42"


async def test_a_concurrent_new_version_is_detected_and_kept(session) -> None:
    prefill = {"vault_id": vault_id(session, "kv-dev-nopurge"), "secret_name": "payments-api-key"}
    async with wizard(session, "secret", **prefill) as (pilot, screen):
        fill(screen, value="mine-value-1")
        await to_preview(pilot, screen)
        other = service_for(session)
        uri = session.emulator.state.vault_by_name("kv-dev-nopurge")["properties"]["vaultUri"]
        try:
            await other.set_secret(uri, "payments-api-key", MaskedValue("theirs-value-2"))
        finally:
            await other.close()
        await apply(pilot, screen)
        assert "changed since the plan" in text_of(screen, "#result-summary")
        assert secrets(session, "kv-dev-nopurge")["payments-api-key"].latest.value == (
            "theirs-value-2"
        )
        await click(pilot, "#result-replan")
        await idle(pilot, screen)
        assert screen.step == "step-preview"


async def test_attributes_only_then_undo(session) -> None:
    prefill = {
        "vault_id": vault_id(session, "kv-dev-nopurge"),
        "secret_name": "stripe-webhook-secret",
        "mode": "attributes",
    }
    record = secrets(session, "kv-dev-nopurge")["stripe-webhook-secret"]
    value, versions = record.latest.value, len(record.versions)
    async with wizard(session, "secret", **prefill) as (pilot, screen):
        await click(pilot, "#next")  # not loaded yet: refused, nothing cleared
        assert "Load the current attributes first" in text_of(screen, "#name-error")
        await click(pilot, "#load-attributes")
        await idle(pilot, screen)
        screen.query_one("#enabled", Checkbox).value = False
        await to_preview(pilot, screen)
        assert "value unchanged" in preview_text(screen)
        await apply(pilot, screen)
        assert record.latest.enabled is False and record.latest.value == value
        assert len(record.versions) == versions
        await click(pilot, "#result-undo")
        await apply(pilot, screen)
    assert record.latest.enabled is True


async def test_delete_recover_and_purge(session) -> None:
    nopurge = vault_id(session, "kv-dev-nopurge")
    async with wizard(
        session, "secret", vault_id=nopurge, secret_name="legacy-ftp-password", mode="delete"
    ) as (pilot, screen):
        await to_preview(pilot, screen)
        await apply(pilot, screen)
        assert "legacy-ftp-password" not in secrets(session, "kv-dev-nopurge")
        assert "deleted (recoverable)" in text_of(screen, "#result-verified")
        await click(pilot, "#result-undo")  # undo = recover
        await apply(pilot, screen)
    assert "legacy-ftp-password" in secrets(session, "kv-dev-nopurge")
    # Purge protection: refused with the explanation.
    async with wizard(
        session,
        "secret",
        vault_id=vault_id(session, "kv-payments-open"),
        secret_name="retired-token",
        mode="purge",
    ) as (pilot, screen):
        await to_preview(pilot, screen)
        assert "Purge protection is on" in preview_text(screen)
        assert not screen.query_one("#preview-apply").display
    # Without it: a typed confirmation.
    async with wizard(
        session, "secret", vault_id=nopurge, secret_name="retired-token", mode="purge"
    ) as (pilot, screen):
        await to_preview(pilot, screen)
        await apply(pilot, screen)
        assert "Type 'retired-token' exactly" in text_of(screen, "#preview-error")
        assert "retired-token" in session.emulator.state.vault_deleted_secrets("kv-dev-nopurge")
        await apply(pilot, screen, typed="retired-token")
    assert "retired-token" not in session.emulator.state.vault_deleted_secrets("kv-dev-nopurge")


async def test_read_only_refuses_to_save(session) -> None:
    prefill = {"vault_id": vault_id(session, "kv-dev-nopurge"), "secret_name": "ro-secret"}
    async with wizard(session, "secret", read_only=True, **prefill) as (pilot, screen):
        fill(screen, value="read-only-value")
        await to_preview(pilot, screen)
        await apply(pilot, screen)
        assert "Read-only mode" in text_of(screen, "#preview-error")
    assert "ro-secret" not in secrets(session, "kv-dev-nopurge")
    assert Select and Input  # widgets used through fill()


async def test_an_attributes_only_edit_keeps_every_tag_exactly(session) -> None:
    """Issue 13: tags with commas, '=', padding or line feeds were split, trimmed or changed by an
    attributes-only edit; now the form shows them escaped and an untouched field sends Azure's."""
    record = secrets(session, "kv-dev-nopurge")["db-connection-string"]
    hostile = {"owner": "a,b=c", "pad": "  spaced  ", "note": "line1\nline2"}
    record.latest.tags = dict(hostile)
    prefill = {
        "vault_id": vault_id(session, "kv-dev-nopurge"),
        "secret_name": "db-connection-string",
        "mode": "attributes",
    }
    async with wizard(session, "secret", **prefill) as (pilot, screen):
        await click(pilot, "#load-attributes")
        await idle(pilot, screen)
        assert "owner=a\\,b\\=c" in screen.query_one("#tags", Input).value
        screen.query_one("#content_type", Input).value = "text/plain"
        await to_preview(pilot, screen)
        await apply(pilot, screen)
    assert record.latest.tags == hostile
    assert record.latest.content_type == "text/plain"
