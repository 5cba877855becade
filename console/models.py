"""Frozen domain models. SDK objects become these inside the adapters and never leave them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from console.masked import MaskedValue


def parse_resource_id(resource_id: str) -> dict[str, str]:
    """Split an ARM id into its named segments (keys lower-cased)."""
    parts = [p for p in resource_id.split("/") if p]
    out: dict[str, str] = {}
    for key, value in zip(parts[0::2], parts[1::2], strict=False):
        out[key.lower()] = value
    return out


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    display_name: str
    tenant_id: str
    state: str = "Enabled"


@dataclass(frozen=True)
class ResourceGroup:
    id: str
    name: str
    subscription_id: str
    location: str


@dataclass(frozen=True)
class Permissions:
    keys: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()
    storage: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.keys or self.secrets or self.certificates or self.storage)


@dataclass(frozen=True)
class AccessPolicy:
    tenant_id: str
    object_id: str
    permissions: Permissions
    application_id: str | None = None


@dataclass(frozen=True)
class VirtualNetworkRule:
    id: str
    ignore_missing_vnet_service_endpoint: bool = False


@dataclass(frozen=True)
class NetworkRules:
    default_action: str = "Allow"  # Allow | Deny
    bypass: str = "AzureServices"  # AzureServices | None
    ip_rules: tuple[str, ...] = ()  # CIDR strings as Azure returns them (bare IPs become /32)
    virtual_network_rules: tuple[VirtualNetworkRule, ...] = ()


@dataclass(frozen=True)
class Vault:
    id: str
    name: str
    subscription_id: str
    resource_group: str
    location: str
    uri: str  # vaultUri as Azure returns it: never built from the name
    tenant_id: str
    sku: str = "standard"
    soft_delete: bool = True
    retention_days: int = 90
    purge_protection: bool = False
    rbac_authorization: bool = False
    public_network_access: str = "Enabled"
    access_policies: tuple[AccessPolicy, ...] = ()
    network: NetworkRules = field(default_factory=NetworkRules)
    tags: tuple[tuple[str, str], ...] = ()
    pinned: bool = False  # added by URI, not found by enumeration


@dataclass(frozen=True)
class RoleAssignment:
    id: str
    name: str
    scope: str
    role_definition_id: str
    principal_id: str
    principal_type: str = "ServicePrincipal"
    role_name: str = ""  # resolved from the built-in role definitions where known


@dataclass(frozen=True)
class RoleDefinition:
    id: str
    name: str  # the GUID
    role_name: str
    data_actions: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    not_data_actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class UserAssignedRef:
    resource_id: str
    principal_id: str
    client_id: str


@dataclass(frozen=True)
class WorkflowIdentity:
    type: str = "None"  # SystemAssigned | UserAssigned | None
    principal_id: str | None = None
    tenant_id: str | None = None
    user_assigned: tuple[UserAssignedRef, ...] = ()


@dataclass(frozen=True)
class LogicApp:
    id: str
    name: str
    subscription_id: str
    resource_group: str
    location: str
    state: str
    identity: WorkflowIdentity
    workflow_outgoing_ips: tuple[str, ...] = ()
    connector_outgoing_ips: tuple[str, ...] = ()
    # The workflow definition as Azure returns it; treat as read-only.
    definition: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    parameters: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    changed_time: str | None = None


@dataclass(frozen=True)
class UserAssignedIdentity:
    id: str
    name: str
    subscription_id: str
    resource_group: str
    location: str
    principal_id: str
    client_id: str
    tenant_id: str


@dataclass(frozen=True)
class SecretProperties:
    name: str
    vault_uri: str
    id: str | None = None
    version: str | None = None
    enabled: bool = True
    content_type: str | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None
    not_before: datetime | None = None
    expires_on: datetime | None = None
    recovery_level: str | None = None
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Secret:
    properties: SecretProperties
    value: MaskedValue


@dataclass(frozen=True)
class DeletedSecret:
    properties: SecretProperties
    recovery_id: str | None = None
    deleted_on: datetime | None = None
    scheduled_purge_date: datetime | None = None


@dataclass(frozen=True)
class DirectoryObject:
    """A principal as the directory (Microsoft Graph) names it."""

    object_id: str
    display_name: str
    kind: str  # user | service_principal | managed_identity | group
    app_id: str | None = None


@dataclass(frozen=True)
class RunAction:
    """One action of a workflow run, as the run history shows it (never its content)."""

    name: str
    status: str  # Succeeded | Failed | Skipped | Running ...
    code: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    inputs_visible: bool = False  # a content link exists (not secured)
    outputs_visible: bool = False
    shows_secret_value: bool = False  # its visible outputs hold a secret value in clear
    outputs_unreadable: bool = False  # a content link we could not read: a leak is not ruled out


@dataclass(frozen=True)
class WorkflowRun:
    name: str
    status: str
    trigger: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    actions: tuple[RunAction, ...] = ()


@dataclass(frozen=True)
class SignedIn:
    """Who the console acts as, read from the access token's claims (not verified: display only)."""

    object_id: str | None
    tenant_id: str | None
    display_name: str  # UPN or name for a user; app id for a service principal
    kind: str = "Unknown"  # User | ServicePrincipal | Unknown
    app_id: str | None = None
