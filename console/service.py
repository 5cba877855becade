"""The one facade the TUI and the wizards use: every Azure call goes through ``AzureService``.

All methods are async and return frozen models from :mod:`console.models`; SDK objects never
leave :mod:`console.azure`. Failures are :mod:`console.errors` types with safe messages.
The SDKs are imported lazily (first request), so importing this module costs nothing at start-up.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from console.azure.errors import mapped, mapped_pages
from console.azure.secrets_api import SecretMethods
from console.errors import NotFoundError, ReadOnlyError
from console.models import (
    DirectoryObject,
    LogicApp,
    NetworkRules,
    Permissions,
    ResourceGroup,
    RoleAssignment,
    RoleDefinition,
    SignedIn,
    Subscription,
    UserAssignedIdentity,
    Vault,
    WorkflowIdentity,
    WorkflowRun,
)

if TYPE_CHECKING:
    from console.azure.connection import Connection

__all__ = ["AzureService", "SignedIn"]


class AzureService(SecretMethods):
    """Azure (or the emulator: nothing here can tell) behind one async API.

    ``read_only=True`` refuses every write with :class:`ReadOnlyError` before any request.
    """

    def __init__(self, connection: Connection, *, read_only: bool = False) -> None:
        from console.azure.arm import ArmOps
        from console.azure.secrets import SecretOps

        self.connection = connection
        self.read_only = read_only
        self._arm = ArmOps(connection)
        self._secrets = SecretOps(connection)

    # ---- session ------------------------------------------------------------------------
    @property
    def subscription_ids(self) -> tuple[str, ...]:
        """Subscriptions the connection was scoped to (empty: all that list_subscriptions finds)."""
        return self.connection.subscription_ids

    @property
    def vault_audience(self) -> str:
        """The audience of Key Vault tokens in the signed-in cloud (what actions must ask for)."""
        return self.connection.cloud.vault_audience

    @property
    def client_address_hint(self) -> str | None:
        """This console's public address as Key Vault last reported it, if seen yet.

        Learned from the ``x-ms-keyvault-network-info`` response header or a ForbiddenByFirewall
        message. The firewall wizard's lock-out guard uses it.
        """
        return self.connection.client_address_hint

    @mapped
    async def whoami(self) -> SignedIn:
        """The signed-in principal (object id, tenant, display) as far as the token tells."""
        return await self.connection.whoami()

    @mapped
    async def resolve_principals(self, object_ids: Iterable[str]) -> dict[str, DirectoryObject]:
        """Name principals (Microsoft Graph). Key: lower-cased object id; absent ids are principals
        that no longer exist (orphaned grants)."""
        from console.azure.graph import get_by_ids

        return await get_by_ids(self.connection, object_ids)

    async def close(self) -> None:
        """Close the credential and the shared HTTP session. Safe to call twice."""
        await self.connection.close()

    async def __aenter__(self) -> AzureService:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _check_write(self, what: str) -> None:
        if self.read_only:
            raise ReadOnlyError(
                f"Read-only mode: {what} was not sent. Restart without --read-only to make changes."
            )

    # ---- subscriptions, resource groups ------------------------------------------------
    @mapped
    async def list_subscriptions(self) -> list[Subscription]:
        """Subscriptions visible to the credential (filtered to the connection's, if set)."""
        return await self._arm.list_subscriptions()

    @mapped
    async def list_resource_groups(self, subscription_id: str) -> list[ResourceGroup]:
        return await self._arm.list_resource_groups(subscription_id)

    # ---- vaults -------------------------------------------------------------------------
    @mapped
    async def list_vaults(
        self, subscription_id: str, resource_group: str | None = None
    ) -> list[Vault]:
        """Vaults of a subscription (or one resource group), with policies and network rules."""
        return await self._arm.list_vaults(subscription_id, resource_group)

    @mapped_pages
    def iter_vault_pages(
        self, subscription_id: str, resource_group: str | None = None
    ) -> AsyncIterator[list[Vault]]:
        """Vaults page by page, for a list that fills in progressively."""
        return self._arm.iter_vault_pages(subscription_id, resource_group)

    @mapped
    async def get_vault(self, vault_id: str) -> Vault:
        """One vault by ARM id: access policies, network rules, flags, vaultUri."""
        return await self._arm.get_vault(vault_id)

    def pinned_vault(self, vault_uri: str) -> Vault:
        """A vault known only by its URI (data-plane access, no ARM role). No request is sent."""
        from console.azure.convert import pinned_vault

        return pinned_vault(vault_uri)

    @mapped
    async def add_access_policy(
        self, vault_id: str, object_id: str, permissions: Permissions
    ) -> Vault:
        """Merge *permissions* into *object_id*'s entry (``add``); returns the vault."""
        self._check_write("adding an access policy")
        return await self._arm.update_access_policy(vault_id, "add", object_id, permissions)

    @mapped
    async def replace_access_policy(
        self, vault_id: str, object_id: str, permissions: Permissions
    ) -> Vault:
        """Set *object_id*'s entry to exactly *permissions* (``replace``); returns the vault."""
        self._check_write("replacing an access policy")
        return await self._arm.update_access_policy(vault_id, "replace", object_id, permissions)

    @mapped
    async def remove_access_policy(
        self, vault_id: str, object_id: str, permissions: Permissions | None = None
    ) -> Vault:
        """Remove *permissions* from *object_id*'s entry (``remove``); None: the whole entry."""
        self._check_write("removing an access policy")
        return await self._arm.remove_access_policy(vault_id, object_id, permissions)

    @mapped
    async def update_network_rules(self, vault_id: str, rules: NetworkRules) -> Vault:
        """PATCH the vault's firewall (networkAcls) only; other properties are kept."""
        self._check_write("changing the vault firewall")
        return await self._arm.update_network_rules(vault_id, rules)

    # ---- role assignments ---------------------------------------------------------------
    @mapped
    async def list_role_assignments(self, scope: str) -> list[RoleAssignment]:
        """Assignments that apply at *scope* (at, above and below it), role names resolved."""
        return await self._arm.list_role_assignments(scope)

    @mapped
    async def get_role_definition(self, role_definition_id: str) -> RoleDefinition:
        """A role definition by full id or GUID (cached)."""
        return await self._arm.get_role_definition(role_definition_id)

    @mapped
    async def create_role_assignment(
        self,
        scope: str,
        role_definition_guid: str,
        principal_id: str,
        principal_type: str = "ServicePrincipal",
    ) -> RoleAssignment:
        """Assign a role at *scope*; an identical existing one is returned, not duplicated."""
        self._check_write("creating a role assignment")
        return await self._arm.create_role_assignment(
            scope, role_definition_guid, principal_id, principal_type
        )

    @mapped
    async def delete_role_assignment(self, assignment_id: str) -> None:
        """Delete a role assignment by its full id."""
        self._check_write("deleting a role assignment")
        await self._arm.delete_role_assignment(assignment_id)

    # ---- Logic Apps and identities ------------------------------------------------------
    @mapped
    async def list_logic_apps(
        self, subscription_id: str, resource_group: str | None = None
    ) -> list[LogicApp]:
        return await self._arm.list_logic_apps(subscription_id, resource_group)

    @mapped_pages
    def iter_logic_app_pages(
        self, subscription_id: str, resource_group: str | None = None
    ) -> AsyncIterator[list[LogicApp]]:
        """Logic Apps page by page, for a list that fills in progressively."""
        return self._arm.iter_logic_app_pages(subscription_id, resource_group)

    @mapped
    async def get_logic_app(self, logic_app_id: str) -> LogicApp:
        """One Logic App: identity, outgoing IPs, definition."""
        return await self._arm.get_logic_app(logic_app_id)

    @mapped
    async def get_connector_vault(self, connection_id: str) -> str | None:
        """The vault name a Key Vault API connection is bound to (on the connection resource)."""
        return await self._arm.get_connector_vault(connection_id)

    @mapped
    async def enable_system_identity(
        self, logic_app_id: str, *, replace_user_assigned: bool = False
    ) -> LogicApp:
        """Turn on the system-assigned identity; returns the app with its new principal id.

        A Consumption Logic App holds one identity: if it has a user-assigned one, this raises
        ConflictError unless ``replace_user_assigned=True`` (which drops that identity's access).
        Already system-assigned: returned unchanged, nothing sent.
        """
        self._check_write("enabling the managed identity")
        return await self._arm.enable_system_identity(logic_app_id, replace_user_assigned)

    @mapped
    async def set_identity_none(self, logic_app_id: str) -> LogicApp:
        """Remove the Logic App's managed identity (undo of enable)."""
        self._check_write("removing the managed identity")
        return await self._arm.set_identity(logic_app_id, WorkflowIdentity(type="None"))

    @mapped
    async def restore_identity(self, logic_app_id: str, previous: WorkflowIdentity) -> LogicApp:
        """Put back an identity type (None, SystemAssigned or the same user-assigned one).

        A restored system-assigned identity gets a new principal id: Azure cannot bring one back.
        """
        self._check_write("changing the managed identity")
        return await self._arm.set_identity(logic_app_id, previous)

    @mapped
    async def list_triggers(self, logic_app_id: str) -> list[str]:
        """Names of the workflow's triggers (for "Test run")."""
        from console.azure.runs import list_triggers

        return await list_triggers(self.connection, logic_app_id)

    @mapped
    async def test_run(
        self, logic_app_id: str, trigger: str | None = None, *, timeout: float = 60.0
    ) -> WorkflowRun:
        """Run a trigger (the first one by default), wait for the run and return its actions.

        Runs execute the real workflow (on Azure and in the emulator alike): a write.
        """
        from console.azure.runs import get_run, list_triggers, trigger_run

        self._check_write("running the workflow")
        if trigger is None:
            triggers = await list_triggers(self.connection, logic_app_id)
            if not triggers:
                raise NotFoundError("The workflow has no trigger to run.")
            trigger = triggers[0]
        run_name = await trigger_run(self.connection, logic_app_id, trigger)
        return await get_run(self.connection, logic_app_id, run_name, timeout=timeout)

    # ---- many subscriptions at once (Azure Resource Graph) --------------------------------
    @mapped_pages
    def iter_inventory_pages(self, subscription_ids: Iterable[str]) -> AsyncIterator[Any]:
        """Vaults, Logic Apps and user-assigned identities of all *subscription_ids* with one
        Resource Graph query per 1,000 subscriptions: pages of ``InventoryPage``."""
        from console.azure.resourcegraph import iter_inventory_pages

        return iter_inventory_pages(self.connection, tuple(subscription_ids))

    @mapped_pages
    def iter_resource_group_pages(self, subscription_ids: Iterable[str]) -> AsyncIterator[Any]:
        """The resource groups of all *subscription_ids* with one Resource Graph query per
        1,000 subscriptions (what list_resource_groups returns per subscription)."""
        from console.azure.resourcegraph import iter_resource_group_pages

        return iter_resource_group_pages(self.connection, tuple(subscription_ids))

    @mapped
    async def list_inventory_via_resource_graph(
        self, subscription_ids: Iterable[str]
    ) -> tuple[list[Vault], list[LogicApp]]:
        """All vaults and Logic Apps of *subscription_ids* (what list_vaults and list_logic_apps
        return per subscription), in name order, from Resource Graph."""
        from console.azure.resourcegraph import list_inventory

        return await list_inventory(self.connection, tuple(subscription_ids))

    @mapped
    async def list_user_assigned_identities(
        self, subscription_id: str
    ) -> list[UserAssignedIdentity]:
        return await self._arm.list_user_assigned_identities(subscription_id)


if TYPE_CHECKING:
    from console.ports import VaultService

    def _satisfies_port(service: AzureService) -> VaultService:
        return service  # mypy checks here that the Protocol matches the facade
