"""A Key Vault connector workflow is linked to its vault through the connection resource
(Microsoft.Web/connections, alternativeParameterValues.vaultName), as on Azure."""

from __future__ import annotations

import pytest

from console.access_check import run_access_check
from console.demo import DemoSession
from tests.diagnosis.tenant import loaded

CONNECTOR_APP = "la-connector-insecure"


def _connection(demo: DemoSession) -> dict:
    return next(iter(demo.emulator.state.connections.values()))


async def test_the_connection_resource_names_the_vault(demo, service) -> None:
    connection = _connection(demo)
    assert connection["properties"]["parameterValueType"] == "Alternative"
    assert await service.get_connector_vault(connection["id"]) == "kv-payments-open"
    vaults, apps = await loaded(service)
    app = apps[CONNECTOR_APP]
    report = await run_access_check(service, app, vaults=vaults)
    assert report.vault == "kv-payments-open"


async def test_the_workflow_alone_does_not_name_the_vault(demo, service) -> None:
    """Rebinding the connection to another vault moves the check there: the workflow's own
    $connections entry has no vault in it."""
    _connection(demo)["properties"]["alternativeParameterValues"]["vaultName"] = "kv-dev-nopurge"
    vaults, apps = await loaded(service)
    app = apps[CONNECTOR_APP]
    assert "vaultName" not in str(app.parameters)
    report = await run_access_check(service, app, vaults=vaults)
    assert report.vault == "kv-dev-nopurge"


async def test_an_unreadable_connection_means_no_vault_to_check(demo, service) -> None:
    demo.emulator.state.connections.clear()
    vaults, apps = await loaded(service)
    app = apps[CONNECTOR_APP]
    report = await run_access_check(service, app, vaults=vaults)
    assert "No vault to check" in report.check("grant").reason


async def test_a_graph_refusal_is_explained_as_directory_permission(demo, service) -> None:
    """Issue 12: Graph's 403 is about reading the directory, not about a vault's policies."""
    from console.errors import ForbiddenError, ForbiddenKind
    from emulator.http import AzureHttpError

    async def refuse(request) -> None:
        if request.path.endswith("/directoryObjects/getByIds"):
            raise AzureHttpError(403, "Authorization_RequestDenied",
                                 "Insufficient privileges to complete the operation.")  # fmt: skip

    demo.emulator.before_request.append(refuse)
    with pytest.raises(ForbiddenError) as err:
        await service.resolve_principals({"00000000-0000-0000-0000-000000000001"})
    assert err.value.kind == ForbiddenKind.DIRECTORY
    assert "Microsoft Graph" in err.value.message and "access polic" not in err.value.message
