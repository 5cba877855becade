"""The access chain check, line by line, on models built by hand (a pure function)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from console.diagnosis import FAIL, PASS, SKIP, WARN, check_access
from console.models import (
    AccessPolicy,
    LogicApp,
    NetworkRules,
    Permissions,
    RoleAssignment,
    SecretProperties,
    UserAssignedRef,
    Vault,
    WorkflowIdentity,
)

NOW = datetime(2026, 11, 23, tzinfo=UTC)
PRINCIPAL = "11111111-1111-1111-1111-111111111111"
VAULT_URI = "https://kv-payments.vault.azure.net/"


def http_action(
    uri: str = f"{VAULT_URI}secrets/db-password?api-version=7.4",
    *,
    auth: dict | None = None,
    secure: tuple[str, ...] = ("inputs", "outputs"),
    method: str = "GET",
) -> dict:
    action = {
        "type": "Http",
        "inputs": {
            "method": method,
            "uri": uri,
            "authentication": auth
            if auth is not None
            else {"type": "ManagedServiceIdentity", "audience": "https://vault.azure.net"},
        },
    }
    if secure:
        action["runtimeConfiguration"] = {"secureData": {"properties": list(secure)}}
    return action


def make_app(
    actions: dict | None = None,
    *,
    identity: WorkflowIdentity | None = None,
    outgoing: tuple[str, ...] = ("52.160.92.112",),
) -> LogicApp:
    return LogicApp(
        id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Logic/workflows/la-payments",
        name="la-payments",
        subscription_id="s",
        resource_group="rg",
        location="westeurope",
        state="Enabled",
        identity=identity or WorkflowIdentity("SystemAssigned", PRINCIPAL, "t"),
        workflow_outgoing_ips=outgoing,
        connector_outgoing_ips=("13.86.223.32/27",),
        definition={"actions": actions if actions is not None else {"Get_secret": http_action()}},
    )


def make_vault(**changes) -> Vault:
    vault = Vault(
        id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-payments",
        name="kv-payments",
        subscription_id="s",
        resource_group="rg",
        location="westeurope",
        uri=VAULT_URI,
        tenant_id="t",
        access_policies=(AccessPolicy("t", PRINCIPAL, Permissions(secrets=("get",))),),
    )
    return replace(vault, **changes)


def secret(**changes) -> SecretProperties:
    return replace(SecretProperties("db-password", VAULT_URI, enabled=True), **changes)


def statuses(report) -> dict[str, str]:
    return {c.key: c.status for c in report.checks}


def test_a_fully_set_up_app_passes_every_line() -> None:
    report = check_access(make_app(), make_vault(), secret=secret(), now=NOW)
    assert statuses(report) == dict.fromkeys(
        ("identity", "grant", "firewall", "actions", "secure_outputs", "secret"), PASS
    )
    assert report.ok and report.first_failure is None
    assert report.secret_name == "db-password"
    assert [status for _, status in report.chain()] == [PASS] * 7


def test_no_identity_fails_and_offers_the_identity_wizard() -> None:
    report = check_access(make_app(identity=WorkflowIdentity()), make_vault(), now=NOW)
    line = report.check("identity")
    assert (line.status, line.fix) == (FAIL, "enable_identity")
    assert report.check("grant").status == SKIP
    assert report.first_failure is line


def test_user_assigned_identity_counts_with_its_own_grant() -> None:
    uai = WorkflowIdentity(
        "UserAssigned",
        user_assigned=(
            UserAssignedRef(
                "/subscriptions/s/.../userAssignedIdentities/id-shared", PRINCIPAL, "c"
            ),
        ),
    )
    report = check_access(make_app(identity=uai), make_vault(), secret=secret(), now=NOW)
    assert report.check("identity").status == PASS
    assert "id-shared" in report.check("identity").reason
    assert report.check("grant").status == PASS


def test_missing_grant_fails_with_the_grant_wizard() -> None:
    report = check_access(make_app(), make_vault(access_policies=()), now=NOW)
    assert (report.check("grant").status, report.check("grant").fix) == (FAIL, "grant")


@pytest.mark.parametrize("secrets", [("all",), ("get", "list", "set", "delete")])
def test_more_than_get_is_a_least_privilege_warning(secrets: tuple[str, ...]) -> None:
    vault = make_vault(
        access_policies=(AccessPolicy("t", PRINCIPAL, Permissions(secrets=secrets)),)
    )
    line = check_access(make_app(), vault, now=NOW).check("grant")
    assert line.status == WARN
    assert "more than it needs" in line.reason


def test_a_rotation_app_needs_set_and_is_not_warned_for_it() -> None:
    actions = {
        "Get": http_action(),
        "Set": http_action(method="PUT"),
    }
    vault = make_vault(
        access_policies=(AccessPolicy("t", PRINCIPAL, Permissions(secrets=("get", "set"))),)
    )
    assert check_access(make_app(actions), vault, now=NOW).check("grant").status == PASS


def rbac_assignment(role_guid: str, scope: str) -> RoleAssignment:
    return RoleAssignment(
        id=f"{scope}/providers/Microsoft.Authorization/roleAssignments/x",
        name="x",
        scope=scope,
        role_definition_id=f"/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/{role_guid}",
        principal_id=PRINCIPAL,
    )


def test_rbac_vault_secret_scope_secrets_user_passes() -> None:
    vault = make_vault(rbac_authorization=True, access_policies=())
    ra = rbac_assignment("4633458b-17de-408a-b874-0445c86b69e6", vault.id + "/secrets/db-password")
    report = check_access(make_app(), vault, role_assignments=[ra], now=NOW)
    assert report.check("grant").status == PASS


def test_rbac_vault_role_on_another_secret_fails() -> None:
    vault = make_vault(rbac_authorization=True, access_policies=())
    ra = rbac_assignment("4633458b-17de-408a-b874-0445c86b69e6", vault.id + "/secrets/other")
    assert (
        check_access(make_app(), vault, role_assignments=[ra], now=NOW).check("grant").status
        == FAIL
    )


def test_rbac_vault_reader_role_cannot_read_values() -> None:
    vault = make_vault(rbac_authorization=True, access_policies=())
    ra = rbac_assignment("21090545-7ca7-4776-b22c-e363652d74d2", vault.id)
    assert (
        check_access(make_app(), vault, role_assignments=[ra], now=NOW).check("grant").status
        == FAIL
    )


def test_rbac_secrets_officer_is_more_than_needed() -> None:
    vault = make_vault(rbac_authorization=True, access_policies=())
    ra = rbac_assignment("b86a8fe4-44ce-4948-aee5-eccb2c155cd7", vault.id)
    assert (
        check_access(make_app(), vault, role_assignments=[ra], now=NOW).check("grant").status
        == WARN
    )


def test_locked_firewall_without_the_apps_address_fails_and_names_it() -> None:
    vault = make_vault(network=NetworkRules("Deny", "AzureServices", ("198.51.100.0/24",)))
    line = check_access(make_app(), vault, now=NOW).check("firewall")
    assert (line.status, line.fix) == (FAIL, "firewall")
    assert "missing: 52.160.92.112" in line.details
    assert any("trusted Azure services" in d for d in line.details)


def test_firewall_rule_covering_the_address_by_cidr_passes() -> None:
    vault = make_vault(network=NetworkRules("Deny", "None", ("52.160.92.0/24",)))
    assert check_access(make_app(), vault, now=NOW).check("firewall").status == PASS


def test_connector_actions_need_the_connector_addresses_inside_a_rule() -> None:
    actions = {
        "Get_secret": {
            "type": "ApiConnection",
            "inputs": {
                "host": {
                    "connection": {
                        "name": "@parameters('$connections')['keyvault']['connectionId']"
                    }
                },
                "method": "get",
                "path": "/secrets/@{encodeURIComponent('db-password')}/value",
            },
            "runtimeConfiguration": {"secureData": {"properties": ["inputs", "outputs"]}},
        }
    }
    app = replace(
        make_app(actions),
        parameters={
            "$connections": {
                "value": {
                    "keyvault": {
                        "id": "/subscriptions/s/providers/Microsoft.Web/locations/westeurope"
                        "/managedApis/keyvault",
                        "connectionProperties": {
                            "authentication": {"type": "ManagedServiceIdentity"}
                        },
                    }
                }
            }
        },
    )
    wide = make_vault(network=NetworkRules("Deny", "None", ("13.86.223.0/24",)))
    narrow = make_vault(network=NetworkRules("Deny", "None", ("13.86.223.40/32",)))
    assert check_access(app, wide, now=NOW).check("firewall").status == PASS
    assert check_access(app, narrow, now=NOW).check("firewall").status == FAIL


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        (http_action(auth={"type": "None"}), "not ManagedServiceIdentity"),
        (
            http_action(
                auth={"type": "ManagedServiceIdentity", "audience": "https://management.azure.com"}
            ),
            "is not Key Vault's",
        ),
        (http_action(auth={"type": "ManagedServiceIdentity"}), "is not Key Vault's"),
        (http_action(f"{VAULT_URI}secrets/db-password?api-version=2015-01-01"), "api-version"),
        (http_action(f"{VAULT_URI}secrets/db-password"), "(missing)"),
        (
            http_action("https://kv-other.vault.azure.net/secrets/x?api-version=7.4"),
            "not on vault kv-payments",
        ),
    ],
)
def test_each_wrong_action_setting_fails_with_its_reason(action: dict, reason: str) -> None:
    line = check_access(make_app({"Get_secret": action}), make_vault(), now=NOW).check("actions")
    assert line.status == FAIL
    assert any(reason in d for d in line.details)


def test_secure_outputs_off_fails() -> None:
    app = make_app({"Get_secret": http_action(secure=("inputs",))})
    line = check_access(app, make_vault(), now=NOW).check("secure_outputs")
    assert (line.status, line.fix) == (FAIL, "definition")
    assert "run history" in line.reason


def test_a_consumer_without_secure_inputs_is_a_warning() -> None:
    app = make_app(
        {
            "Get_secret": http_action(),
            "Call_api": {
                "type": "Http",
                "inputs": {
                    "method": "POST",
                    "uri": "https://api.example/",
                    "headers": {"x-key": "@body('Get_secret')?['value']"},
                },
            },
        }
    )
    line = check_access(app, make_vault(), now=NOW).check("secure_outputs")
    assert line.status == WARN and "Call_api" in line.reason


@pytest.mark.parametrize(
    ("props", "missing", "status", "text"),
    [
        (None, True, FAIL, "does not exist"),
        ({"enabled": False}, False, FAIL, "disabled"),
        ({"expires_on": NOW - timedelta(days=1)}, False, FAIL, "expired"),
        ({"not_before": NOW + timedelta(days=1)}, False, FAIL, "not active before"),
        ({"expires_on": NOW + timedelta(days=30)}, False, PASS, "exists and is enabled"),
    ],
)
def test_secret_line(props, missing: bool, status: str, text: str) -> None:
    report = check_access(
        make_app(),
        make_vault(),
        secret=secret(**props) if props else None,
        secret_missing=missing,
        now=NOW,
    )
    line = report.check("secret")
    assert line.status == status and text in line.reason


def test_no_key_vault_action_is_a_warning_not_a_pass() -> None:
    app = make_app({"Compose": {"type": "Compose", "inputs": "hello"}})
    assert check_access(app, make_vault(), now=NOW).check("actions").status == WARN


@pytest.mark.parametrize(
    "audience",
    [
        "https://vault.azure.net",
        "https://vault.azure.net/",  # the trailing slash the designer often writes
        "https://Vault.azure.net",
        "cfa8b339-82a2-471a-a3c9-0fc0be7a4093",  # Key Vault's application id
    ],
)
def test_every_audience_form_key_vault_accepts_passes(audience: str) -> None:
    action = http_action(auth={"type": "ManagedServiceIdentity", "audience": audience})
    line = check_access(make_app({"Get_secret": action}), make_vault(), now=NOW).check("actions")
    assert line.status == PASS, line.details


@pytest.mark.parametrize("version", ["2016-10-01", "7.6", "7.6-preview.2", "2026-04-01"])
def test_every_key_vault_api_version_passes(version: str) -> None:
    action = http_action(f"{VAULT_URI}secrets/db-password?api-version={version}")
    line = check_access(make_app({"Get_secret": action}), make_vault(), now=NOW).check("actions")
    assert line.status == PASS, line.details


def test_an_api_version_in_the_queries_input_counts() -> None:
    action = http_action(f"{VAULT_URI}secrets/db-password")
    action["inputs"]["queries"] = {"api-version": "7.4"}
    line = check_access(make_app({"Get_secret": action}), make_vault(), now=NOW).check("actions")
    assert line.status == PASS, line.details


def test_the_audience_is_the_signed_in_clouds() -> None:
    from console.clouds import AZURE_CHINA

    china = make_app(
        {
            "Get_secret": http_action(
                "https://kv-payments.vault.azure.cn/secrets/db-password?api-version=7.4",
                auth={"type": "ManagedServiceIdentity", "audience": "https://vault.azure.cn"},
            )
        }
    )
    vault = make_vault(uri="https://kv-payments.vault.azure.cn/")
    ok = check_access(china, vault, now=NOW, audience=AZURE_CHINA.vault_audience)
    assert ok.check("actions").status == PASS
    public = make_app(
        {
            "Get_secret": http_action(
                "https://kv-payments.vault.azure.cn/secrets/db-password?api-version=7.4"
            )
        }
    )
    wrong = check_access(public, vault, now=NOW, audience=AZURE_CHINA.vault_audience)
    assert wrong.check("actions").status == FAIL
    assert (
        "is not Key Vault's ('https://vault.azure.cn' in this cloud)"
        in wrong.check("actions").reason
    )


@pytest.mark.parametrize(
    "scope", ["/", "/providers/Microsoft.Management/managementGroups/mg-root", "/subscriptions/s"]
)
def test_rbac_assignments_inherited_from_above_the_subscription_count(scope: str) -> None:
    vault = make_vault(rbac_authorization=True, access_policies=())
    ra = rbac_assignment("4633458b-17de-408a-b874-0445c86b69e6", scope)
    report = check_access(make_app(), vault, role_assignments=[ra], now=NOW)
    assert report.check("grant").status == PASS, report.check("grant").reason


def test_rbac_custom_role_and_certificate_user_read_secrets_as_azure_defines_them() -> None:
    from console.models import RoleDefinition

    vault = make_vault(rbac_authorization=True, access_policies=())
    custom = "0d0d0d0d-0000-4000-8000-000000000001"
    definitions = {
        custom: RoleDefinition(
            id=f"/providers/Microsoft.Authorization/roleDefinitions/{custom}",
            name=custom,
            role_name="Contoso secret reader",
            data_actions=("Microsoft.KeyVault/vaults/secrets/*",),
            not_data_actions=("Microsoft.KeyVault/vaults/secrets/setSecret/action",),
        ),
        "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba": RoleDefinition(
            id="/providers/Microsoft.Authorization/roleDefinitions/db79e9a7-68ee-4b58-9aeb-b90e7c24fcba",
            name="db79e9a7-68ee-4b58-9aeb-b90e7c24fcba",
            role_name="Key Vault Certificate User",
            data_actions=(
                "Microsoft.KeyVault/vaults/certificates/read",
                "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
                "Microsoft.KeyVault/vaults/keys/read",
            ),
        ),
    }
    for guid in definitions:
        ra = rbac_assignment(guid, vault.id)
        line = check_access(
            make_app(), vault, role_assignments=[ra], role_definitions=definitions, now=NOW
        ).check("grant")
        assert line.status in (PASS, WARN), (guid, line.reason)  # it can read: not a failure
    denied = {
        custom: RoleDefinition(
            id="x",
            name=custom,
            role_name="No get",
            data_actions=("Microsoft.KeyVault/vaults/*",),
            not_data_actions=("Microsoft.KeyVault/vaults/secrets/getSecret/action",),
        )
    }
    line = check_access(
        make_app(),
        vault,
        role_assignments=[rbac_assignment(custom, vault.id)],
        role_definitions=denied,
        now=NOW,
    ).check("grant")
    assert line.status == FAIL  # notDataActions take the read away
