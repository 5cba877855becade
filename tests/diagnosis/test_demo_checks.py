"""Every demo Logic App gets the checklist it deserves; fixing it makes the check and a run pass."""

from __future__ import annotations

import pytest

from console.access_check import run_access_check
from console.demo import DemoSession
from console.models import NetworkRules, Permissions
from console.service import AzureService
from tests.diagnosis.tenant import loaded

EXPECTED = {
    "la-no-identity": ("", "fail skip skip warn skip skip"),
    "la-identity-no-grant": ("kv-payments-open", "pass fail pass pass pass pass"),
    "la-payments-ready": ("kv-payments-open", "pass pass pass pass pass pass"),
    "la-connector-insecure": ("kv-payments-open", "pass warn pass pass fail pass"),
    "la-secret-rotation": ("kv-payments-locked", "pass warn fail pass pass skip"),
    "la-user-assigned": ("kv-payments-open", "pass pass pass pass pass pass"),
    "la-dev-disabled": ("kv-dev-nopurge", "fail skip pass pass fail pass"),
}


async def test_each_demo_logic_app_gets_its_checklist(service: AzureService) -> None:
    vaults, apps = await loaded(service)
    assert set(apps) == set(EXPECTED)
    for name, (vault, statuses) in EXPECTED.items():
        report = await run_access_check(service, apps[name], vaults=vaults)
        got = " ".join(check.status for check in report.checks)
        assert (report.vault, got) == (vault, statuses), name
        for check in report.checks:
            if check.status == "fail":
                assert check.fix, f"{name}: a failing line offers a fix ({check.key})"


async def test_fixing_the_grant_makes_the_check_and_a_test_run_pass(service: AzureService) -> None:
    vaults, apps = await loaded(service)
    app = apps["la-identity-no-grant"]
    before = await service.test_run(app.id)
    assert before.status == "Failed"
    assert before.actions[0].error_code == "Forbidden"

    vault = next(v for v in vaults if v.name == "kv-payments-open")
    await service.add_access_policy(
        vault.id, app.identity.principal_id, Permissions(secrets=("get",))
    )
    report = await run_access_check(service, app, vaults=vaults)
    assert report.ok and all(c.status == "pass" for c in report.checks)
    run = await service.test_run(app.id)
    assert run.status == "Succeeded"
    (action,) = run.actions
    assert action.status == "Succeeded"
    assert not action.outputs_visible and not action.shows_secret_value  # Secure Outputs hide it


async def test_rotation_app_fixed_through_firewall_and_grant(service: AzureService) -> None:
    vaults, apps = await loaded(service)
    app = apps["la-secret-rotation"]
    vault = next(v for v in vaults if v.name == "kv-payments-locked")
    report = await run_access_check(service, app, vaults=vaults)
    missing = report.check("firewall").details[0].removeprefix("missing: ").split(", ")
    rules = NetworkRules(
        "Deny", vault.network.bypass, vault.network.ip_rules + tuple(f"{ip}/32" for ip in missing)
    )
    await service.update_network_rules(vault.id, rules)
    await service.add_access_policy(
        vault.id, app.identity.principal_id, Permissions(secrets=("set",))
    )
    report = await run_access_check(service, app, vaults=vaults)
    assert [c.status for c in report.checks][:5] == ["pass"] * 5
    run = await service.test_run(app.id)
    assert [(a.name, a.status) for a in run.actions] == [
        ("List_secrets", "Succeeded"),
        ("Get_current", "Succeeded"),
        ("Set_new_version", "Succeeded"),
    ]
    assert not any(a.shows_secret_value for a in run.actions)


async def test_a_run_that_shows_a_secret_in_clear_is_flagged(service: AzureService) -> None:
    _, apps = await loaded(service)
    run = await service.test_run(apps["la-connector-insecure"].id)
    (action,) = run.actions
    assert action.status == "Succeeded"
    assert action.outputs_visible and action.shows_secret_value
    assert "demo-not-a-real-secret" not in repr(run)


async def test_a_disabled_workflow_cannot_be_test_run(service: AzureService) -> None:
    from console.errors import ConflictError

    _, apps = await loaded(service)
    with pytest.raises(ConflictError, match="disabled"):
        await service.test_run(apps["la-dev-disabled"].id)


async def test_runs_need_a_role_that_may_run(demo: DemoSession) -> None:
    from console.azure.connection import Connection
    from console.errors import ForbiddenError

    emu = demo.emulator
    info = emu.state.info
    reader = AzureService(
        Connection.for_emulator(
            emu.base_url,
            emu.ca_path,
            emu.state.tenant_id,
            info["reader_client_id"],
            info["reader_client_secret"],
        )
    )
    try:
        _, apps = await loaded(reader)
        with pytest.raises(ForbiddenError) as caught:
            await reader.test_run(apps["la-payments-ready"].id)
        assert caught.value.kind == "management"
    finally:
        await reader.close()
