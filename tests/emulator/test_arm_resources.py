"""What clients read before they name a provider: cloud metadata, the generic resources list,
resource providers, the (empty) managed HSM list. Driven by the real SDK clients and plain HTTPS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from azure.core.exceptions import HttpResponseError
from azure.identity import ClientSecretCredential
from azure.mgmt.keyvault import KeyVaultManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from emulator.seeds import build_state, stable_guid
from emulator.server import Emulator, EmulatorThread

PROD = stable_guid("sub-prod")


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with EmulatorThread(build_state("demo")) as running:
        yield running


def _credential(emu: Emulator) -> ClientSecretCredential:
    info = emu.state.info
    return ClientSecretCredential(
        emu.state.tenant_id,
        info["demo_client_id"],
        info["demo_client_secret"],
        authority=emu.base_url,
        disable_instance_discovery=True,
        connection_verify=str(emu.ca_path),
    )


@pytest.fixture(scope="module")
def arm(emu: Emulator) -> ResourceManagementClient:
    return ResourceManagementClient(
        _credential(emu), PROD, base_url=emu.base_url, connection_verify=str(emu.ca_path)
    )


def test_cloud_metadata_is_served_without_a_token_and_points_at_the_emulator(emu: Emulator):
    url = f"{emu.base_url}//metadata/endpoints?api-version=2022-09-01"  # az doubles the slash
    body = requests.get(url, verify=str(emu.ca_path), timeout=10).json()
    assert body["resourceManager"] == f"{emu.base_url}/"
    assert body["authentication"]["loginEndpoint"] == f"{emu.base_url}/"
    assert body["microsoftGraphResourceId"] == f"{emu.base_url}/"
    # Token audiences stay Azure's: the emulator's ARM accepts them.
    assert body["authentication"]["audiences"][0] == "https://management.core.windows.net/"
    assert body["suffixes"]["keyVaultDns"] == "vault.azure.net"
    old = requests.get(
        f"{emu.base_url}/metadata/endpoints?api-version=2019-05-01",
        verify=str(emu.ca_path),
        timeout=10,
    ).json()
    assert isinstance(old, list) and old[0]["name"] == "AzureCloud"


def test_cloud_metadata_wants_an_api_version(emu: Emulator):
    answer = requests.get(f"{emu.base_url}/metadata/endpoints", verify=str(emu.ca_path), timeout=10)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "MissingApiVersionParameter"


def test_the_legacy_vault_list_filters_by_type_and_name(emu: Emulator):
    kv = KeyVaultManagementClient(
        _credential(emu), PROD, base_url=emu.base_url, connection_verify=str(emu.ca_path)
    )
    names = {v.name for v in kv.vaults.list()}  # api-version 2015-11-01, the generic list
    assert {"kv-payments-open", "kv-payments-locked", "kv-platform-rbac"} <= names
    one = list(
        kv.vaults.list(
            filter="resourceType eq 'Microsoft.KeyVault/vaults' and name eq 'KV-PAYMENTS-OPEN'"
        )
    )
    assert [v.name for v in one] == ["kv-payments-open"]
    assert "/resourceGroups/rg-payments/" in one[0].id


def test_an_unsupported_resources_filter_is_refused_plainly(arm: ResourceManagementClient):
    with pytest.raises(HttpResponseError) as err:
        list(arm.resources.list(filter="tagName eq 'owner'"))
    assert err.value.error.code == "InvalidFilterInQueryString"


def test_a_provider_lists_its_types_with_the_newest_api_version_first(
    arm: ResourceManagementClient,
):
    provider = arm.providers.get("microsoft.keyvault")
    assert provider.namespace == "Microsoft.KeyVault"
    assert provider.registration_state == "Registered"
    vaults = next(t for t in provider.resource_types if t.resource_type == "vaults")
    assert vaults.api_versions == sorted(vaults.api_versions, reverse=True)
    stable = [v for v in vaults.api_versions if "preview" not in v]
    assert stable[0] == "2026-05-15"
    assert "Microsoft.Logic" in {p.namespace for p in arm.providers.list()}


def test_an_unknown_provider_is_not_found(arm: ResourceManagementClient):
    with pytest.raises(HttpResponseError) as err:
        arm.providers.get("Microsoft.Nothing")
    assert err.value.status_code == 404
    assert err.value.error.code == "InvalidResourceNamespace"


def test_managed_hsms_list_empty(emu: Emulator):
    kv = KeyVaultManagementClient(
        _credential(emu), PROD, base_url=emu.base_url, connection_verify=str(emu.ca_path)
    )
    assert list(kv.managed_hsms.list_by_subscription()) == []
    assert list(kv.managed_hsms.list_by_resource_group("rg-payments")) == []
