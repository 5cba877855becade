"""The layering rule: console/ never imports Textual or screens; screens/ never imports azure."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    out = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in _imports(path):
            if name.split(".")[0] in forbidden:
                out.append(f"{path.relative_to(ROOT)} imports {name}")
    return out


def test_console_never_imports_textual_or_screens() -> None:
    assert _offenders("console", ("textual", "screens", "rich")) == []


def test_screens_never_imports_azure() -> None:
    assert _offenders("screens", ("azure", "msal", "msrest")) == []


def test_the_check_catches_an_offender(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from textual.app import App\nimport azure.identity\n")
    assert _imports(bad) == {"textual.app", "azure.identity"}


def test_importing_the_core_loads_no_textual() -> None:
    code = (
        "import sys, console.models, console.masked, console.errors, emulator.server;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'screens')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
