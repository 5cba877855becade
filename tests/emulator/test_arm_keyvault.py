"""Microsoft.KeyVault/vaults on the emulator, driven by the real azure-mgmt-keyvault client."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.identity import ClientSecretCredential
from azure.mgmt.keyvault import KeyVaultManagementClient
from azure.mgmt.keyvault.models import (
    AccessPolicyEntry,
    IPRule,
    NetworkRuleSet,
    Permissions,
    Sku,
    VaultAccessPolicyParameters,
    VaultAccessPolicyProperties,
    VaultCheckNameAvailabilityParameters,
    VaultCreateOrUpdateParameters,
    VaultPatchParameters,
    VaultPatchProperties,
    VaultProperties,
)

from emulator.seeds import build_state, stable_guid
from emulator.server import Emulator, EmulatorThread
from tests.conftest import AZURE_API

EXAMPLES = AZURE_API / "keyvault-mgmt"
PROD = stable_guid("sub-prod")
DEV = stable_guid("sub-dev")


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with EmulatorThread(build_state("demo")) as running:
        yield running


def _client(emu: Emulator, who: str = "demo", sub: str = PROD, **kw) -> KeyVaultManagementClient:
    info = emu.state.info
    cred = ClientSecretCredential(
        emu.state.tenant_id,
        info[f"{who}_client_id"],
        info[f"{who}_client_secret"],
        authority=emu.base_url,
        disable_instance_discovery=True,
        connection_verify=str(emu.ca_path),
    )
    return KeyVaultManagementClient(
        cred, sub, base_url=emu.base_url, connection_verify=str(emu.ca_path), **kw
    )


@pytest.fixture(scope="module")
def kv(emu: Emulator) -> KeyVaultManagementClient:
    return _client(emu)


@pytest.fixture(scope="module")
def reader(emu: Emulator) -> KeyVaultManagementClient:
    return _client(emu, "reader")


def _params(emu: Emulator, **props) -> VaultCreateOrUpdateParameters:
    return VaultCreateOrUpdateParameters(
        location="westeurope",
        properties=VaultProperties(
            tenant_id=emu.state.tenant_id, sku=Sku(family="A", name="standard"), **props
        ),
    )


def _create(
    kv: KeyVaultManagementClient, emu: Emulator, name: str, rg: str = "rg-payments", **props
):
    return kv.vaults.begin_create_or_update(rg, name, _params(emu, **props)).result()


def _code(exc: pytest.ExceptionInfo[HttpResponseError]) -> str:
    return exc.value.error.code


def test_lists_and_get_deserialize_into_vault_models(kv: KeyVaultManagementClient) -> None:
    names = {v.name for v in kv.vaults.list_by_subscription()}
    assert {"kv-payments-open", "kv-payments-locked", "kv-platform-rbac"} <= names
    assert "kv-dev-nopurge" not in names  # another subscription
    in_rg = {v.name for v in kv.vaults.list_by_resource_group("rg-payments")}
    assert {"kv-payments-open", "kv-payments-locked"} <= in_rg
    assert "kv-platform-rbac" not in in_rg

    vault = kv.vaults.get("rg-payments", "kv-payments-locked")
    props = vault.properties
    assert props.vault_uri.startswith("https://127.0.0.1:")
    assert props.network_acls.default_action == "Deny"
    assert "203.0.113.10/32" not in {r.value for r in props.network_acls.ip_rules}
    assert props.enable_purge_protection is True
    assert props.access_policies[0].permissions.secrets


def test_get_vault_shape_matches_the_published_example(emu: Emulator) -> None:
    example = json.loads((EXAMPLES / "getVault.json").read_text())["responses"]["200"]["body"]
    ours = _raw(
        emu,
        "GET",
        "/resourceGroups/rg-payments/providers/Microsoft.KeyVault/vaults/kv-payments-open",
    ).json()
    assert set(example) <= set(ours)
    assert set(example["properties"]) - {"hsmPoolResourceId"} <= set(ours["properties"])
    assert set(example["systemData"]) == set(ours["systemData"])
    assert set(example["properties"]["accessPolicies"][0]) == set(
        ours["properties"]["accessPolicies"][0]
    )


def _raw(
    emu: Emulator,
    method: str,
    path: str,
    *,
    version: str | None = "2026-05-15",
    token: bool = True,
    sub: str = PROD,
    **kw,
) -> requests.Response:
    headers = {}
    if token:
        cred = ClientSecretCredential(
            emu.state.tenant_id,
            emu.state.info["demo_client_id"],
            emu.state.info["demo_client_secret"],
            authority=emu.base_url,
            disable_instance_discovery=True,
            connection_verify=str(emu.ca_path),
        )
        headers["Authorization"] = (
            "Bearer " + cred.get_token("https://management.azure.com/.default").token
        )
    query = f"?api-version={version}" if version else ""
    return requests.request(
        method,
        f"{emu.base_url}/subscriptions/{sub}{path}{query}",
        headers=headers,
        verify=str(emu.ca_path),
        timeout=10,
        **kw,
    )


def test_paging_follows_next_link(emu: Emulator, kv: KeyVaultManagementClient) -> None:
    pages = list(kv.vaults.list_by_subscription(top=1).by_page())
    assert len(pages) >= 3
    assert sum(len(list(p)) for p in pages) == len(list(kv.vaults.list_by_subscription()))
    first = _raw(
        emu,
        "GET",
        "/providers/Microsoft.KeyVault/vaults?$top=1&api-version=2026-05-15",
        version=None,
    ).json()
    assert first["nextLink"].startswith(emu.base_url) and "$skiptoken=" in first["nextLink"]
    whole = _raw(
        emu, "GET", "/providers/Microsoft.KeyVault/vaults?api-version=2026-05-15", version=None
    ).json()
    assert "nextLink" not in whole  # the last page has none, as Azure's list answers


def test_create_defaults_rbac_by_api_version(emu: Emulator, kv: KeyVaultManagementClient) -> None:
    new = _create(kv, emu, "kv-test-new-api")
    assert new.properties.enable_rbac_authorization is True
    assert new.properties.vault_uri.startswith("https://127.0.0.1:")
    assert (
        new.properties.vault_uri
        != kv.vaults.get("rg-payments", "kv-payments-open").properties.vault_uri
    )
    old = _create(_client(emu, api_version="2023-07-01"), emu, "kv-test-old-api")
    assert old.properties.enable_rbac_authorization is False


def test_name_rules_and_global_uniqueness(emu: Emulator, kv: KeyVaultManagementClient) -> None:
    for bad in ("ab", "1starts-with-digit", "double--hyphen", "x" * 25, "ends-with-"):
        with pytest.raises(HttpResponseError) as exc:
            _create(kv, emu, bad)
        assert _code(exc) == "VaultNameNotValid"
    with pytest.raises(HttpResponseError) as exc:
        _create(kv, emu, "kv-payments-open", rg="rg-platform")
    assert _code(exc) == "VaultAlreadyExists"
    assert exc.value.status_code == 409


def test_name_availability(kv: KeyVaultManagementClient) -> None:
    def check(name: str):
        return kv.vaults.check_name_availability(
            VaultCheckNameAvailabilityParameters(name=name, type="Microsoft.KeyVault/vaults")
        )

    assert check("kv-unused-name-42").name_available is True
    taken = check("kv-payments-open")
    assert (taken.name_available, taken.reason) == (False, "AlreadyExists")
    assert "globaly unique" in taken.message
    assert check("kv-dev-archive").reason == "AlreadyExists"  # soft-deleted, not purged
    assert check("-bad").reason == "AccountNameInvalid"


def test_network_rules_normalised_and_refused(emu: Emulator, kv: KeyVaultManagementClient) -> None:
    def acl(*values: str) -> NetworkRuleSet:
        return NetworkRuleSet(
            default_action="Deny",
            bypass="AzureServices",
            ip_rules=[IPRule(value=v) for v in values],
        )

    made = _create(kv, emu, "kv-test-acls", network_acls=acl("198.51.100.7", "20.1.0.0/16"))
    assert [r.value for r in made.properties.network_acls.ip_rules] == [
        "198.51.100.7/32",
        "20.1.0.0/16",
    ]
    for bad, words in (
        ("10.1.2.3", "forbidden range"),
        ("172.20.0.0/16", "private"),
        ("192.168.1.0/24", "forbidden range"),
        ("2001:db8::1", "IPv6"),
        ("300.1.1.1", "not a valid"),
        ("not-an-ip", "not a valid"),
    ):
        with pytest.raises(HttpResponseError) as exc:
            kv.vaults.update(
                "rg-payments",
                "kv-test-acls",
                VaultPatchParameters(
                    properties=VaultPatchProperties(network_acls=acl("198.51.100.7", bad))
                ),
            )
        assert exc.value.status_code == 400
        assert _code(exc) == "BadRequest"
        assert words in exc.value.error.message and "ipRules[1]" in exc.value.error.message
    too_many = [f"20.{i // 250}.{i % 250}.1" for i in range(1001)]
    with pytest.raises(HttpResponseError) as exc:
        kv.vaults.update(
            "rg-payments",
            "kv-test-acls",
            VaultPatchParameters(properties=VaultPatchProperties(network_acls=acl(*too_many))),
        )
    assert "1000" in exc.value.error.message


def test_irreversible_flags(emu: Emulator, kv: KeyVaultManagementClient) -> None:
    def patch(**props):
        return kv.vaults.update(
            "rg-payments",
            "kv-payments-open",
            VaultPatchParameters(properties=VaultPatchProperties(**props)),
        )

    with pytest.raises(HttpResponseError) as exc:
        patch(enable_purge_protection=False)
    assert _code(exc) == "BadRequest" and "enablePurgeProtection" in exc.value.error.message
    with pytest.raises(HttpResponseError) as exc:
        patch(enable_soft_delete=False)
    assert "enableSoftDelete" in exc.value.error.message
    with pytest.raises(HttpResponseError) as exc:
        patch(soft_delete_retention_in_days=30)
    assert "softDeleteRetentionInDays" in exc.value.error.message
    # a whole-vault PUT without the flag keeps purge protection on
    vault = kv.vaults.get("rg-payments", "kv-payments-open")
    vault.properties.enable_purge_protection = None
    again = kv.vaults.begin_create_or_update(
        "rg-payments",
        "kv-payments-open",
        VaultCreateOrUpdateParameters(
            location=vault.location, properties=vault.properties, tags=vault.tags
        ),
    ).result()
    assert again.properties.enable_purge_protection is True
    assert patch(enabled_for_deployment=True).properties.enabled_for_deployment is True


def _entry(emu: Emulator, oid: str, secrets: list[str]) -> AccessPolicyEntry:
    return AccessPolicyEntry(
        tenant_id=emu.state.tenant_id, object_id=oid, permissions=Permissions(secrets=secrets)
    )


def test_access_policy_add_replace_remove(emu: Emulator, kv: KeyVaultManagementClient) -> None:
    _create(kv, emu, "kv-test-policies", enable_rbac_authorization=False)
    oid = "0f0f0f0f-0000-4000-8000-000000000001"

    def change(kind: str, secrets: list[str]) -> dict[str, list[str]]:
        result = kv.vaults.update_access_policy(
            "rg-payments",
            "kv-test-policies",
            kind,
            VaultAccessPolicyParameters(
                properties=VaultAccessPolicyProperties(access_policies=[_entry(emu, oid, secrets)])
            ),
        )
        assert result.type == "Microsoft.KeyVault/vaults/accessPolicies"
        return {p.object_id: p.permissions.secrets for p in result.properties.access_policies}

    assert change("add", ["get"]) == {oid: ["get"]}
    assert change("add", ["list", "get"]) == {oid: ["get", "list"]}
    assert change("replace", ["set"]) == {oid: ["set"]}
    assert change("add", ["get"]) == {oid: ["set", "get"]}
    assert change("remove", ["set"]) == {oid: ["get"]}
    assert change("remove", ["get"]) == {}
    with pytest.raises(HttpResponseError) as exc:
        change("add", ["fly"])
    assert _code(exc) == "BadRequest"


def test_delete_list_deleted_recover_and_purge(emu: Emulator, kv: KeyVaultManagementClient) -> None:
    _create(kv, emu, "kv-test-lifecycle")
    port = emu.state.vault_ports["kv-test-lifecycle"]
    kv.vaults.delete("rg-payments", "kv-test-lifecycle")
    with pytest.raises(ResourceNotFoundError) as exc:
        kv.vaults.get("rg-payments", "kv-test-lifecycle")
    assert exc.value.error.code == "ResourceNotFound"
    assert "under resource group 'rg-payments' was not found" in exc.value.error.message
    deleted = kv.vaults.get_deleted("kv-test-lifecycle", "westeurope")
    assert deleted.properties.vault_id.endswith("/vaults/kv-test-lifecycle")
    assert deleted.properties.scheduled_purge_date > deleted.properties.deletion_date
    assert "kv-test-lifecycle" in {d.name for d in kv.vaults.list_deleted()}
    with pytest.raises(HttpResponseError) as exc:
        _create(kv, emu, "kv-test-lifecycle")
    assert exc.value.status_code == 409

    kv.vaults.begin_purge_deleted("kv-test-lifecycle", "westeurope", polling_interval=0).result()
    assert "kv-test-lifecycle" not in {d.name for d in kv.vaults.list_deleted()}
    assert _create(kv, emu, "kv-test-lifecycle").name == "kv-test-lifecycle"
    assert port  # the vault had its own origin before


def test_recover_keeps_settings(emu: Emulator, kv: KeyVaultManagementClient) -> None:
    _create(kv, emu, "kv-test-recover", enable_purge_protection=True)
    kv.vaults.delete("rg-payments", "kv-test-recover")
    with pytest.raises(HttpResponseError) as exc:
        kv.vaults.begin_purge_deleted("kv-test-recover", "westeurope", polling_interval=0).result()
    assert _code(exc) == "InvalidOperation"
    back = _create(kv, emu, "kv-test-recover", create_mode="recover")
    assert back.properties.enable_purge_protection is True
    assert back.properties.vault_uri.startswith("https://127.0.0.1:")


def test_reader_can_read_but_not_write(emu: Emulator, reader: KeyVaultManagementClient) -> None:
    assert reader.vaults.get("rg-payments", "kv-payments-open").name == "kv-payments-open"
    attempts = [
        lambda: _create(reader, emu, "kv-reader-made"),
        lambda: reader.vaults.update(
            "rg-payments", "kv-payments-open", VaultPatchParameters(tags={"x": "y"})
        ),
        lambda: reader.vaults.delete("rg-payments", "kv-payments-open"),
        lambda: reader.vaults.update_access_policy(
            "rg-payments",
            "kv-payments-open",
            "add",
            VaultAccessPolicyParameters(
                properties=VaultAccessPolicyProperties(
                    access_policies=[_entry(emu, emu.state.info["reader_principal_id"], ["get"])]
                )
            ),
        ),
    ]
    for attempt in attempts:
        with pytest.raises(HttpResponseError) as exc:
            attempt()
        assert exc.value.status_code == 403
        assert _code(exc) == "AuthorizationFailed"
        assert emu.state.info["reader_principal_id"] in exc.value.error.message
    assert emu.state.vault_by_name("kv-payments-open") is not None


def test_not_found_bodies_and_request_errors(emu: Emulator) -> None:
    vaults = "/providers/Microsoft.KeyVault/vaults"
    missing_rg = _raw(emu, "GET", f"/resourceGroups/rg-nope{vaults}/kv-x")
    assert missing_rg.status_code == 404
    assert missing_rg.json()["error"] == {
        "code": "ResourceGroupNotFound",
        "message": "Resource group 'rg-nope' could not be found.",
    }
    no_version = _raw(emu, "GET", vaults, version=None)
    assert no_version.json()["error"]["code"] == "MissingApiVersionParameter"
    bad_version = _raw(emu, "GET", vaults, version="1999-01-01")
    assert bad_version.json()["error"]["code"] == "InvalidApiVersionParameter"
    unknown = _raw(emu, "GET", "/providers/Microsoft.Nope/things")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"]
    no_token = _raw(emu, "GET", vaults, token=False)
    assert no_token.status_code == 401
    assert no_token.json()["error"]["code"] == "AuthenticationFailed"
    assert "WWW-Authenticate" in no_token.headers
    ok = _raw(emu, "GET", vaults)
    for header in (
        "x-ms-request-id",
        "x-ms-correlation-request-id",
        "x-ms-ratelimit-remaining-subscription-reads",
    ):
        assert header in ok.headers


def test_access_policy_remove_matches_permission_names_case_sensitively(
    kv: KeyVaultManagementClient,
) -> None:
    vault = kv.vaults.get("rg-payments", "kv-payments-open")
    tenant, oid = vault.properties.tenant_id, "0a0a0a0a-1111-4222-8333-444444444444"

    def change(kind: str, secrets: list[str]) -> list[str]:
        body = VaultAccessPolicyParameters(
            properties=VaultAccessPolicyProperties(
                access_policies=[
                    AccessPolicyEntry(
                        tenant_id=tenant, object_id=oid, permissions=Permissions(secrets=secrets)
                    )
                ]
            )
        )
        answer = kv.vaults.update_access_policy("rg-payments", "kv-payments-open", kind, body)
        entry = [p for p in answer.properties.access_policies if p.object_id == oid]
        return list(entry[0].permissions.secrets) if entry else []

    assert change("add", ["Get", "List"]) == ["Get", "List"]  # stored as sent (Portal casing)
    assert change("remove", ["get"]) == ["Get", "List"]  # 200, and nothing removed
    assert change("remove", ["Get"]) == ["List"]
    assert change("remove", ["List"]) == []  # the entry goes with its last permission
