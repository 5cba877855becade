"""What the UI needs from the Azure side, as a Protocol: screens/ type against this, never
against :class:`console.service.AzureService` (which pulls in the SDKs).

``AzureService`` satisfies it structurally (checked by mypy at the end of console/service.py);
a fake for a UI test would need only these methods.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any, Protocol

from console.masked import MaskedValue
from console.models import (
    DeletedSecret,
    DirectoryObject,
    LogicApp,
    NetworkRules,
    Permissions,
    ResourceGroup,
    RoleAssignment,
    RoleDefinition,
    Secret,
    SecretProperties,
    SignedIn,
    Subscription,
    UserAssignedIdentity,
    Vault,
    WorkflowIdentity,
    WorkflowRun,
)


class VaultService(Protocol):
    """The async facade over Azure (or the emulator) that screens and plans call."""

    @property
    def subscription_ids(self) -> tuple[str, ...]: ...

    @property
    def vault_audience(self) -> str:
        """The audience of Key Vault tokens in the signed-in cloud (what actions must ask for)."""
        ...

    @property
    def client_address_hint(self) -> str | None:
        """This console's public address as Key Vault last reported it, if seen yet."""
        ...

    async def whoami(self) -> SignedIn:
        """The signed-in principal (object id, tenant, display) as far as the token tells."""
        ...

    async def resolve_principals(self, object_ids: Iterable[str]) -> dict[str, DirectoryObject]: ...

    async def close(self) -> None:
        """Close the credential and the shared HTTP session. Safe to call twice."""
        ...

    async def list_subscriptions(self) -> list[Subscription]:
        """Subscriptions visible to the credential (filtered to the connection's, if set)."""
        ...

    async def list_resource_groups(self, subscription_id: str) -> list[ResourceGroup]: ...

    async def list_vaults(
        self, subscription_id: str, resource_group: str | None = None
    ) -> list[Vault]:
        """Vaults of a subscription (or one resource group), with policies and network rules."""
        ...

    def iter_vault_pages(
        self, subscription_id: str, resource_group: str | None = None
    ) -> AsyncIterator[list[Vault]]:
        """Vaults page by page, for a list that fills in progressively."""
        ...

    async def get_vault(self, vault_id: str) -> Vault:
        """One vault by ARM id: access policies, network rules, flags, vaultUri."""
        ...

    def pinned_vault(self, vault_uri: str) -> Vault:
        """A vault known only by its URI (data-plane access, no ARM role). No request is sent."""
        ...

    async def add_access_policy(
        self, vault_id: str, object_id: str, permissions: Permissions
    ) -> Vault:
        """Merge *permissions* into *object_id*'s entry (``add``); returns the vault."""
        ...

    async def replace_access_policy(
        self, vault_id: str, object_id: str, permissions: Permissions
    ) -> Vault:
        """Set *object_id*'s entry to exactly *permissions* (``replace``); returns the vault."""
        ...

    async def remove_access_policy(
        self, vault_id: str, object_id: str, permissions: Permissions | None = None
    ) -> Vault:
        """Remove *permissions* from *object_id*'s entry (``remove``); None: the whole entry."""
        ...

    async def update_network_rules(self, vault_id: str, rules: NetworkRules) -> Vault:
        """PATCH the vault's firewall (networkAcls) only; other properties are kept."""
        ...

    async def list_role_assignments(self, scope: str) -> list[RoleAssignment]:
        """Assignments that apply at *scope* (at, above and below it), role names resolved."""
        ...

    async def get_role_definition(self, role_definition_id: str) -> RoleDefinition:
        """A role definition by full id or GUID (cached)."""
        ...

    async def get_connector_vault(self, connection_id: str) -> str | None:
        """The vault name a Key Vault API connection is bound to (on the connection resource)."""
        ...

    async def create_role_assignment(
        self,
        scope: str,
        role_definition_guid: str,
        principal_id: str,
        principal_type: str = "ServicePrincipal",
    ) -> RoleAssignment:
        """Assign a role at *scope*; an identical existing one is returned, not duplicated."""
        ...

    async def delete_role_assignment(self, assignment_id: str) -> None:
        """Delete a role assignment by its full id."""
        ...

    async def list_logic_apps(
        self, subscription_id: str, resource_group: str | None = None
    ) -> list[LogicApp]: ...

    def iter_logic_app_pages(
        self, subscription_id: str, resource_group: str | None = None
    ) -> AsyncIterator[list[LogicApp]]:
        """Logic Apps page by page, for a list that fills in progressively."""
        ...

    async def get_logic_app(self, logic_app_id: str) -> LogicApp:
        """One Logic App: identity, outgoing IPs, definition."""
        ...

    async def enable_system_identity(
        self, logic_app_id: str, *, replace_user_assigned: bool = False
    ) -> LogicApp:
        """Turn on the system-assigned identity; returns the app with its new principal id."""
        ...

    async def set_identity_none(self, logic_app_id: str) -> LogicApp:
        """Remove the Logic App's managed identity (undo of enable)."""
        ...

    async def restore_identity(self, logic_app_id: str, previous: WorkflowIdentity) -> LogicApp:
        """Put back an identity type (None, SystemAssigned or the same user-assigned one)."""
        ...

    async def list_triggers(self, logic_app_id: str) -> list[str]:
        """Names of the workflow's triggers (for "Test run")."""
        ...

    async def test_run(
        self, logic_app_id: str, trigger: str | None = None, *, timeout: float = 60.0
    ) -> WorkflowRun:
        """Run a trigger (the first one by default), wait for the run and return its actions."""
        ...

    def iter_inventory_pages(self, subscription_ids: Iterable[str]) -> AsyncIterator[Any]:
        """Vaults, Logic Apps and user-assigned identities of all *subscription_ids* with one"""
        ...

    def iter_resource_group_pages(self, subscription_ids: Iterable[str]) -> AsyncIterator[Any]:
        """The resource groups of all *subscription_ids* with one Resource Graph query per"""
        ...

    async def list_inventory_via_resource_graph(
        self, subscription_ids: Iterable[str]
    ) -> tuple[list[Vault], list[LogicApp]]: ...

    async def list_user_assigned_identities(
        self, subscription_id: str
    ) -> list[UserAssignedIdentity]: ...

    def iter_secret_pages(self, vault_uri: str) -> AsyncIterator[list[SecretProperties]]:
        """Secret metadata page by page (Key Vault pages by at most 25). No values."""
        ...

    async def list_secrets(self, vault_uri: str) -> list[SecretProperties]: ...

    async def list_secret_versions(self, vault_uri: str, name: str) -> list[SecretProperties]:
        """Every version's attributes, newest first. No values."""
        ...

    async def get_secret(self, vault_uri: str, name: str, version: str | None = None) -> Secret:
        """A secret with its value (masked until ``.value.reveal()``)."""
        ...

    async def set_secret(
        self,
        vault_uri: str,
        name: str,
        value: MaskedValue,
        *,
        content_type: str | None = None,
        enabled: bool = True,
        not_before: datetime | None = None,
        expires_on: datetime | None = None,
        tags: dict[str, str] | None = None,
    ) -> SecretProperties:
        """Create the secret or a new version of it."""
        ...

    async def update_secret_properties(
        self,
        vault_uri: str,
        name: str,
        version: str | None = None,
        *,
        enabled: bool | None = None,
        content_type: str | None = None,
        not_before: datetime | None = None,
        expires_on: datetime | None = None,
        tags: dict[str, str] | None = None,
    ) -> SecretProperties:
        """Change attributes without touching the value (``None`` leaves a field as it is)."""
        ...

    async def delete_secret(self, vault_uri: str, name: str) -> DeletedSecret:
        """Soft-delete (every version); returns the deleted secret once Azure lists it."""
        ...

    async def list_deleted_secrets(self, vault_uri: str) -> list[DeletedSecret]: ...

    async def recover_deleted_secret(self, vault_uri: str, name: str) -> SecretProperties: ...

    async def purge_deleted_secret(self, vault_uri: str, name: str) -> None:
        """Permanently delete a soft-deleted secret (refused by Azure under purge protection)."""
        ...
