"""`kvconsole emulator` options, declared without loading the emulator: every start of the
console parses the command line."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=0, help="ARM/token port (default: any free)")
    parser.add_argument("--seed", choices=("demo", "empty", "large"), default="demo")
    parser.add_argument("--state", type=Path, help="persist the tenant in this JSON file")
    parser.add_argument(
        "--client-address",
        help="the public address vaults see for local callers (default 203.0.113.10)",
    )
    parser.add_argument(
        "--faults",
        metavar="SPEC",
        help="inject faults, e.g. '429@GET */secrets*:0.3,503:0.05,seed=7' "
        "(see emulator/faults.py)",
    )
    sizes = parser.add_argument_group("sizes of the 'large' seed")
    sizes.add_argument("--subscriptions", type=int, default=20)
    sizes.add_argument("--vaults", type=int, default=50, help="vaults per subscription")
    sizes.add_argument("--logic-apps", type=int, default=1000)
    sizes.add_argument("--secrets", type=int, default=10, help="secrets per vault")
    sizes.add_argument("--big-vault", type=int, default=10000, help="secrets in the big vault")
