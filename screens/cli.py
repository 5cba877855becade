"""The `kvconsole` command. Heavy imports (Textual, Azure SDKs) happen only in the chosen path."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

CLOUD_NAMES = ("AzureCloud", "AzureChinaCloud", "AzureUSGovernment")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kvconsole",
        description="A terminal console for Azure Key Vault, Logic Apps and managed identities.",
    )
    parser.add_argument("--demo", action="store_true",
                        help="start the embedded Azure emulator and sign in to it")
    parser.add_argument("--seed", default="demo", choices=("demo", "empty", "large"),
                        help="with --demo: which emulated tenant to start")
    parser.add_argument("--state", type=Path,
                        help="with --demo: keep the emulated tenant in this file across restarts")
    parser.add_argument("--read-only", action="store_true", help="refuse every change")
    parser.add_argument("--cloud", choices=CLOUD_NAMES, default="AzureCloud")
    parser.add_argument("--tenant", help="tenant id to sign in to")
    parser.add_argument("--subscription", action="append", default=[],
                        help="limit to this subscription id (repeatable)")
    sub = parser.add_subparsers(dest="command")
    emulator = sub.add_parser("emulator", help="run the embedded Azure emulator standalone")
    from console.emulator.cli import add_arguments

    add_arguments(emulator)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "emulator":
        from console.emulator.cli import run as run_emulator

        return run_emulator(args)
    from screens.app import run as run_app

    return run_app(args)


if __name__ == "__main__":
    sys.exit(main())
