"""An installed wheel must carry both packages and the assets, found from the package itself."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Build from a copy: setuptools writes build/ into the source tree, and parallel runs collide.
    source = out / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "build", "*.egg-info", "__pycache__", ".pytest_cache", "tests"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("kvconsole-*.whl")
    return built


def test_wheel_contains_every_package_and_the_assets(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    source_packages = {
        str(p.parent.relative_to(ROOT))
        for d in ("console", "screens", "assets")
        for p in (ROOT / d).rglob("__init__.py")
    }
    for package in source_packages:
        assert f"{package}/__init__.py" in names, f"{package} missing from the wheel"
    for tcss in (ROOT / "assets").glob("*.tcss"):
        assert f"assets/{tcss.name}" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "kvconsole = screens.cli:main" in text


def test_the_installed_wheel_runs_from_its_own_files(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "installed"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    code = (
        f"import sys; sys.path.insert(0, {str(target)!r});"
        "import screens.cli, screens.app, emulator.seeds;"
        "assert screens.app.__file__.startswith(sys.path[0]), screens.app.__file__;"
        "css = screens.app.CSS_FILE;"
        "assert css.is_file() and str(css).startswith(sys.path[0]);"
        "screens.cli.main(['emulator', '--help'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "--faults" in result.stdout
    assert (target / "bin" / "kvconsole").exists()
