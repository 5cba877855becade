"""Audit output for people (table) and pipelines (JSON, SARIF 2.1.0)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from console.audit import RULES, Finding


@dataclass(frozen=True)
class NotChecked:
    """Something the audit could not read: its findings are unknown, so the run is incomplete."""

    resource: str
    reason: str


SARIF_LEVELS = {
    "critical": "error",
    "high": "error",
    "medium": "warning",
    "low": "note",
    "info": "note",
}
TOOL_URI = "https://github.com/kvconsole/kvconsole"


def to_table(findings: Sequence[Finding], not_checked: Sequence[NotChecked] = ()) -> str:
    skipped = "".join(f"NOT CHECKED  {n.resource}: {n.reason}\n" for n in not_checked)
    if skipped:
        skipped = f"{skipped}{len(not_checked)} not checked: the audit is incomplete.\n\n"
    if not findings:
        return skipped + ("No findings in what was checked.\n" if skipped else "No findings.\n")
    rows = [(f.severity.upper(), f.rule, f.title, f.fix) for f in findings]
    widths = [max(len(r[i]) for r in rows) for i in range(2)]
    lines = []
    for sev, rule, title, fix in rows:
        lines.append(f"{sev:<{widths[0]}}  {rule:<{widths[1]}}  {title}")
        lines.append(f"{'':<{widths[0]}}  {'':<{widths[1]}}  fix: {fix}")
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    summary = ", ".join(f"{n} {sev}" for sev, n in counts.items())
    return skipped + "\n".join(lines) + f"\n\n{len(findings)} findings: {summary}\n"


def to_json(findings: Sequence[Finding], not_checked: Sequence[NotChecked] = ()) -> str:
    doc = {
        "findings": [asdict(f) for f in findings],
        "not_checked": [asdict(n) for n in not_checked],
        "complete": not not_checked,
    }
    return json.dumps(doc, indent=2) + "\n"


def to_sarif(
    findings: Sequence[Finding], not_checked: Sequence[NotChecked] = (), version: str = "0.1.0"
) -> str:
    rule_ids = sorted({f.rule for f in findings})
    rules = []
    for rule_id in rule_ids:
        severity, title, why, fix = RULES.get(rule_id, ("medium", rule_id, "", ""))
        rules.append(
            {
                "id": rule_id,
                "name": rule_id.replace("-", ""),
                "shortDescription": {"text": title},
                "fullDescription": {"text": why or title},
                "help": {"text": fix or title},
                "defaultConfiguration": {"level": SARIF_LEVELS[severity]},
            }
        )
    results = [
        {
            "ruleId": f.rule,
            "ruleIndex": rule_ids.index(f.rule),
            "level": SARIF_LEVELS[f.severity],
            "message": {"text": f"{f.title}. {f.why} Fix: {f.fix}"},
            "locations": [
                {
                    "logicalLocations": [{"fullyQualifiedName": f.resource, "kind": "resource"}],
                }
            ],
            "properties": {"severity": f.severity},
        }
        for f in findings
    ]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kvconsole",
                        "version": version,
                        "informationUri": TOOL_URI,
                        "rules": rules,
                    }
                },
                "results": results,
                # What could not be read: SARIF's place for a run that did not see everything.
                "invocations": [
                    {
                        "executionSuccessful": not not_checked,
                        "toolExecutionNotifications": [
                            {
                                "level": "error",
                                "message": {"text": f"Not checked: {n.resource}: {n.reason}"},
                                "locations": [
                                    {
                                        "logicalLocations": [
                                            {"fullyQualifiedName": n.resource, "kind": "resource"}
                                        ]
                                    }
                                ],
                            }
                            for n in not_checked
                        ],
                    }
                ],
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"


FORMATS = {"table": to_table, "json": to_json, "sarif": to_sarif}
