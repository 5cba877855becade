"""Secret editor plans: validation before sending, no value in the plan, delete/recover/purge."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from console.masked import MaskedValue
from console.models import DeletedSecret, SecretProperties, Vault
from console.plans.base import (
    SECRET_DELETE,
    SECRET_PURGE,
    SECRET_RECOVER,
    SECRET_SET,
    SECRET_UPDATE,
)
from console.plans.secret import (
    SecretDraft,
    draft_errors,
    plan_delete_secret,
    plan_purge_secret,
    plan_recover_secret,
    plan_set_secret,
    plan_update_secret,
)

CANARY = "canary-Zq8#value-do-not-leak-41"
URI = "https://127.0.0.1:4443/"
VAULT = Vault(
    id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1",
    name="kv1",
    subscription_id="s",
    resource_group="rg",
    location="westus",
    uri=URI,
    tenant_id="t",
)
EXP = datetime(2030, 1, 1, tzinfo=UTC)
CURRENT = SecretProperties(
    name="db-password",
    vault_uri=URI,
    version="v1",
    content_type="text/plain",
    tags=(("env", "prod"),),
)
DELETED = DeletedSecret(
    properties=replace(CURRENT, version=None),
    recovery_id="r",
    scheduled_purge_date=datetime(2030, 3, 1, tzinfo=UTC),
)


def draft(**kw) -> SecretDraft:
    base = dict(
        name="db-password",
        value=MaskedValue(CANARY),
        content_type="text/plain",
        expires_on=EXP,
        tags=(("env", "prod"),),
    )
    return SecretDraft(**{**base, **kw})


def test_create_records_attributes_never_the_value_nor_its_length() -> None:
    plan = plan_set_secret(VAULT, draft(), None)
    (change,) = plan.changes
    assert change.kind == SECRET_SET and change.before is None
    assert change.params.to_dict() == {
        "vault_uri": URI,
        "name": "db-password",
        "content_type": "text/plain",
        "enabled": True,
        "not_before": None,
        "expires_on": "2030-01-01T00:00:00+00:00",
        "tags": {"env": "prod"},
    }
    assert change.after["value"] == "(new value — not recorded)"
    dumped = json.dumps(plan.to_dict()) + "\n".join(plan.render_diff()) + repr(plan)
    assert CANARY not in dumped
    assert str(len(CANARY)) not in json.dumps(change.to_dict())
    assert change.undo is None and "version" in change.undo_note


def test_new_version_shows_before_and_after() -> None:
    plan = plan_set_secret(VAULT, draft(content_type="application/json"), CURRENT)
    change = plan.changes[0]
    assert change.before["version"] == "v1" and change.before["content_type"] == "text/plain"
    assert "- content type: text/plain" in plan.render_diff()
    assert "+ content type: application/json" in plan.render_diff()
    assert plan.title.startswith("New version")


@pytest.mark.parametrize(
    ("kw", "field", "expected"),
    [
        ({"name": "db_password"}, "name", "'_'"),
        ({"value": MaskedValue("")}, "value", "empty"),
        ({"value": MaskedValue("x" * (25 * 1024 + 1))}, "value", "25 KB"),
        ({"content_type": "t" * 256}, "content_type", "255"),
        ({"not_before": EXP, "expires_on": EXP}, "expires_on", "before the expiry"),
        ({"tags": tuple((f"k{i}", "v") for i in range(16))}, "tags", "15"),
    ],
)
def test_invalid_drafts_are_blocked_before_sending(kw, field: str, expected: str) -> None:
    d = draft(**kw)
    errors = draft_errors(d)
    assert expected in errors[field]
    plan = plan_set_secret(VAULT, d, None)
    assert not plan.can_apply and plan.changes == () and expected in (plan.blocked or "")


def test_a_deleted_secret_with_that_name_blocks_creation() -> None:
    plan = plan_set_secret(VAULT, draft(), None, deleted=DELETED)
    assert not plan.can_apply and "recover it" in (plan.blocked or "")


def test_disabled_or_expired_draft_warns() -> None:
    plan = plan_set_secret(
        VAULT, draft(enabled=False, expires_on=datetime(2020, 1, 1, tzinfo=UTC)), None
    )
    assert len(plan.warnings) == 2 and plan.needs_acknowledgement


def test_update_attributes_only_changes_what_was_given() -> None:
    plan = plan_update_secret(VAULT, CURRENT, enabled=False, expires_on=EXP)
    (change,) = plan.changes
    assert change.kind == SECRET_UPDATE
    assert change.params.version == "v1" and change.params.content_type == "text/plain"
    assert change.params.enabled is False and change.params.expires_on.startswith("2030")
    assert "value" not in change.to_dict()["params"]
    assert change.undo is not None and change.undo.params.enabled is True
    assert any("Disabling" in w for w in plan.warnings)
    assert plan_update_secret(VAULT, CURRENT, content_type="text/plain").is_empty
    assert not plan_update_secret(VAULT, CURRENT, content_type="t" * 300).can_apply


def test_delete_is_soft_and_undone_by_recover() -> None:
    plan = plan_delete_secret(VAULT, CURRENT)
    (change,) = plan.changes
    assert change.kind == SECRET_DELETE and plan.needs_typed_confirmation is None
    assert change.undo is not None and change.undo.kind == SECRET_RECOVER
    assert "90 days" in plan.notes[0]


def test_delete_without_soft_delete_needs_typed_confirmation() -> None:
    plan = plan_delete_secret(replace(VAULT, soft_delete=False), CURRENT)
    assert plan.needs_typed_confirmation == "db-password" and plan.changes[0].undo is None


def test_recover_plan() -> None:
    (change,) = plan_recover_secret(VAULT, DELETED).changes
    assert change.kind == SECRET_RECOVER and change.undo is not None


def test_purge_requires_typing_the_name() -> None:
    plan = plan_purge_secret(VAULT, DELETED)
    assert plan.changes[0].kind == SECRET_PURGE and plan.changes[0].undo is None
    assert plan.needs_typed_confirmation == "db-password"
    assert plan.warnings and not plan.confirmation_matches("db-passwor")


def test_purge_is_refused_under_purge_protection_with_an_explanation() -> None:
    plan = plan_purge_secret(replace(VAULT, purge_protection=True), DELETED)
    assert not plan.can_apply and plan.changes == ()
    assert "Purge protection is on" in (plan.blocked or "")
    assert "2030-03-01" in (plan.blocked or "") and "recovered" in (plan.blocked or "")
