"""The `kvconsole` command. Heavy imports (Textual, Azure SDKs) happen only in the chosen path.

The one wiring module: it alone imports both the UI (screens.app) and the SDK wiring
(console.connect, emulator), and hands `console.connect.open_service` to the app. Enforced by the
import-linter contracts in pyproject.toml.
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from screens.app import KvConsoleApp

CLOUD_NAMES = ("AzureCloud", "AzureChinaCloud", "AzureUSGovernment")


def _add_session_options(parser: argparse.ArgumentParser, *, in_subcommand: bool) -> None:
    """Options of the console and of `audit`; a subcommand's copy must not reset the main one's."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if in_subcommand else value

    parser.add_argument(
        "--demo",
        action="store_true",
        default=default(False),
        help="start the embedded Azure emulator and sign in to it",
    )
    parser.add_argument(
        "--seed",
        choices=("demo", "empty", "large"),
        default=default("demo"),
        help="with --demo: which emulated tenant to start",
    )
    parser.add_argument(
        "--state",
        type=Path,
        default=default(None),
        help="with --demo: keep the emulated tenant in this file across restarts",
    )
    parser.add_argument("--cloud", choices=CLOUD_NAMES, default=default("AzureCloud"))
    parser.add_argument("--tenant", default=default(None), help="tenant id to sign in to")
    parser.add_argument(
        "--subscription",
        action="append",
        default=default([]),
        help="limit to this subscription id (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    from console.audit_options import add_arguments as add_audit_arguments
    from emulator.options import add_arguments as add_emulator_arguments

    parser = argparse.ArgumentParser(
        prog="kvconsole",
        description="A terminal console for Azure Key Vault, Logic Apps and managed identities.",
    )
    _add_session_options(parser, in_subcommand=False)
    parser.add_argument("--read-only", action="store_true", help="refuse every change")
    sub = parser.add_subparsers(dest="command")
    emulator = sub.add_parser("emulator", help="run the embedded Azure emulator standalone")
    add_emulator_arguments(emulator)
    audit = sub.add_parser("audit", help="print posture findings (table, JSON or SARIF) for CI")
    _add_session_options(audit, in_subcommand=True)
    add_audit_arguments(audit)
    return parser


def pause_gc_for_startup() -> None:
    """Start-up allocates what lives as long as the process (modules, classes, styles), and the
    cyclic GC would scan it again and again: ~40 ms of collections before the first paint. The
    app freezes it all and turns the GC back on once it has painted (`KvConsoleApp._painted`)."""
    gc.disable()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "emulator":
        from emulator.cli import run as run_emulator

        return run_emulator(args)
    if args.command == "audit":
        from console.audit_run import run as run_audit

        return run_audit(args)
    pause_gc_for_startup()
    return run_app(args)


def make_app(**options: Any) -> KvConsoleApp:
    """`screens.app.make_app` signing in through `console.connect` (the command and tests)."""
    from console.connect import open_service
    from screens.app import make_app as make_ui_app

    return make_ui_app(connect=open_service, **options)


def app_from_args(args: argparse.Namespace) -> KvConsoleApp:
    return make_app(
        demo=bool(getattr(args, "demo", False)),
        seed=getattr(args, "seed", "demo") or "demo",
        state=getattr(args, "state", None),
        read_only=bool(getattr(args, "read_only", False)),
        cloud=getattr(args, "cloud", "AzureCloud") or "AzureCloud",
        tenant=getattr(args, "tenant", None),
        subscriptions=tuple(getattr(args, "subscription", None) or ()),
    )


def run_app(args: argparse.Namespace) -> int:
    from screens.textual_private import tolerate_undecodable_input

    tolerate_undecodable_input()
    app = app_from_args(args)
    try:
        app.run()
    finally:
        gc.enable()  # in case the app stopped before its first paint
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
