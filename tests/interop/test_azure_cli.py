"""The Azure CLI, unchanged, against `kvconsole emulator`: the README's set-up run as written,
then the vault, secret, role and resource commands a person would type.

`az` lives in its own venv (`.venv-az`, made by `make interop`); without it these tests skip.
Run them inside a network namespace with only loopback up: az must reach nothing but the
emulator.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AZ = Path(os.environ.get("KVCONSOLE_AZ", ROOT / ".venv-az" / "bin" / "az"))
CLOUD = "KvEmulator"
CLIENT_ADDRESS = "203.0.113.10"  # what the emulator's vaults see for loopback callers

# `make interop` sets KVCONSOLE_INTEROP=1: there a missing az fails instead of skipping.
pytestmark = pytest.mark.skipif(
    not AZ.exists() and os.environ.get("KVCONSOLE_INTEROP") != "1",
    reason=f"the Azure CLI is not installed at {AZ}: `make interop` installs it and runs these",
)


def readme_setup() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### The Azure CLI against the emulator", 1)[1]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    return blocks[1]  # the first block starts the emulator: the fixture does that itself


@dataclass
class Cli:
    """`az` with the README's environment, logged in to the emulator."""

    info: dict[str, Any]
    env: dict[str, str]
    setup_output: str

    def run(self, *args: str, config_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        if config_dir is not None:
            env["AZURE_CONFIG_DIR"] = str(config_dir)
        return subprocess.run(
            [str(AZ), *args], env=env, capture_output=True, text=True, timeout=120
        )

    def json(self, *args: str) -> Any:
        result = self.run(*args, "-o", "json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def vault_uri(self, name: str) -> str:
        return self.json("keyvault", "show", "-n", name)["properties"]["vaultUri"]


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    work = tmp_path_factory.mktemp("az")
    emulator = subprocess.Popen(
        [sys.executable, "-m", "screens.cli", "emulator", "--seed", "demo"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = emulator.stdout.readline() if emulator.stdout else ""
        info = json.loads(line)
        (work / "emu.json").write_text(line)
        env = {
            "PATH": f"{AZ.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(work),
            "AZURE_CORE_ONLY_SHOW_ERRORS": "true",
            "AZURE_CORE_NO_COLOR": "true",
            "LANG": "C.UTF-8",
        }
        setup = subprocess.run(
            ["sh", "-e", "-c", readme_setup()],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert setup.returncode == 0, setup.stderr
        # What the README's block exported, for the commands the tests type next.
        env.update(
            AZURE_CONFIG_DIR=str(work / ".az-emulator"),
            REQUESTS_CA_BUNDLE=info["ca_path"],
            AZURE_CORE_COLLECT_TELEMETRY="no",
        )
        yield Cli(info, env, setup.stdout)
    finally:
        emulator.terminate()
        emulator.wait(10)


def test_the_readme_setup_logs_in_and_lists_vaults_and_secrets(cli: Cli):
    assert re.search(r"^westeurope\s+kv-payments-open\s+rg-payments$", cli.setup_output, re.M)
    assert "payments-api-key" in cli.setup_output.splitlines()
    account = cli.json("account", "show")
    assert account["environmentName"] == CLOUD
    assert account["tenantId"] == cli.info["tenant_id"]
    assert account["user"] == {"name": cli.info["demo_client_id"], "type": "servicePrincipal"}
    subscriptions = cli.json("account", "list", "--query", "[].id")
    assert sorted(subscriptions) == sorted(cli.info["subscription_ids"])


def test_cloud_register_discovered_every_endpoint_from_the_emulator(cli: Cli):
    base = cli.info["base_url"]
    cloud = cli.json("cloud", "show", "-n", CLOUD)
    assert cloud["isActive"] is True
    endpoints = cloud["endpoints"]
    assert endpoints["resourceManager"].rstrip("/") == base  # as typed on `az cloud register`
    assert endpoints["activeDirectory"] == f"{base}/"
    assert endpoints["microsoftGraphResourceId"] == f"{base}/"
    assert endpoints["activeDirectoryResourceId"] == "https://management.core.windows.net/"
    assert cloud["suffixes"]["keyvaultDns"] == ".vault.azure.net"


def test_login_with_a_wrong_secret_is_refused_by_the_token_endpoint(cli: Cli, tmp_path: Path):
    config = tmp_path / "az"
    shutil.copytree(cli.env["AZURE_CONFIG_DIR"], config)  # leave the shared login alone
    for cached in config.glob("msal_token_cache*"):  # else MSAL answers from its cache
        cached.unlink()
    result = cli.run(
        "login",
        "--service-principal",
        "--tenant",
        cli.info["tenant_id"],
        "-u",
        cli.info["demo_client_id"],
        "-p",
        "not-the-secret",
        config_dir=config,
    )
    assert result.returncode != 0
    assert "AADSTS7000215: Invalid client secret provided" in result.stderr


def test_keyvault_list_and_show_find_vaults_without_a_resource_group(cli: Cli):
    listed = {v["name"]: v["resourceGroup"] for v in cli.json("keyvault", "list")}
    assert listed["kv-payments-open"] == "rg-payments"
    assert listed["kv-platform-rbac"] == "rg-platform"
    assert cli.json("keyvault", "list", "--resource-type", "hsm") == []
    vault = cli.json("keyvault", "show", "-n", "kv-payments-locked")
    assert vault["resourceGroup"] == "rg-payments"
    assert vault["properties"]["vaultUri"].startswith("https://127.0.0.1:")
    assert vault["properties"]["networkAcls"]["defaultAction"] == "Deny"


def test_set_policy_by_name_grants_exactly_what_was_asked(cli: Cli):
    reader = cli.info["reader_principal_id"]
    cli.json(
        "keyvault",
        "set-policy",
        "-n",
        "kv-payments-open",
        "--object-id",
        reader,
        "--secret-permissions",
        "get",
        "list",
    )
    policies = cli.json("keyvault", "show", "-n", "kv-payments-open")["properties"][
        "accessPolicies"
    ]
    granted = [p for p in policies if p["objectId"] == reader]
    assert len(granted) == 1
    assert sorted(granted[0]["permissions"]["secrets"]) == ["get", "list"]


def test_secret_list_and_show_by_the_vault_uri(cli: Cli):
    uri = cli.vault_uri("kv-payments-open")
    names = cli.json("keyvault", "secret", "list", "--id", uri, "--query", "[].name")
    assert {"payments-api-key", "db-connection-string"} <= set(names)
    secret = cli.json("keyvault", "secret", "show", "--id", f"{uri}secrets/payments-api-key")
    assert secret["name"] == "payments-api-key"
    assert secret["id"].startswith(f"{uri}secrets/payments-api-key/")
    assert secret["value"]  # the value itself stays out of the test output


def test_a_network_rule_added_by_name_opens_a_locked_vault(cli: Cli):
    uri = cli.vault_uri("kv-payments-locked")
    refused = cli.run("keyvault", "secret", "list", "--id", uri)
    assert refused.returncode != 0
    assert f"Client address: {CLIENT_ADDRESS}" in refused.stderr
    rules = cli.json(
        "keyvault",
        "network-rule",
        "add",
        "-n",
        "kv-payments-locked",
        "--ip-address",
        CLIENT_ADDRESS,
    )["properties"]["networkAcls"]["ipRules"]
    assert {"value": f"{CLIENT_ADDRESS}/32"} in rules
    assert cli.run("keyvault", "secret", "list", "--id", uri).returncode == 0


def test_update_default_action_deny_closes_the_vault_to_this_address(cli: Cli):
    uri = cli.vault_uri("kv-payments-open")
    try:
        vault = cli.json("keyvault", "update", "-n", "kv-payments-open", "--default-action", "Deny")
        assert vault["properties"]["networkAcls"]["defaultAction"] == "Deny"
        refused = cli.run("keyvault", "secret", "list", "--id", uri)
        assert refused.returncode != 0
        assert "Client address is not authorized" in refused.stderr
    finally:
        cli.json("keyvault", "update", "-n", "kv-payments-open", "--default-action", "Allow")
    assert cli.run("keyvault", "secret", "list", "--id", uri).returncode == 0


def test_role_assignment_list_names_principals_from_graph(cli: Cli):
    assignments = cli.json("role", "assignment", "list", "--all")
    by_role = {(a["principalName"], a["roleDefinitionName"]) for a in assignments}
    assert ("kvconsole-demo", "Owner") in by_role
    assert ("alice@contoso.example", "Key Vault Administrator") in by_role
    assert ("kvconsole-reader", "Reader") in by_role


def test_resource_show_by_id_picks_the_api_version_from_the_provider(cli: Cli):
    vault = cli.json("keyvault", "show", "-n", "kv-payments-open")
    shown = cli.json("resource", "show", "--ids", vault["id"])
    assert shown["type"] == "Microsoft.KeyVault/vaults"
    assert shown["properties"]["vaultUri"] == vault["properties"]["vaultUri"]
