"""Every third-party package the code imports by name is declared in pyproject.toml: a package
that only arrives as another's dependency can vanish when that one is upgraded."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWN = {"console", "screens", "emulator", "assets"}


def imported_modules() -> set[str]:
    """Dotted names imported anywhere in the shipped packages (module level or in a function)."""
    found: set[str] = set()
    for package in ("console", "screens", "emulator"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {alias.name for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.add(node.module)
    return found


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = (re.split(r"[<>=!~;\[ ]", d, maxsplit=1)[0] for d in project["dependencies"])
    return {n.lower().replace("_", "-") for n in names}


def distributions_of(module: str) -> set[str]:
    """The distributions providing *module*: for a namespace package (azure, azure.mgmt) the
    longest dotted prefix any installed distribution claims decides."""
    owners = packages_distributions()
    top = module.split(".")[0]
    dists = set(owners.get(top, ()))
    if len(dists) > 1:  # a namespace: find who ships this very module
        from importlib.util import find_spec

        spec = find_spec(module)
        origin = str(spec.origin if spec and spec.origin else "")
        from importlib.metadata import distribution

        dists = {
            d for d in dists if any(origin.endswith(str(f)) for f in distribution(d).files or ())
        }
    return {d.lower().replace("_", "-") for d in dists}


def test_every_directly_imported_package_is_declared() -> None:
    undeclared = {}
    for module in sorted(imported_modules()):
        top = module.split(".")[0]
        if top in OWN or top in sys.stdlib_module_names:
            continue
        dists = distributions_of(module)
        if dists and not dists & declared():
            undeclared[module] = sorted(dists)
    assert undeclared == {}
