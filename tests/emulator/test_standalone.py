"""`kvconsole emulator` for an outside script: the README's script, run as written."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_script() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Use the emulator from any Azure SDK script", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_script_lists_vaults_and_secrets(tmp_path: Path) -> None:
    emulator = subprocess.Popen(
        [sys.executable, "-m", "screens.cli", "emulator", "--seed", "demo"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = emulator.stdout.readline()
        info = json.loads(line)
        assert Path(info["ca_path"]).exists()
        (tmp_path / "emu.json").write_text(line)
        (tmp_path / "script.py").write_text(readme_script())
        result = subprocess.run(
            [sys.executable, str(tmp_path / "script.py"), str(tmp_path / "emu.json")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        emulator.terminate()
        emulator.wait(10)
    assert result.returncode == 0, result.stderr
    assert f"kv-payments-open {info['base_url'].rsplit(':', 1)[0]}:" in result.stdout
    assert "'payments-api-key'" in result.stdout
    assert emulator.returncode == 0  # SIGTERM stops it cleanly


def test_a_corrupted_state_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    state = tmp_path / "tenant.json"
    state.write_text("{not json")
    result = subprocess.run(
        [sys.executable, "-m", "screens.cli", "emulator", "--state", str(state)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "unreadable" in result.stderr and "Move it aside or delete it" in result.stderr
    assert state.read_text() == "{not json"  # nothing overwritten


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    from emulator.seeds import build_state
    from emulator.server import EmulatorThread
    from emulator.state import State

    path = tmp_path / "tenant.json"
    state = build_state("demo")
    with EmulatorThread(state, state_path=path) as emu:
        emu.persist()
    assert path.stat().st_mode & 0o777 == 0o600
    again = State.load(path)
    assert again.tenant_id == state.tenant_id
    assert set(again.vaults) == set(state.vaults)
    assert (
        again.vault_secrets("kv-payments-open").keys()
        == state.vault_secrets("kv-payments-open").keys()
    )


def test_a_burst_of_writes_shares_few_state_file_writes(tmp_path: Path) -> None:
    """--state no longer rewrites the whole tenant per request; the newest write still lands."""
    from azure.identity import ClientSecretCredential
    from azure.keyvault.secrets import SecretClient

    from emulator.seeds import build_state
    from emulator.server import EmulatorThread
    from emulator.state import State

    path = tmp_path / "tenant.json"
    with EmulatorThread(build_state("demo"), state_path=path) as emu:
        info = emu.info()
        credential = ClientSecretCredential(
            info["tenant_id"],
            info["demo_client_id"],
            info["demo_client_secret"],
            authority=info["base_url"],
            disable_instance_discovery=True,
            connection_verify=info["ca_path"],
        )
        client = SecretClient(
            emu.vault_uri("kv-payments-open"),
            credential,
            verify_challenge_resource=False,
            connection_verify=info["ca_path"],
        )
        before = emu.state_writes
        for i in range(30):
            client.set_secret("burst", f"fake-{i}")
        writes = emu.state_writes - before
    assert writes < 15, writes  # 30 writes, one file write per 0.2 s at most
    again = State.load(path)  # stopping flushed the last one
    assert again.vault_secrets("kv-payments-open")["burst"].latest.value == "fake-29"
    assert path.stat().st_mode & 0o777 == 0o600


def test_the_tls_folder_beside_a_state_file_is_private_whatever_the_umask(tmp_path: Path) -> None:
    import os

    from emulator.tls import make_tls

    old = os.umask(0)
    try:
        make_tls(tmp_path / "state" / "tenant.json.tls")
    finally:
        os.umask(old)
    for folder in (tmp_path / "state", tmp_path / "state" / "tenant.json.tls"):
        assert folder.stat().st_mode & 0o777 == 0o700
