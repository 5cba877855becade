"""The access check and a real run agree on every setting of a Key Vault HTTP action.

The check is the console's reading of Azure's rules (console/diagnosis.py); the run is the
emulator's (emulator/workflow_runs.py, emulator/tokens.py, emulator/dataplane_bodies.py), written
separately. Where the rule comes from: audience forms and api-versions, see the comments at
``console.diagnosis.audience_matches`` / ``VAULT_API_VERSIONS`` and ``emulator.authz``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from console.access_check import run_access_check
from console.demo import DemoSession, start_demo
from console.service import AzureService
from tests.diagnosis.tenant import loaded

LOGIC_APP, ACTION = "la-payments-ready", "Get_api_key"


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoSession]:
    session = start_demo()
    yield session
    session.stop()


def _set_action(demo: DemoSession, change: dict[str, Any]) -> None:
    state = demo.emulator.state
    workflow = next(w for w in state.workflows.values() if w["name"] == LOGIC_APP)
    inputs = workflow["properties"]["definition"]["actions"][ACTION]["inputs"]
    base = demo.emulator.vault_uri("kv-payments-open")
    inputs["uri"] = f"{base}secrets/payments-api-key{change.get('query', '?api-version=7.4')}"
    inputs.pop("queries", None)
    if "queries" in change:
        inputs["queries"] = change["queries"]
    inputs["authentication"] = {"type": "ManagedServiceIdentity", **change.get("auth", {})}
    if "audience" in change:
        inputs["authentication"]["audience"] = change["audience"]


VARIANTS = {
    "audience": {"audience": "https://vault.azure.net"},
    "trailing slash": {"audience": "https://vault.azure.net/"},
    "app id": {"audience": "cfa8b339-82a2-471a-a3c9-0fc0be7a4093"},
    "ARM audience": {"audience": "https://management.azure.com"},
    "api-version 2016-10-01": {
        "audience": "https://vault.azure.net",
        "query": "?api-version=2016-10-01",
    },
    "api-version in queries": {
        "audience": "https://vault.azure.net",
        "query": "",
        "queries": {"api-version": "7.4"},
    },
    "unknown api-version": {"audience": "https://vault.azure.net", "query": "?api-version=1.0"},
}


@pytest.mark.parametrize("variant", list(VARIANTS))
async def test_check_and_run_agree(demo: DemoSession, service: AzureService, variant) -> None:
    _set_action(demo, VARIANTS[variant])
    vaults, apps = await loaded(service)
    report = await run_access_check(service, apps[LOGIC_APP], vaults=vaults)
    run = await service.test_run(apps[LOGIC_APP].id, timeout=20)
    step = next(a for a in run.actions if a.name == ACTION)
    check_passes = report.check("actions").status == "pass"
    assert step.status in ("Succeeded", "Failed"), step  # really run, not skipped
    assert check_passes == (step.status == "Succeeded"), (
        variant,
        report.check("actions").reason,
        step.status,
        step.error_code,
    )


async def test_a_role_that_reads_secrets_is_a_grant_in_the_check_and_in_a_run(
    demo: DemoSession, service: AzureService
) -> None:
    """Key Vault Certificate User can read secrets (its dataActions say so): the check reads the
    role definition Azure returns instead of a short list of known roles."""
    from emulator import factories
    from emulator.roles import KV_CERTIFICATE_USER

    state = demo.emulator.state
    workflow = next(w for w in state.workflows.values() if w["name"] == LOGIC_APP)
    vault = state.vault_by_name("kv-platform-rbac")
    secret = next(iter(state.vault_secrets("kv-platform-rbac").values())).name
    inputs = workflow["properties"]["definition"]["actions"][ACTION]["inputs"]
    inputs["uri"] = f"{demo.emulator.vault_uri('kv-platform-rbac')}secrets/{secret}?api-version=7.4"
    inputs["authentication"] = {
        "type": "ManagedServiceIdentity",
        "audience": "https://vault.azure.net",
    }
    inputs.pop("queries", None)
    principal = workflow["identity"]["principalId"]
    factories.add_role_assignment(state, vault["id"], KV_CERTIFICATE_USER, principal)
    vaults, apps = await loaded(service)
    rbac = next(v for v in vaults if v.name == "kv-platform-rbac")
    report = await run_access_check(service, apps[LOGIC_APP], vault=rbac, vaults=vaults)
    grant = report.check("grant")
    assert grant.status != "fail", grant.reason
    assert "Key Vault Certificate User" in grant.reason
    run = await service.test_run(apps[LOGIC_APP].id, timeout=20)
    assert next(a for a in run.actions if a.name == ACTION).status == "Succeeded"
