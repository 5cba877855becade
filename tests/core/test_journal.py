"""The journal: JSON lines in the data dir, round-trip, undo, and never a secret value."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from console.journal import Journal, entry_for, forget_secrets, journal_path, remember_secret
from console.masked import MaskedValue
from console.models import AccessPolicy, Permissions, Vault
from console.plans.base import (
    ACCESS_POLICY_REMOVE,
    NETWORK_RULES,
    Plan,
    PlanResult,
    SecretLeakError,
    snapshot_of,
)
from console.plans.firewall import propose_firewall
from console.plans.grant import PrincipalRef, plan_grant
from console.plans.secret import SecretDraft, plan_set_secret

CANARY = "canary-7Hq!not-in-any-file-0192"
VAULT = Vault(
    id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1",
    name="kv1",
    subscription_id="s",
    resource_group="rg",
    location="westus",
    uri="https://127.0.0.1:4443/",
    tenant_id="t",
)
OID = "11111111-1111-1111-1111-111111111111"
APP = PrincipalRef(OID, "la-orders", "managed_identity")


@pytest.fixture(autouse=True)
def _forget() -> Iterator[None]:
    yield
    forget_secrets()


def applied(plan: Plan) -> PlanResult:
    return PlanResult(plan, plan.changes)


def test_journal_lives_in_the_user_data_dir(isolated_dirs) -> None:
    assert journal_path() == isolated_dirs / ".local/share/kvconsole/journal.jsonl"
    Journal().record(plan_grant(VAULT, APP), applied(plan_grant(VAULT, APP)), who="admin@contoso")
    assert journal_path().exists()
    assert journal_path().stat().st_mode & 0o777 == 0o600


def test_round_trip(tmp_path) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    plan = plan_grant(VAULT, APP)
    when = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    entry = entry_for(plan, applied(plan), who="admin@contoso", who_id=OID, now=when)
    journal.append(entry)
    (back,) = journal.entries()
    assert back == entry
    assert back.when == "2026-05-01T12:00:00+00:00" and back.who == "admin@contoso"
    assert back.title == plan.title and back.result["status"] == "applied"
    assert back.changes[0]["after"] == {"object_id": OID, "permissions": {"secrets": ["get"]}}
    assert back.applied_changes == list(plan.changes)


def test_corrupted_lines_are_skipped_and_counted(tmp_path) -> None:
    path = tmp_path / "j.jsonl"
    journal = Journal(path)
    plan = plan_grant(VAULT, APP)
    journal.record(plan, applied(plan), who="a")
    with path.open("a") as f:
        f.write('{"id": "half-writ\n[1, 2]\n')
    journal.record(plan, applied(plan), who="b")
    assert [e.who for e in journal.entries()] == ["a", "b"]
    assert journal.skipped_lines == 2


def test_undo_of_a_grant_and_of_a_firewall_change(tmp_path) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    grant = plan_grant(VAULT, APP)
    after_grant = replace(
        VAULT, access_policies=(AccessPolicy("t", OID, Permissions(secrets=("get",))),)
    )
    entry = journal.record(
        grant, applied(grant), who="a", verified={f"vault:{VAULT.id}": snapshot_of(after_grant)}
    )
    undo = journal.undo_plan(journal.entries()[0])
    assert undo is not None and undo.title == f"Undo: {grant.title}"
    (change,) = undo.changes
    assert change.kind == ACCESS_POLICY_REMOVE and change.params.permissions == {"secrets": ["get"]}
    assert undo.snapshot == entry.verified  # the applier checks nobody changed it since

    fw = propose_firewall(VAULT, None, extra_addresses=["20.1.1.1"], admin_address="20.1.1.1").plan
    journal.record(fw, applied(fw), who="a")
    (restore,) = journal.undo_plan(journal.entries()[1]).changes
    assert restore.kind == NETWORK_RULES
    assert restore.params.network["default_action"] == "Allow"
    assert restore.params.network["ip_rules"] == []


def test_undo_covers_only_the_applied_part(tmp_path) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    grant = plan_grant(VAULT, APP)
    fw = propose_firewall(VAULT, None, extra_addresses=["20.1.1.1"], admin_address="20.1.1.1").plan
    both = Plan("Setup", grant.changes + fw.changes)
    failed = PlanResult(both, both.changes[:1], both.changes[1], "Throttled.", ())
    journal.record(both, failed, who="a")
    entry = journal.entries()[0]
    assert entry.result["status"] == "partial" and entry.result["error"] == "Throttled."
    undo = journal.undo_plan(entry)
    assert [c.kind for c in undo.changes] == [ACCESS_POLICY_REMOVE]
    nothing = PlanResult(both, (), both.changes[0], "Throttled.", both.changes[1:])
    journal.record(both, nothing, who="a")
    assert journal.undo_plan(journal.entries()[1]) is None


def test_masked_values_are_refused_anywhere_in_an_entry(tmp_path) -> None:
    path = tmp_path / "j.jsonl"
    journal = Journal(path)
    plan = plan_grant(VAULT, APP)
    entry = entry_for(plan, applied(plan), who="a").to_dict()
    entry["result"]["extra"] = [{"deep": MaskedValue(CANARY)}]
    with pytest.raises(SecretLeakError):
        journal.append(entry)
    assert not path.exists()


@pytest.mark.parametrize(
    "where",
    [
        lambda e, v: e.update(who=v),
        lambda e, v: e["result"].update(error=f"Azure said: {v} is bad"),
        lambda e, v: e["changes"][0]["params"].update({v: "as a key"}),
    ],
)
def test_strings_equal_to_or_containing_a_known_secret_are_refused(tmp_path, where) -> None:
    path = tmp_path / "j.jsonl"
    journal = Journal(path)
    journal.remember_secret(MaskedValue(CANARY))
    plan = plan_grant(VAULT, APP)
    entry = entry_for(plan, applied(plan), who="a").to_dict()
    where(entry, CANARY)
    with pytest.raises(SecretLeakError) as info:
        journal.append(entry)
    assert CANARY not in str(info.value)
    assert not path.exists()


def test_short_secrets_are_matched_exactly_only(tmp_path) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    journal.remember_secret("get")  # a (bad) 3-letter secret must not block every grant
    plan = plan_grant(VAULT, APP, Permissions(secrets=("get", "list")))
    with pytest.raises(SecretLeakError):  # ... but an exact "get" string is still refused
        journal.record(plan, applied(plan), who="a")
    journal.append({"id": "1", "when": "w", "title": "t", "changes": [], "who": "getter"})


def test_canary_never_reaches_the_journal_file(isolated_dirs) -> None:
    """Every journaled path a secret value goes through: create, new version, failed save."""
    value = MaskedValue(CANARY)
    remember_secret(value)  # the editor registers what it handles
    journal = Journal()
    draft = SecretDraft(
        name="db-password", value=value, content_type="text/plain", tags=(("owner", "ops"),)
    )
    create = plan_set_secret(VAULT, draft, None)
    journal.record(create, applied(create), who="admin")
    failed = PlanResult(create, (), create.changes[0], "The vault refused the request.", ())
    journal.record(create, failed, who="admin")
    text = journal_path().read_text(encoding="utf-8")
    assert CANARY not in text
    assert json.dumps(CANARY)[1:-1] not in text
    assert len(journal.entries()) == 2 and "db-password" in text
    # and a careless caller cannot put it there
    with pytest.raises(SecretLeakError):
        journal.append({"id": "x", "when": "w", "title": "t", "changes": [], "note": CANARY})
    with pytest.raises(SecretLeakError):
        journal.append({"id": "x", "when": "w", "title": "t", "changes": [], "note": value})
    assert CANARY not in journal_path().read_text(encoding="utf-8")


def test_a_torn_last_line_does_not_swallow_the_next_entry(tmp_path) -> None:
    path = tmp_path / "j.jsonl"
    journal = Journal(path)
    plan = plan_grant(VAULT, APP)
    journal.record(plan, applied(plan), who="a")
    with path.open("a") as f:
        f.write('{"id": "crashed mid-wri')  # no line end: the process died here
    journal.record(plan, applied(plan), who="b")
    assert [e.who for e in journal.entries()] == ["a", "b"]
    assert journal.skipped_lines == 1


def test_any_string_azure_accepts_is_journaled(tmp_path) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    plan = plan_grant(VAULT, APP)
    who = "admin\ud800\x1b]0;x\x07"  # a lone surrogate and an escape sequence
    journal.record(plan, applied(plan), who=who)
    (back,) = journal.entries()
    assert back.who == who
    assert "\x1b" not in (tmp_path / "j.jsonl").read_text()  # escaped in the file


def test_journal_folders_are_private_whatever_the_umask(tmp_path) -> None:
    import os

    old = os.umask(0)
    try:
        journal = Journal(tmp_path / "new" / "deeper" / "j.jsonl")
        plan = plan_grant(VAULT, APP)
        journal.record(plan, applied(plan), who="a")
    finally:
        os.umask(old)
    for folder in (tmp_path / "new", tmp_path / "new" / "deeper"):
        assert folder.stat().st_mode & 0o777 == 0o700


# A line as the journal wrote it before changes had one type per kind (params a plain dict): the
# identity undo has no "replace_user_assigned" key, and the role change carries a key this
# version does not know. It must still be read and undone.
OLD_LINE = (
    '{"id": "e1", "when": "2026-04-01T09:00:00+00:00", "who": "admin", "who_id": null, '
    '"title": "Enable identity", "changes": [{"resource_id": "/la/1", "kind": "identity", '
    '"summary": "Turn on the system-assigned identity of la-1", "before": {"type": "None"}, '
    '"after": {"type": "SystemAssigned"}, "params": {"logic_app_id": "/la/1", "identity": '
    '{"type": "SystemAssigned"}, "replace_user_assigned": false}, "undo": {"resource_id": '
    '"/la/1", "kind": "identity", "summary": "Turn off the managed identity of la-1", '
    '"before": {"type": "SystemAssigned"}, "after": {"type": "None"}, "params": '
    '{"logic_app_id": "/la/1", "identity": {"type": "None"}}, "undo": null, "undo_note": ""}, '
    '"undo_note": "new principal"}, {"resource_id": "/kv", "kind": "role_assignment.create", '
    '"summary": "Assign", "before": null, "after": {"role": "r"}, "params": {"scope": "/kv", '
    '"role_definition_guid": "g", "principal_id": "p", "principal_type": "ServicePrincipal", '
    '"note": "written by a later version"}, "undo": {"resource_id": "/kv", "kind": '
    '"role_assignment.delete", "summary": "Delete", "before": {"role": "r"}, "after": null, '
    '"params": {"scope": "/kv", "role_definition_guid": "g", "principal_id": "p", '
    '"principal_type": "ServicePrincipal", "id": null}, "undo": null, "undo_note": ""}, '
    '"undo_note": ""}], "result": {"status": "applied", "applied": [0, 1]}, "verified": {}}\n'
)


def test_entries_written_before_typed_changes_are_read_and_undone(tmp_path) -> None:
    from console.plans.changes import IdentitySet, RoleAssignmentDelete

    path = tmp_path / "j.jsonl"
    path.write_text(OLD_LINE, encoding="utf-8")
    journal = Journal(path)
    (entry,) = journal.entries()
    assert journal.skipped_lines == 0
    undo = journal.undo_plan(entry)
    assert undo is not None
    delete, identity_off = undo.changes  # last change first
    assert delete.params == RoleAssignmentDelete("/kv", "g", "p", "ServicePrincipal", None)
    assert identity_off.params == IdentitySet("/la/1", {"type": "None"}, False)
    # Written again, an entry keeps the journal's shape: kind and a plain params object.
    again = entry.applied_changes[0].to_dict()
    assert again["kind"] == "identity" and again["params"] == {
        "logic_app_id": "/la/1",
        "identity": {"type": "SystemAssigned"},
        "replace_user_assigned": False,
    }
