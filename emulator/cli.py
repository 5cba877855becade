"""`kvconsole emulator`: run the emulator standalone and print how to reach it (one JSON line)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys

from emulator.options import add_arguments
from emulator.state import State, StateFileError

__all__ = ["add_arguments", "load_or_seed", "run"]


def load_or_seed(args: argparse.Namespace) -> State:
    from emulator.seeds import build_state

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
    from emulator.server import Emulator

    emu = Emulator(load_or_seed(args), port=args.port, state_path=args.state)
    if args.faults:
        from emulator.faults import install

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
