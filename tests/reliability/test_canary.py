"""Secret hygiene at the core: a canary value goes through every core path that touches a value
and shows up nowhere but in the vault — not in output, files, the journal, logs or messages.

(The TUI's canary — crashes in handlers and workers, snapshots, the clipboard — is tested with
the screens.)
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
from reliability_faults import lose_response
from reliability_world import ADMIN_SECRET, World

from console.errors import ConsoleError
from console.journal import Journal
from console.masked import MaskedValue
from console.plans.apply import execute, read_current
from console.plans.secret import SecretDraft, plan_set_secret
from console.service import AzureService
from emulator.faults import install
from emulator.seeds import build_state
from emulator.server import Emulator

CANARY = "canary-7f3e91-Wq8zK2pLx"
FORMS = (CANARY, CANARY.encode().hex(), CANARY[::-1])  # plain, hex-dumped, reversed


def leaks(text: str | bytes) -> bool:
    data = text if isinstance(text, bytes) else text.encode("utf-8", "replace")
    return any(form.encode() in data for form in FORMS)


def shown(obj: object) -> list[str]:
    """Every way an object is commonly turned into text."""
    return [repr(obj), str(obj), f"{obj}", f"{obj!r}", "%s" % (obj,)]  # noqa: UP031


def error_texts(err: BaseException) -> list[str]:
    texts = shown(err) + ["".join(traceback.format_exception(err))]
    if isinstance(err, ConsoleError):
        texts += [err.message, err.title, err.code]
    return texts


@pytest.fixture
def debug_log(isolated_dirs: Path):
    """logging.basicConfig at DEBUG into a file under HOME, every logger included."""
    path = isolated_dirs / "kvconsole-debug.log"
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    logging.basicConfig(filename=path, level=logging.DEBUG, force=True)
    for name in ("azure", "azure.core", "azure.identity", "msal", "aiohttp", "urllib3"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield path
    for handler in root.handlers:
        handler.close()
    root.handlers[:], root.level = saved


async def test_the_canary_goes_to_the_vault_and_nowhere_else(
    emu: Emulator,
    world: World,
    service: AzureService,
    isolated_dirs: Path,
    debug_log: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    uri = emu.vault_uri("kv-ap")
    texts: list[str] = []
    value = MaskedValue(CANARY)
    texts += shown(value) + shown(SecretDraft("n", value))

    # save and read back
    props = await service.set_secret(uri, "canary", value, tags={"owner": "ops"})
    secret = await service.get_secret(uri, "canary")
    assert secret.value.reveal() == CANARY  # it really went through (else the test proves nothing)
    assert emu.state.vault_secrets("kv-ap")["canary"].latest.value == CANARY
    texts += shown(props) + shown(secret) + shown(secret.value) + shown(vars(secret))
    texts += shown(await service.list_secret_versions(uri, "canary"))

    # saves that fail: Azure refuses, Azure is down, the answer is lost, the name is bad
    failures = []
    for attempt in ("refused", "503", "lost", "bad name"):
        injected = None
        if attempt == "503":
            injected = install(emu, "503@PUT /secrets/canary:once")
        elif attempt == "lost":
            injected = lose_response(emu, "PUT /secrets/canary")
        name = "bad_name" if attempt == "bad name" else "canary"
        vault_uri = emu.vault_uri("kv-rbac") if attempt == "refused" else uri  # no data role
        with pytest.raises(ConsoleError) as err:
            await service.set_secret(vault_uri, name, value)
        failures.append(type(err.value).__name__)
        texts += error_texts(err.value)
        if injected is not None:
            emu.before_request.remove(injected)
    assert failures == ["ForbiddenError", "ServiceError", "ServiceError", "BadRequestError"]

    # the wizard path: plan, apply, verify, journal (one success, one failure)
    vault = await service.get_vault(world.vault_id("kv-ap"))
    journal = Journal()  # the real location, under HOME
    for fail in (False, True):
        current = (await service.list_secret_versions(uri, "canary"))[0]
        draft = SecretDraft("canary", value, content_type="text/plain")
        plan = plan_set_secret(vault, draft, current)
        texts += plan.render_diff() + [repr(plan)]
        injected = install(emu, "500@PUT /secrets/canary:once") if fail else None
        result = await execute(service, plan, secret_value=draft.value)
        assert result.ok is not fail
        texts += [result.summary(), repr(result)]
        journal.record(plan, result, who="canary test", verified=await read_current(service, plan))
        if injected is not None:
            emu.before_request.remove(injected)
    assert len(journal.entries()) == 2

    out, err = capfd.readouterr()
    for text in [*texts, out, err]:
        assert not leaks(text), text[:300]
    written = [p for p in isolated_dirs.rglob("*") if p.is_file()]
    assert journal.path in written and debug_log in written
    assert debug_log.stat().st_size > 0  # the SDKs did log (at DEBUG)
    for path in written:
        data = path.read_bytes()
        assert not leaks(data), path
        assert ADMIN_SECRET.encode() not in data, path  # nor the sign-in secret


def _tenant_with_canaries(path: Path) -> None:
    """The demo tenant plus the canary as a secret value and hard-coded in a workflow."""
    state = build_state("demo")
    vault = next(iter(state.vaults.values()))
    from emulator.state import SecretRecord, SecretVersion, new_version, now_ts

    ts = now_ts()
    state.vault_secrets(vault["name"])["canary"] = SecretRecord(
        "canary", [SecretVersion(new_version(), CANARY, ts, ts)]
    )
    workflow = next(iter(state.workflows.values()))["properties"]
    workflow["parameters"] = {"apiKey": {"type": "String", "value": CANARY}}
    for action in workflow["definition"].get("actions", {}).values():
        action.setdefault("inputs", {}).setdefault("headers", {})["Authorization"] = (
            f"Bearer {CANARY}"
        )
    state.save(path)


def test_audit_json_reports_where_but_never_the_value(tmp_path: Path, isolated_dirs: Path) -> None:
    tenant = tmp_path / "tenant.json"  # the emulated Azure side: outside HOME
    _tenant_with_canaries(tenant)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "screens.cli",
            "audit",
            "--demo",
            "--state",
            str(tenant),
            "--format",
            "json",
            "--fail-on",
            "critical",
        ],
        capture_output=True,
        timeout=60,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert done.returncode in (0, 1, 2), done.stderr.decode()[-800:]  # 2: a vault not read
    assert b"apiKey" in done.stdout and b"Authorization" in done.stdout  # the places are named
    assert not leaks(done.stdout) and not leaks(done.stderr)
    for path in isolated_dirs.rglob("*"):
        if path.is_file():
            assert not leaks(path.read_bytes()), path
