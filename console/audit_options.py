"""`kvconsole audit` options, declared without loading the audit: every start of the console
parses the command line, and the audit rules cost ~50 ms to import."""

from __future__ import annotations

import argparse

SEVERITIES = ("info", "low", "medium", "high", "critical")
FORMAT_NAMES = ("table", "json", "sarif")  # the keys of console.audit_report.FORMATS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMAT_NAMES, default="table")
    parser.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        default="high",
        help="exit 1 when a finding is at or above this level (default: high); exit 2 on an error",
    )
