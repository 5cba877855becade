"""The emulator in its own process (the client under test keeps its own core and GIL)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_SERVE = (
    "import argparse, sys\n"
    "from emulator.cli import add_arguments, run\n"
    "p = argparse.ArgumentParser(); add_arguments(p)\n"
    "sys.exit(run(p.parse_args()))\n"
)


@dataclass(frozen=True)
class Tenant:
    """What a client needs: endpoints, CA, the demo principal, the subscriptions."""

    info: dict[str, Any]

    @property
    def base_url(self) -> str:
        return self.info["base_url"]

    @property
    def ca_path(self) -> str:
        return self.info["ca_path"]

    @property
    def tenant_id(self) -> str:
        return self.info["tenant_id"]

    @property
    def client_id(self) -> str:
        return self.info["demo_client_id"]

    @property
    def client_secret(self) -> str:
        return self.info["demo_client_secret"]

    @property
    def subscription_ids(self) -> list[str]:
        return list(self.info["subscription_ids"])


@contextlib.contextmanager
def emulator(
    subscriptions: int, vaults: int, logic_apps: int, big_vault: int = 0, secrets: int = 0
) -> Iterator[Tenant]:
    """Run ``kvconsole emulator --seed large`` with these sizes; stopped on exit."""
    args = [
        "--seed",
        "large",
        "--subscriptions",
        str(subscriptions),
        "--vaults",
        str(vaults),
        "--logic-apps",
        str(logic_apps),
        "--secrets",
        str(secrets),
        "--big-vault",
        str(big_vault),
    ]
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVE, *args],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the emulator did not start")
        yield Tenant(json.loads(line))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
