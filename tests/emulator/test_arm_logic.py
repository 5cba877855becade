"""Microsoft.Logic/workflows on the emulator, driven by the real azure-mgmt-logic client."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from azure.core.exceptions import HttpResponseError
from azure.identity import ClientSecretCredential
from azure.mgmt.logic import LogicManagementClient
from azure.mgmt.logic.models import ManagedServiceIdentity, Workflow

from emulator.factories import empty_definition
from emulator.seeds import build_state, stable_guid
from emulator.server import Emulator, EmulatorThread
from tests.conftest import AZURE_API

EXAMPLES = AZURE_API / "logic"
PROD = stable_guid("sub-prod")
RG = "rg-integration"


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with EmulatorThread(build_state("demo")) as running:
        yield running


def _client(emu: Emulator, who: str = "demo") -> LogicManagementClient:
    info = emu.state.info
    cred = ClientSecretCredential(
        emu.state.tenant_id,
        info[f"{who}_client_id"],
        info[f"{who}_client_secret"],
        authority=emu.base_url,
        disable_instance_discovery=True,
        connection_verify=str(emu.ca_path),
    )
    return LogicManagementClient(
        cred, PROD, base_url=emu.base_url, connection_verify=str(emu.ca_path)
    )


@pytest.fixture(scope="module")
def logic(emu: Emulator) -> LogicManagementClient:
    return _client(emu)


def _new(name: str, identity: ManagedServiceIdentity | None = None) -> Workflow:
    return Workflow(location="westeurope", definition=empty_definition(), identity=identity)


def test_lists_and_get_deserialize(emu: Emulator, logic: LogicManagementClient) -> None:
    names = {w.name for w in logic.workflows.list_by_subscription()}
    assert {
        "la-no-identity",
        "la-identity-no-grant",
        "la-payments-ready",
        "la-connector-insecure",
        "la-secret-rotation",
        "la-user-assigned",
    } <= names
    assert {w.name for w in logic.workflows.list_by_resource_group(RG)} <= names
    ready = logic.workflows.get(RG, "la-payments-ready")
    assert ready.identity.type == "SystemAssigned"
    assert ready.identity.principal_id in emu.state.principals
    assert ready.identity.tenant_id == emu.state.tenant_id
    connector_ips = [
        a.address for a in ready.endpoints_configuration.connector.outgoing_ip_addresses
    ]
    assert any("/" in a for a in connector_ips) and any("/" not in a for a in connector_ips)
    assert ready.endpoints_configuration.workflow.outgoing_ip_addresses
    assert ready.version and ready.created_time and ready.access_endpoint
    # the seed's vault placeholder is served as the vault's real local address
    uri = ready.definition["actions"]["Get_api_key"]["inputs"]["uri"]
    assert uri.startswith(emu.vault_uri("kv-payments-open") + "secrets/payments-api-key")
    uai = logic.workflows.get(RG, "la-user-assigned").identity
    assert uai.type == "UserAssigned"
    (entry,) = uai.user_assigned_identities.values()
    assert entry.principal_id and entry.client_id


def test_get_shape_matches_the_published_example(logic: LogicManagementClient) -> None:
    example = json.loads((EXAMPLES / "Workflows_Get.json").read_text())["responses"]["200"]["body"]
    ours = logic.workflows.get(RG, "la-no-identity").as_dict()
    raw_keys = {"id", "name", "type", "location", "tags"}
    assert raw_keys <= set(example) and "identity" not in example
    optional = {"integrationAccount", "integrationServiceEnvironment"}
    wanted = {k for k in example["properties"] if k not in optional}
    ours_keys = {
        "provisioningState",
        "createdTime",
        "changedTime",
        "state",
        "version",
        "accessEndpoint",
        "definition",
        "parameters",
        "endpointsConfiguration",
    }
    assert wanted == ours_keys
    assert {
        "provisioning_state",
        "created_time",
        "changed_time",
        "state",
        "version",
        "access_endpoint",
        "definition",
        "endpoints_configuration",
    } <= set(ours)


def test_paging_with_top(logic: LogicManagementClient) -> None:
    pages = list(logic.workflows.list_by_subscription(top=2).by_page())
    assert len(pages) >= 3
    assert sum(len(list(p)) for p in pages) == len(list(logic.workflows.list_by_subscription()))


def test_system_identity_on_and_off(emu: Emulator, logic: LogicManagementClient) -> None:
    made = logic.workflows.create_or_update(RG, "la-test-identity", _new("la-test-identity"))
    assert made.identity is None and made.state == "Enabled"
    wf = logic.workflows.get(RG, "la-test-identity")
    wf.identity = ManagedServiceIdentity(type="SystemAssigned")
    on = logic.workflows.create_or_update(RG, "la-test-identity", wf)
    principal = emu.state.principals[on.identity.principal_id]
    assert (principal.kind, principal.display_name) == ("ManagedIdentity", "la-test-identity")
    assert principal.resource_id.lower() == on.id.lower()
    again = logic.workflows.create_or_update(RG, "la-test-identity", on)
    assert again.identity.principal_id == on.identity.principal_id
    again.identity = ManagedServiceIdentity(type="None")
    off = logic.workflows.create_or_update(RG, "la-test-identity", again)
    assert off.identity is None
    assert principal.deleted is True


def test_identity_rules(emu: Emulator, logic: LogicManagementClient) -> None:
    uai_id = next(iter(emu.state.identities.values()))["id"]
    both = ManagedServiceIdentity(
        type="SystemAssigned, UserAssigned", user_assigned_identities={uai_id: {}}
    )
    with pytest.raises(HttpResponseError) as exc:
        logic.workflows.create_or_update(RG, "la-test-both", _new("x", both))
    assert exc.value.status_code == 400
    assert "single managed identity" in exc.value.error.message
    user = ManagedServiceIdentity(type="UserAssigned", user_assigned_identities={uai_id: {}})
    made = logic.workflows.create_or_update(RG, "la-test-user", _new("x", user))
    (entry,) = made.identity.user_assigned_identities.values()
    assert (
        entry.principal_id == next(iter(emu.state.identities.values()))["properties"]["principalId"]
    )
    missing = ManagedServiceIdentity(
        type="UserAssigned",
        user_assigned_identities={uai_id.replace("id-integration-shared", "id-nope"): {}},
    )
    with pytest.raises(HttpResponseError):
        logic.workflows.create_or_update(RG, "la-test-user2", _new("x", missing))


def test_patch_enable_disable_delete(emu: Emulator, logic: LogicManagementClient) -> None:
    made = logic.workflows.create_or_update(RG, "la-test-life", _new("la-test-life"))
    assert logic.workflows.update(RG, "la-test-life").name == "la-test-life"  # body-less PATCH
    logic.workflows.disable(RG, "la-test-life")
    assert logic.workflows.get(RG, "la-test-life").state == "Disabled"
    assert {w.name for w in logic.workflows.list_by_subscription(filter="State eq 'Disabled'")} == {
        "la-test-life"
    }
    logic.workflows.enable(RG, "la-test-life")
    assert logic.workflows.get(RG, "la-test-life").state == "Enabled"
    updated = logic.workflows.create_or_update(RG, "la-test-life", made)
    assert updated.created_time == made.created_time and updated.version != made.version
    logic.workflows.delete(RG, "la-test-life")
    with pytest.raises(HttpResponseError) as exc:
        logic.workflows.get(RG, "la-test-life")
    assert exc.value.status_code == 404 and exc.value.error.code == "ResourceNotFound"


def test_reader_cannot_write(emu: Emulator) -> None:
    reader = _client(emu, "reader")
    assert reader.workflows.get(RG, "la-no-identity").name == "la-no-identity"
    for attempt in (
        lambda: reader.workflows.create_or_update(RG, "la-reader", _new("la-reader")),
        lambda: reader.workflows.disable(RG, "la-no-identity"),
        lambda: reader.workflows.delete(RG, "la-no-identity"),
    ):
        with pytest.raises(HttpResponseError) as exc:
            attempt()
        assert exc.value.status_code == 403
        assert exc.value.error.code == "AuthorizationFailed"


# ---- secure parameters and runtimeConfiguration, as Azure treats them ---------------------
SECURE_DEFINITION = {
    **empty_definition(),
    "parameters": {
        "apiKey": {"type": "SecureString"},
        "region": {"type": "String", "defaultValue": "west"},
    },
}


def _raw(logic: LogicManagementClient, method: str, name: str, body: object = None) -> object:
    from azure.core.rest import HttpRequest

    url = (
        f"/subscriptions/{PROD}/resourceGroups/{RG}/providers/Microsoft.Logic/workflows/{name}"
        "?api-version=2019-05-01"
    )
    return logic._send_request(HttpRequest(method, url, json=body))


def test_get_hides_secure_parameter_values_and_put_needs_them(
    logic: LogicManagementClient,
) -> None:
    body = {
        "location": "westeurope",
        "properties": {
            "definition": SECURE_DEFINITION,
            "parameters": {"apiKey": {"value": "not-a-real-key"}, "region": {"value": "north"}},
            "runtimeConfiguration": {"lifetime": {"unit": "day", "count": 30}},
            "someFutureProperty": {"kept": True},
        },
    }
    created = _raw(logic, "PUT", "la-secure-params", body)
    assert created.status_code == 201 and "not-a-real-key" not in created.text()
    got = _raw(logic, "GET", "la-secure-params")
    props = got.json()["properties"]
    assert "not-a-real-key" not in got.text()
    assert "value" not in props["parameters"]["apiKey"]
    assert props["parameters"]["region"] == {"value": "north"}
    assert props["runtimeConfiguration"] == {"lifetime": {"unit": "day", "count": 30}}
    assert props["someFutureProperty"] == {"kept": True}
    # Sending GET's body back loses the secure value: Azure refuses it.
    again = {"location": "westeurope", "identity": {"type": "SystemAssigned"}, "properties": props}
    refused = _raw(logic, "PUT", "la-secure-params", again)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "InvalidTemplate"
    assert "'apiKey' is not provided" in refused.json()["error"]["message"]
    kept = _raw(logic, "GET", "la-secure-params").json()
    assert "identity" not in kept  # nothing changed


def test_run_content_links_are_sas_urls_on_another_host_that_refuse_a_token(
    emu: Emulator, logic: LogicManagementClient
) -> None:
    import requests

    logic.workflow_triggers.run(RG, "la-connector-insecure", "Recurrence")
    (run,) = list(logic.workflow_runs.list(RG, "la-connector-insecure", top=1))
    (action,) = list(logic.workflow_run_actions.list(RG, "la-connector-insecure", run.name))
    uri = action.outputs_link.uri
    assert not uri.startswith(emu.base_url) and uri.startswith(emu.runtime_url)
    assert "/contents/ActionOutputs?" in uri and "&sig=" in uri and "&sp=" in uri
    ca = str(emu.ca_path)
    token = logic._config.credential.get_token("https://management.azure.com/.default").token
    with_token = requests.get(uri, headers={"Authorization": f"Bearer {token}"}, verify=ca)
    assert with_token.status_code == 401
    assert with_token.json()["error"]["code"] == "DirectApiRequestHasMoreThanOneAuthorization"
    assert "'Bearer'" in with_token.json()["error"]["message"]
    plain = requests.get(uri, verify=ca)
    assert plain.status_code == 200 and "body" in plain.json()
    tampered = requests.get(uri[:-3] + "AAA", verify=ca)
    assert tampered.status_code == 401
    unsigned = requests.get(uri.split("&sp=")[0], verify=ca)
    assert unsigned.status_code == 401 and "('sig')" in unsigned.json()["error"]["message"]
