"""`kvconsole emulator`: run the emulator standalone and print how to reach it (one JSON line)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path

from console.emulator.state import State, StateFileError


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
        "(see console/emulator/faults.py)",
    )
    sizes = parser.add_argument_group("sizes of the 'large' seed")
    sizes.add_argument("--subscriptions", type=int, default=20)
    sizes.add_argument("--vaults", type=int, default=50, help="vaults per subscription")
    sizes.add_argument("--logic-apps", type=int, default=1000)
    sizes.add_argument("--secrets", type=int, default=10, help="secrets per vault")
    sizes.add_argument("--big-vault", type=int, default=10000, help="secrets in the big vault")


def load_or_seed(args: argparse.Namespace) -> State:
    from console.emulator.seeds import build_state

    if args.state is not None and args.state.exists():
        state = State.load(args.state)
    elif args.seed == "large":
        state = build_state(
            "large",
            subscriptions=args.subscriptions,
            vaults_per_subscription=args.vaults,
            logic_apps=args.logic_apps,
            secrets_per_vault=args.secrets,
            big_vault_secrets=args.big_vault,
        )
    else:
        state = build_state(args.seed)
    if args.client_address:
        state.client_address = args.client_address
    return state


async def _serve(args: argparse.Namespace) -> None:
    from console.emulator.server import Emulator

    emu = Emulator(load_or_seed(args), port=args.port, state_path=args.state)
    if args.faults:
        from console.emulator.faults import install

        install(emu, args.faults)
    await emu.start()
    emu.persist()
    print(json.dumps(emu.info()), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await emu.stop()


def run(args: argparse.Namespace) -> int:
    try:
        asyncio.run(_serve(args))
    except (StateFileError, ValueError) as exc:
        print(f"kvconsole emulator: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"kvconsole emulator: cannot listen ({exc.strerror}). Try another --port.",
            file=sys.stderr,
        )
        return 2
    return 0
