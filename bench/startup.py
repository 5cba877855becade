"""Start-up: a fresh `python -c` goes the way `kvconsole --demo` goes (command line, app), runs
the app headless and reports when it painted first, which azure modules were loaded then, and
when the tree was full.

Children read and write byte code under one pycache prefix of the bench's own, warmed by a first
untimed run: an installed wheel starts from .pyc files, while this editable checkout (often with
PYTHONDONTWRITEBYTECODE set) would otherwise recompile our modules on every start (~35 ms).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_PYCACHE = tempfile.TemporaryDirectory(prefix="kvbench-pyc-")
_warm: set[str] = set()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": _PYCACHE.name, **extra}


def _run(code: str, env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    if code not in _warm:  # first run of this code: compiles into the prefix, not timed
        subprocess.run(
            [sys.executable, "-c", code, repr(time.time())],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        _warm.add(code)
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, "-c", code, repr(t0)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return t0, out


CHILD = r"""
import asyncio, json, sys, time
T0 = float(sys.argv[1])
# What `kvconsole --demo` does (screens/cli.py main), with the run made headless to measure it.
from screens.cli import build_parser, pause_gc_for_startup
args = build_parser().parse_args(["--demo"])
pause_gc_for_startup()
from screens.cli import app_from_args

app = app_from_args(args)
marks = {}

def azure_modules():
    return sum(1 for m in list(sys.modules) if m == "azure" or m.startswith("azure."))

def at_paint(painted):
    # Counted in the callback itself: the moment the first frame was written.
    if not painted.done():
        painted.set_result((time.time(), time.process_time(), azure_modules()))

def filled():
    if app.service is None or not app.catalog.subscriptions:
        return False
    return not app.main.pending and bool(app.catalog.vaults)

async def pilot(p):
    loop = asyncio.get_running_loop()
    painted = loop.create_future()
    app.call_after_refresh(lambda: at_paint(painted))
    marks["ready"] = time.time() - T0
    at, marks["paint_cpu"], marks["azure"] = await painted
    marks["paint"] = at - T0
    while not filled():
        await asyncio.sleep(0.005)
    marks["tree"] = time.time() - T0
    app.exit()

app.run(headless=True, size=(160, 45), auto_pilot=pilot)
print("BENCH " + json.dumps(marks), flush=True)
"""


def one_run() -> dict:
    with tempfile.TemporaryDirectory(prefix="kvbench-home-") as home:
        env = _env(
            HOME=home,
            XDG_CONFIG_HOME=f"{home}/config",
            XDG_DATA_HOME=f"{home}/data",
            XDG_CACHE_HOME=f"{home}/cache",
            XDG_STATE_HOME=f"{home}/state",
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        )
        _, out = _run(CHILD, env)
    for line in out.stdout.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[6:])
    raise RuntimeError(f"start-up run failed: {out.stderr[-2000:]}")


def bare_textual_run() -> tuple[float, float]:
    """A bare Textual app to first paint (wall s, CPU s): the floor this machine allows."""
    code = (
        "import asyncio, sys, time\nT0 = float(sys.argv[1])\n"
        "from textual.app import App\nfrom textual.widgets import Footer, Header, Tree\n"
        "class A(App):\n    def compose(self):\n        yield Header(); yield Tree('t'); "
        "yield Footer()\n"
        "app = A()\nasync def pilot(p):\n    f = asyncio.get_running_loop().create_future()\n"
        "    app.call_after_refresh(lambda: f.set_result((time.time(), time.process_time())))\n"
        "    at, cpu = await f\n    print('BENCH', at - T0, cpu, flush=True); app.exit()\n"
        "app.run(headless=True, size=(160, 45), auto_pilot=pilot)\n"
    )
    _, out = _run(code, _env())
    for line in out.stdout.splitlines():
        if line.startswith("BENCH "):
            return float(line.split()[1]), float(line.split()[2])
    raise RuntimeError(out.stderr[-2000:])


# ---- instructions to the first frame (callgrind): the same count whatever the machine does ----
FIRST_FRAME_EXIT = r"""
import os
from textual.app import App
def _first_frame(self, screen, update):  # textual 8.2.8: the first frame handed to the driver
    os._exit(0)
App._display = _first_frame
"""
OURS_TO_FRAME = (
    FIRST_FRAME_EXIT
    + r"""
from screens.cli import build_parser, pause_gc_for_startup
args = build_parser().parse_args(["--demo"])
pause_gc_for_startup()
from screens.cli import app_from_args
app_from_args(args).run(headless=True, size=(160, 45))
"""
)
BARE_TO_FRAME = (
    FIRST_FRAME_EXIT
    + r"""
from textual.widgets import Footer, Header, Tree
class A(App):
    def compose(self):
        yield Header(); yield Tree("t"); yield Footer()
A().run(headless=True, size=(160, 45))
"""
)


def instructions_to_first_frame() -> tuple[int, int] | None:
    """(ours, bare Textual) instructions from process start to the first frame, or None without
    valgrind. Wall times here drift ±30 % within a minute; instruction counts do not."""
    if shutil.which("valgrind") is None:
        return None
    counts = []
    for code in (OURS_TO_FRAME, BARE_TO_FRAME):
        with tempfile.TemporaryDirectory(prefix="kvbench-home-") as home:
            env = _env(HOME=home, XDG_CONFIG_HOME=f"{home}/config")
            subprocess.run(
                [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, timeout=60
            )  # compiles into the pycache prefix
            out = subprocess.run(
                [
                    "valgrind",
                    "--tool=callgrind",
                    "--callgrind-out-file=/dev/null",
                    sys.executable,
                    "-c",
                    code,
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
        found = re.search(r"Collected\s*:\s*(\d+)", out.stderr)
        if found is None:
            raise RuntimeError(f"callgrind run failed: {out.stderr[-2000:]}")
        counts.append(int(found.group(1)))
    return counts[0], counts[1]
