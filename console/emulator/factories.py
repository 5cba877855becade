"""Builders of ARM resource JSON as Azure returns it; used by seeds, routes and tests."""

from __future__ import annotations

from typing import Any

from console.emulator.state import Principal, State, new_guid

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


def add_resource_group(state: State, subscription_id: str, name: str,
                       location: str = "westeurope") -> dict[str, Any]:
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


def add_principal(state: State, kind: str, display_name: str, *, object_id: str | None = None,
                  app_id: str | None = None, client_secret: str | None = None,
                  resource_id: str | None = None) -> Principal:
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


def access_policy(state: State, object_id: str, secrets: list[str], *, keys: list[str] | None = None,
                  certificates: list[str] | None = None) -> dict[str, Any]:
    return {
        "tenantId": state.tenant_id,
        "objectId": object_id,
        "permissions": {
            "keys": keys or [],
            "secrets": secrets,
            "certificates": certificates or [],
        },
    }


def vault_resource(state: State, subscription_id: str, resource_group: str, name: str, *,
                   location: str = "westeurope", rbac: bool = False, purge_protection: bool = False,
                   retention_days: int = 90, default_action: str = "Allow",
                   ip_rules: list[str] | None = None, access_policies: list[dict] | None = None,
                   sku: str = "standard", tags: dict[str, str] | None = None,
                   created_by: str = "admin@contoso.example") -> dict[str, Any]:
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
