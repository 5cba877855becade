"""What lint-imports (the contracts in pyproject.toml) cannot see: what importing the core and the
emulator actually loads at run time, lazy imports included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Every module of console/ and emulator/, imported in a fresh interpreter.
PROBE = """
import importlib, pkgutil, sys
import console, emulator
for package in (console, emulator):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "screens"))
print(bad)
sys.exit(1 if bad else 0)
"""


def test_importing_the_core_and_the_emulator_loads_no_textual() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
