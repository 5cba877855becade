"""A Key Vault connector workflow is linked to its vault through the connection resource
(Microsoft.Web/connections, alternativeParameterValues.vaultName), as on Azure."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from console.access_check import run_access_check
from console.demo import DemoSession, start_demo
from console.service import AzureService

CONNECTOR_APP = "la-connector-insecure"


@pytest.fixture
def demo() -> Iterator[DemoSession]:
    session = start_demo()
    yield session
    session.stop()


@pytest.fixture
async def service(demo: DemoSession) -> AsyncIterator[AzureService]:
    svc = AzureService(demo.connection())
    yield svc
    await svc.close()


async def _load(service: AzureService):
    subs = await service.list_subscriptions()
    vaults = [v for s in subs for v in await service.list_vaults(s.subscription_id)]
    apps = {a.name: a for s in subs for a in await service.list_logic_apps(s.subscription_id)}
    return vaults, apps[CONNECTOR_APP]


def _connection(demo: DemoSession) -> dict:
    return next(iter(demo.emulator.state.connections.values()))


async def test_the_connection_resource_names_the_vault(demo, service) -> None:
    connection = _connection(demo)
    assert connection["properties"]["parameterValueType"] == "Alternative"
    assert await service.get_connector_vault(connection["id"]) == "kv-payments-open"
    vaults, app = await _load(service)
    report = await run_access_check(service, app, vaults=vaults)
    assert report.vault == "kv-payments-open"


async def test_the_workflow_alone_does_not_name_the_vault(demo, service) -> None:
    """Rebinding the connection to another vault moves the check there: the workflow's own
    $connections entry has no vault in it."""
    _connection(demo)["properties"]["alternativeParameterValues"]["vaultName"] = "kv-dev-nopurge"
    vaults, app = await _load(service)
    assert "vaultName" not in str(app.parameters)
    report = await run_access_check(service, app, vaults=vaults)
    assert report.vault == "kv-dev-nopurge"


async def test_an_unreadable_connection_means_no_vault_to_check(demo, service) -> None:
    demo.emulator.state.connections.clear()
    vaults, app = await _load(service)
    report = await run_access_check(service, app, vaults=vaults)
    assert "No vault to check" in report.check("grant").reason
