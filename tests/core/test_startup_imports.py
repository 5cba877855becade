"""Start-up stays light: the command line of `kvconsole` loads neither the audit rules, nor the
emulator, nor the Azure SDK; the app module loads no SDK (it comes after the first paint)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from console.audit_options import FORMAT_NAMES
from console.audit_report import FORMATS

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("azure", "console.audit", "console.diagnosis", "emulator.state", "aiohttp")


def _loaded_after(code: str) -> list[str]:
    probe = (
        f"{code}\nimport sys\n"
        f"print(sorted(m for m in sys.modules if any(m == h or m.startswith(h + '.') "
        f"for h in {HEAVY!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return eval(result.stdout.strip())  # noqa: S307 - our own probe's list of names


def test_parsing_the_command_line_loads_nothing_heavy() -> None:
    code = "from screens.cli import build_parser\nbuild_parser().parse_args(['--demo'])"
    assert _loaded_after(code) == []


def test_the_app_module_loads_no_sdk_and_no_audit() -> None:
    assert _loaded_after("import screens.app") == []


def test_the_audit_formats_offered_are_the_ones_it_prints() -> None:
    assert tuple(FORMATS) == FORMAT_NAMES
