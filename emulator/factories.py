"""Builders of ARM resource JSON as Azure returns it; used by seeds, routes and tests."""

from __future__ import annotations

import copy
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from emulator.state import Principal, State, new_guid

KEYVAULT = "Microsoft.KeyVault/vaults"
WORKFLOWS = "Microsoft.Logic/workflows"
IDENTITIES = "Microsoft.ManagedIdentity/userAssignedIdentities"


def rg_id(subscription_id: str, resource_group: str) -> str:
    return f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"


def resource_id(subscription_id: str, resource_group: str, rtype: str, name: str) -> str:
    return f"{rg_id(subscription_id, resource_group)}/providers/{rtype}/{name}"


def add_subscription(state: State, subscription_id: str, display_name: str) -> dict[str, Any]:
    sub = {
        "id": f"/subscriptions/{subscription_id}",
        "subscriptionId": subscription_id,
        "tenantId": state.tenant_id,
        "displayName": display_name,
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "tags": {},
    }
    state.subscriptions[subscription_id] = sub
    return sub


def add_resource_group(
    state: State, subscription_id: str, name: str, location: str = "westeurope"
) -> dict[str, Any]:
    rid = rg_id(subscription_id, name)
    rg = {
        "id": rid,
        "name": name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": location,
        "properties": {"provisioningState": "Succeeded"},
    }
    state.resource_groups[rid.lower()] = rg
    return rg


def add_principal(
    state: State,
    kind: str,
    display_name: str,
    *,
    object_id: str | None = None,
    app_id: str | None = None,
    client_secret: str | None = None,
    resource_id: str | None = None,
) -> Principal:
    principal = Principal(
        object_id=object_id or new_guid(),
        kind=kind,
        display_name=display_name,
        app_id=app_id or (new_guid() if kind != "User" else ""),
        client_secret=client_secret,
        resource_id=resource_id,
    )
    state.principals[principal.object_id] = principal
    return principal


def access_policy(
    state: State,
    object_id: str,
    secrets: list[str],
    *,
    keys: list[str] | None = None,
    certificates: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "tenantId": state.tenant_id,
        "objectId": object_id,
        "permissions": {
            "keys": keys or [],
            "secrets": secrets,
            "certificates": certificates or [],
        },
    }


def vault_resource(
    state: State,
    subscription_id: str,
    resource_group: str,
    name: str,
    *,
    location: str = "westeurope",
    rbac: bool = False,
    purge_protection: bool = False,
    retention_days: int = 90,
    default_action: str = "Allow",
    ip_rules: list[str] | None = None,
    access_policies: list[dict[str, Any]] | None = None,
    sku: str = "standard",
    tags: dict[str, str] | None = None,
    created_by: str = "admin@contoso.example",
) -> dict[str, Any]:
    """A vault as GET returns it (vaultUri is set when the emulator serves the vault)."""
    props: dict[str, Any] = {
        "sku": {"family": "A", "name": sku},
        "tenantId": state.tenant_id,
        "accessPolicies": access_policies or [],
        "enabledForDeployment": False,
        "enabledForDiskEncryption": False,
        "enabledForTemplateDeployment": False,
        "enableSoftDelete": True,
        "softDeleteRetentionInDays": retention_days,
        "enableRbacAuthorization": rbac,
        "networkAcls": {
            "bypass": "AzureServices",
            "defaultAction": default_action,
            "ipRules": [{"value": r if "/" in r else f"{r}/32"} for r in (ip_rules or [])],
            "virtualNetworkRules": [],
        },
        "publicNetworkAccess": "Enabled",
        "vaultUri": "",
        "provisioningState": "Succeeded",
    }
    if purge_protection:
        props["enablePurgeProtection"] = True
    return {
        "id": resource_id(subscription_id, resource_group, KEYVAULT, name),
        "name": name,
        "type": KEYVAULT,
        "location": location,
        "tags": tags or {},
        "systemData": {
            "createdBy": created_by,
            "createdByType": "User",
            "createdAt": "2026-01-05T09:00:00.0000000Z",
            "lastModifiedBy": created_by,
            "lastModifiedByType": "User",
            "lastModifiedAt": "2026-01-05T09:00:00.0000000Z",
        },
        "properties": props,
    }


def add_vault(state: State, *args: Any, **kwargs: Any) -> dict[str, Any]:
    vault = vault_resource(state, *args, **kwargs)
    state.vaults[vault["id"].lower()] = vault
    state.vault_secrets(vault["name"])
    return vault


# ---- Logic Apps ------------------------------------------------------------------------------

WORKFLOW_SCHEMA = (
    "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/"
    "workflowdefinition.json#"
)

# Region-wide outgoing addresses (Azure publishes them per region, not per workflow). The
# connector list mixes single addresses and CIDR blocks, as Azure's does.
_ENDPOINTS: dict[str, dict[str, list[str]]] = {
    "westeurope": {
        "workflow": [
            "40.68.222.65",
            "40.68.209.23",
            "13.95.147.65",
            "23.97.218.130",
            "51.144.182.201",
            "23.97.211.179",
        ],
        "access": ["13.95.155.53", "52.174.54.218", "52.174.49.6"],
        "connector": [
            "40.115.50.13",
            "52.174.88.118",
            "13.69.227.208/28",
            "20.86.93.32/27",
            "52.166.78.89",
        ],
    },
    "northeurope": {
        "workflow": ["40.113.12.95", "52.178.165.215", "52.178.166.21", "40.112.92.104"],
        "access": ["13.79.173.49", "52.169.218.253", "52.169.220.174"],
        "connector": ["13.69.231.208/28", "20.82.246.112/28", "52.178.150.68", "94.245.91.93"],
    },
    # westus and centralus: the full lists Azure answered with in
    # tests/fixtures/azure-recordings/test_workflow_identity.yaml (2023-11).
    "westus": {
        "workflow": [
            "52.160.92.112",
            "40.118.244.241",
            "40.118.241.243",
            "157.56.162.53",
            "157.56.167.147",
            "104.42.49.145",
            "40.83.164.80",
            "104.42.38.32",
            "13.86.223.0",
            "13.86.223.1",
            "13.86.223.2",
            "13.86.223.3",
            "13.86.223.4",
            "13.86.223.5",
            "104.40.34.169",
            "104.40.32.148",
            "52.160.70.221",
            "52.160.70.105",
            "13.91.81.221",
            "13.64.231.196",
            "13.87.204.182",
            "40.78.65.193",
            "13.87.207.39",
            "104.42.44.28",
            "40.83.134.97",
            "40.78.65.112",
            "168.62.9.74",
            "168.62.28.191",
        ],
        "access": [
            "52.160.90.237",
            "138.91.188.137",
            "13.91.252.184",
            "157.56.160.212",
            "104.40.34.112",
            "52.160.68.27",
            "13.88.168.158",
            "104.42.40.164",
            "13.87.207.79",
            "13.87.204.210",
            "168.62.9.100",
        ],
        "connector": [
            "13.93.148.62",
            "104.42.122.49",
            "40.112.195.87",
            "13.86.223.32/27",
            "40.112.243.160/28",
            "20.59.77.0/27",
            "20.66.6.112/28",
        ],
    },
    "centralus": {
        "workflow": [
            "13.67.236.125",
            "104.208.25.27",
            "40.122.170.198",
            "40.113.218.230",
            "23.100.86.139",
            "23.100.87.24",
            "23.100.87.56",
            "23.100.82.16",
            "52.141.221.6",
            "52.141.218.55",
            "20.109.202.36",
            "20.109.202.29",
        ],
        "access": [
            "13.67.236.76",
            "40.77.111.254",
            "40.77.31.87",
            "104.43.243.39",
            "13.86.98.126",
            "20.109.202.37",
        ],
        "connector": [
            "52.173.241.27",
            "52.173.245.164",
            "13.89.171.80/28",
            "13.89.178.64/27",
            "40.77.68.110",
            "20.98.144.224/27",
            "20.98.145.0/28",
            "20.80.123.134",
            "20.80.123.57",
        ],
    },
    "eastus": {
        "workflow": ["13.92.98.111", "40.121.91.41", "40.114.82.191", "23.101.139.153"],
        "access": ["137.135.106.54", "40.117.99.79", "40.117.100.228"],
        "connector": [
            "40.71.11.80/28",
            "40.71.249.205",
            "40.114.40.132",
            "40.71.249.139",
            "20.88.153.176/28",
        ],
    },
}


def region_key(location: str) -> str:
    """'West Europe' and 'westeurope' are the same region."""
    return location.replace(" ", "").lower()


def endpoints_configuration(location: str) -> dict[str, Any]:
    table = _ENDPOINTS.get(region_key(location), _ENDPOINTS["westeurope"])

    def addresses(key: str) -> list[dict[str, str]]:
        return [{"address": a} for a in table[key]]

    return {
        "workflow": {
            "outgoingIpAddresses": addresses("workflow"),
            "accessEndpointIpAddresses": addresses("access"),
        },
        "connector": {"outgoingIpAddresses": addresses("connector")},
    }


def logic_timestamp() -> str:
    """Logic Apps' timestamp format: 7 fractional digits, 'Z'."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def workflow_version() -> str:
    """A 20-digit version that changes on every write, like Logic Apps' own."""
    return str(8_590_000_000_000_000_000 - time.time_ns() // 100).zfill(20)


def empty_definition() -> dict[str, Any]:
    return {
        "$schema": WORKFLOW_SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {},
        "triggers": {},
        "actions": {},
        "outputs": {},
    }


def with_evaluated_recurrence(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition as Logic Apps stores it: each recurrence trigger also carries the
    ``evaluatedRecurrence`` it runs on (tests/fixtures/azure-recordings/test_workflow_identity.yaml:
    the PUT sends only ``recurrence``, every answer has both)."""
    triggers = definition.get("triggers")
    if not isinstance(triggers, dict):
        return definition
    evaluated = {}
    for name, trigger in triggers.items():
        if isinstance(trigger, dict) and isinstance(trigger.get("recurrence"), dict):
            trigger = {**trigger}
            trigger.setdefault("evaluatedRecurrence", copy.deepcopy(trigger["recurrence"]))
        evaluated[name] = trigger
    return {**definition, "triggers": evaluated}


class IdentityError(ValueError):
    """An identity Azure refuses; ``code`` is Azure's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def apply_identity(
    state: State,
    workflow_id: str,
    workflow_name: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
) -> dict[str, Any] | None:
    """The identity a workflow ends up with; creates or retires principals as Azure does.

    A Consumption Logic App holds one identity: the system-assigned one or one user-assigned.
    """
    kind = str((new or {}).get("type") or "None").replace(" ", "").lower()
    old_kind = str((old or {}).get("type") or "None").lower()
    kinds = set(kind.split(","))
    if len(kinds) > 1:
        raise IdentityError(
            "MultipleIdentitiesNotSupported",
            "A logic app can have only a single managed identity: either the system-assigned "
            "identity or one user-assigned identity, not both.",
        )
    if kind not in ("none", "systemassigned", "userassigned"):
        raise IdentityError(
            "InvalidIdentityType",
            f"The identity type '{(new or {}).get('type')}' is not supported.",
        )
    result: dict[str, Any] | None = None
    if kind == "systemassigned":
        pid = (old or {}).get("principalId") if old_kind == "systemassigned" else None
        principal = state.principals.get(pid or "")
        if principal is None or principal.deleted:
            principal = add_principal(
                state, "ManagedIdentity", workflow_name, resource_id=workflow_id
            )
        result = {
            "type": "SystemAssigned",
            "principalId": principal.object_id,
            "tenantId": state.tenant_id,
        }
    elif kind == "userassigned":
        wanted = (new or {}).get("userAssignedIdentities") or {}
        if len(wanted) != 1:
            raise IdentityError(
                "MultipleIdentitiesNotSupported" if wanted else "InvalidIdentity",
                "A logic app can have only a single managed identity: exactly one "
                "user-assigned identity must be given.",
            )
        uai_id = next(iter(wanted))
        uai = state.identities.get(uai_id.lower())
        if uai is None:
            raise IdentityError(
                "UserAssignedIdentityNotFound",
                f"The user-assigned identity '{uai_id}' was not found.",
            )
        result = {
            "type": "UserAssigned",
            "userAssignedIdentities": {
                uai["id"]: {
                    "principalId": uai["properties"]["principalId"],
                    "clientId": uai["properties"]["clientId"],
                }
            },
        }
    if old_kind == "systemassigned" and (result is None or result["type"] != "SystemAssigned"):
        retired = state.principals.get((old or {}).get("principalId") or "")
        if retired is not None:
            retired.deleted = True
    return result


def workflow_resource(
    state: State,
    subscription_id: str,
    resource_group: str,
    name: str,
    *,
    location: str = "westeurope",
    definition: dict[str, Any] | None = None,
    parameters: dict[str, Any] | None = None,
    state_value: str = "Enabled",
    identity: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None,
    existing: dict[str, Any] | None = None,
    extra_properties: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A workflow as GET returns it; *existing* keeps createdTime, identity and the endpoint."""
    wid = (existing or {}).get("id") or resource_id(
        subscription_id, resource_group, WORKFLOWS, name
    )
    now = logic_timestamp()
    old_props = (existing or {}).get("properties") or {}
    resolved = apply_identity(state, wid, name, (existing or {}).get("identity"), identity)
    props: dict[str, Any] = {
        "provisioningState": "Succeeded",
        "createdTime": old_props.get("createdTime", now),
        "changedTime": now,
        "state": state_value,
        "version": workflow_version(),
        "accessEndpoint": old_props.get("accessEndpoint")
        or (
            f"https://prod-{int(uuid.uuid4().int % 80):02d}.{region_key(location)}.logic.azure.com"
            f":443/workflows/{uuid.uuid4().hex}"
        ),
        **(extra_properties or {}),
        "definition": with_evaluated_recurrence(
            definition if definition is not None else empty_definition()
        ),
        "parameters": parameters or {},
        "endpointsConfiguration": endpoints_configuration(location),
    }
    body: dict[str, Any] = {
        "id": wid,
        "name": name,
        "type": WORKFLOWS,
        "location": location,
        "tags": tags or {},
    }
    if resolved is not None:
        body["identity"] = resolved
    body["properties"] = props
    return body


def add_workflow(
    state: State, subscription_id: str, resource_group: str, name: str, **kwargs: Any
) -> dict[str, Any]:
    wf = workflow_resource(state, subscription_id, resource_group, name, **kwargs)
    state.workflows[wf["id"].lower()] = wf
    return wf


# ---- managed identities and role assignments ------------------------------------------------


def add_user_identity(
    state: State,
    subscription_id: str,
    resource_group: str,
    name: str,
    *,
    location: str = "westeurope",
    tags: dict[str, str] | None = None,
    existing: dict[str, Any] | None = None,
) -> dict[str, Any]:
    # The ManagedIdentity RP spells its ids "resourcegroups" (lower case), and Logic Apps keys
    # userAssignedIdentities by that id: tests/fixtures/azure-recordings/
    # test_role_assignment_at_scope.yaml and test_workflow_identity.yaml.
    rid = (
        f"/subscriptions/{subscription_id}/resourcegroups/{resource_group}"
        f"/providers/{IDENTITIES}/{name}"
    )
    if existing is not None:
        existing["location"] = location
        existing["tags"] = tags or {}
        return existing
    principal = add_principal(state, "ManagedIdentity", name, resource_id=rid)
    uai = {
        "id": rid,
        "name": name,
        "type": IDENTITIES,
        "location": location,
        "tags": tags or {},
        "properties": {
            "tenantId": state.tenant_id,
            "principalId": principal.object_id,
            "clientId": principal.app_id,
            "isolationScope": "None",
        },
    }
    state.identities[rid.lower()] = uai
    return uai


ROLE_ASSIGNMENTS = "Microsoft.Authorization/roleAssignments"


def role_definition_id(subscription_id: str | None, role_guid: str) -> str:
    scope = f"/subscriptions/{subscription_id}" if subscription_id else ""
    return f"{scope}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}"


def role_assignment_body(
    state: State,
    scope: str,
    name: str,
    role_definition: str,
    principal_id: str,
    *,
    principal_type: str | None = None,
    created_by: str | None = None,
    description: str | None = None,
    condition: str | None = None,
) -> dict[str, Any]:
    principal = state.principals.get(principal_id)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
    scope = scope.rstrip("/") or "/"
    base = "" if scope == "/" else scope
    return {
        "id": f"{base}/providers/{ROLE_ASSIGNMENTS}/{name}",
        "name": name,
        "type": ROLE_ASSIGNMENTS,
        "properties": {
            "roleDefinitionId": role_definition,
            "principalId": principal_id,
            "principalType": principal_type
            or (principal.principal_type if principal else "ServicePrincipal"),
            "scope": scope,
            "condition": condition,
            "conditionVersion": "2.0" if condition else None,
            "createdOn": now,
            "updatedOn": now,
            "createdBy": created_by,
            "updatedBy": created_by,
            "delegatedManagedIdentityResourceId": None,
            "description": description,
        },
    }


def add_role_assignment(
    state: State,
    scope: str,
    role_guid: str,
    principal_id: str,
    *,
    name: str | None = None,
    created_by: str | None = None,
) -> dict[str, Any]:
    """Assign a built-in role (definition id subscription-prefixed, as Azure keeps it)."""
    sub = scope.split("/")[2] if scope.lower().startswith("/subscriptions/") else None
    ra = role_assignment_body(
        state,
        scope,
        name or new_guid(),
        role_definition_id(sub, role_guid),
        principal_id,
        created_by=created_by,
    )
    state.role_assignments[ra["id"].lower()] = ra
    return ra
