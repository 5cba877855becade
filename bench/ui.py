"""UI measurements, each in a fresh process: responsiveness while a big vault loads (the real
app, signed in to the emulator process), type-to-filter over 100,000 rows, memory at 100,000."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent


def run_child(mode: str, *args: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kvbench-home-") as home:
        env = {
            **os.environ,
            "HOME": home,
            "XDG_CONFIG_HOME": f"{home}/config",
            "XDG_DATA_HOME": f"{home}/data",
            "XDG_STATE_HOME": f"{home}/state",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }
        out = subprocess.run(
            [sys.executable, str(BENCH / "ui_child.py"), mode, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
    for line in out.stdout.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[6:])
    raise RuntimeError(f"{mode} failed:\n{out.stdout[-1500:]}\n{out.stderr[-3000:]}")
