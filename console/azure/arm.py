"""Management-plane operations (ARM) on the official .aio clients; results are frozen models."""

from __future__ import annotations

import asyncio
import importlib
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

from console.azure import access_policies, convert, workflow_json
from console.azure.connection import Connection
from console.azure.json_pages import json_pages
from console.errors import ConflictError, NotFoundError
from console.models import (
    LogicApp,
    NetworkRules,
    Permissions,
    ResourceGroup,
    RoleAssignment,
    RoleDefinition,
    Subscription,
    UserAssignedIdentity,
    Vault,
    WorkflowIdentity,
    parse_resource_id,
)

T = TypeVar("T")
FAN_OUT = 8  # concurrent requests when one view needs many look-ups


# What a session's first minute of requests imports (Connection builds these clients lazily).
SDK_MODULES = (
    "aiohttp",
    "azure.core.pipeline.transport",
    "azure.identity.aio",
    "azure.mgmt.resource.subscriptions.aio",
    "azure.mgmt.resource.resources.aio",
    "azure.mgmt.keyvault.aio",
    "azure.mgmt.logic.aio",
    "azure.mgmt.authorization.aio",
    "azure.mgmt.msi.aio",
    "azure.keyvault.secrets.aio",
    "console.azure.secrets",
    "console.azure.retry",
)


def preload_sdk() -> None:
    """Import the SDK modules up front, so a UI can pay for them in a thread rather than at the
    first request on its event loop. A module missing here is simply imported later."""
    for name in SDK_MODULES:
        importlib.import_module(name)


def _vault_parts(vault_id: str) -> tuple[str, str, str]:
    parts = parse_resource_id(vault_id)
    try:
        return parts["subscriptions"], parts["resourcegroups"], parts["vaults"]
    except KeyError:
        raise NotFoundError(f"'{vault_id}' is not a Key Vault resource id.") from None


def _workflow_parts(workflow_id: str) -> tuple[str, str, str]:
    parts = parse_resource_id(workflow_id)
    try:
        return parts["subscriptions"], parts["resourcegroups"], parts["workflows"]
    except KeyError:
        raise NotFoundError(f"'{workflow_id}' is not a Logic App resource id.") from None


async def _pages(paged: Any, conv: Callable[[Any], T]) -> AsyncIterator[list[T]]:
    async for page in paged.by_page():
        yield [conv(item) async for item in page]


def _same(item: T) -> T:
    return item


def _arm_json_pages(
    client: Any, path: str, conv: Callable[[Any], T]
) -> AsyncIterator[list[T]] | None:
    """An ARM list as JSON pages (`json_pages`) at the client's own API version: the SDK's pager
    decoded every vault into its models first, the biggest CPU cost of a 1,000-vault inventory,
    in 25 ms blocks that stalled the UI. None when the client does not say its API version (ARM
    clients do not add it to a request themselves); then the SDK pager is used."""
    api_version = getattr(getattr(client, "_config", None), "api_version", None)
    if not isinstance(api_version, str) or not hasattr(client, "send_request"):
        return None
    return json_pages(client, f"{path}?api-version={api_version}", conv)


class _JsonListDeserializer:
    """Stands in for the logic client's msrest deserializer: a workflow list page comes back as
    Azure's JSON items (msrest would build a Workflow per item that we then read field by field);
    everything else, error bodies included, goes to the SDK's own deserializer."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __call__(self, target: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        if target == "WorkflowListResult":
            body = self._real._unpack_content(response) or {}
            return _JsonPage(body.get("value") or [], body.get("nextLink"))
        return self._real(target, response, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # failsafe_deserialize and the rest
        return getattr(self._real, name)


class _JsonPage:
    def __init__(self, value: list[Any], next_link: str | None) -> None:
        self.value, self.next_link = value, next_link


def _json_list_pages(workflows: Any) -> Any:
    """A twin of the client's workflows operations whose list pages are JSON items; the
    operations themselves if this msrest-generated shape is not there (items are then models,
    which convert.logic_app_item also takes)."""
    real = getattr(workflows, "_deserialize", None)
    if not hasattr(real, "_unpack_content"):
        return workflows
    try:
        return type(workflows)(
            workflows._client, workflows._config, workflows._serialize, _JsonListDeserializer(real)
        )
    except (AttributeError, TypeError):
        return workflows


class ArmOps:
    def __init__(self, connection: Connection) -> None:
        self.conn = connection
        self._role_defs: dict[str, RoleDefinition] = {}  # by lower-cased role GUID
        self._gate = asyncio.Semaphore(FAN_OUT)

    def _sub_for(self, resource_id: str) -> str:
        sub = parse_resource_id(resource_id).get("subscriptions")
        return sub or (self.conn.subscription_ids[0] if self.conn.subscription_ids else "")

    # ---- subscriptions and groups ---------------------------------------------------------
    async def list_subscriptions(self) -> list[Subscription]:
        client = self.conn.subscription_client()
        subs = [convert.subscription(s) async for s in client.subscriptions.list()]
        wanted = {s.lower() for s in self.conn.subscription_ids}
        return [s for s in subs if not wanted or s.subscription_id.lower() in wanted]

    async def list_resource_groups(self, subscription_id: str) -> list[ResourceGroup]:
        client = self.conn.resource_client(subscription_id)
        return [convert.resource_group(rg) async for rg in client.resource_groups.list()]

    # ---- vaults ---------------------------------------------------------------------------
    def iter_vault_pages(self, sub: str, resource_group: str | None) -> AsyncIterator[list[Vault]]:
        client = self.conn.keyvault_client(sub)
        # list_by_*: vaults.list() goes through the generic resources API and loses properties
        scope = f"/subscriptions/{quote(sub, safe='')}"
        if resource_group:  # names may hold parentheses, dots, non-ASCII letters
            scope += f"/resourceGroups/{quote(resource_group, safe='')}"
        raw = _arm_json_pages(
            client, f"{scope}/providers/Microsoft.KeyVault/vaults", convert.vault_json
        )
        if raw is not None:
            return raw
        vaults = client.vaults
        conv = {"cls": lambda items: [convert.vault_item(v) for v in items]}
        paged = (
            vaults.list_by_resource_group(resource_group, **conv)
            if resource_group
            else vaults.list_by_subscription(**conv)
        )
        return _pages(paged, _same)

    async def list_vaults(self, sub: str, resource_group: str | None) -> list[Vault]:
        return [v async for page in self.iter_vault_pages(sub, resource_group) for v in page]

    async def get_vault(self, vault_id: str) -> Vault:
        sub, rg, name = _vault_parts(vault_id)
        return convert.vault(await self.conn.keyvault_client(sub).vaults.get(rg, name))

    async def update_access_policy(
        self, vault_id: str, kind: str, object_id: str, permissions: Permissions
    ) -> Vault:
        """add / replace / remove *permissions* of *object_id*, then re-read the vault: Azure
        answers 200 even when nothing changed (remove matches names case-sensitively), so
        success is what the re-read shows, never the answer alone."""
        from azure.mgmt.keyvault import models

        sub, rg, name = _vault_parts(vault_id)
        current = await self.get_vault(vault_id)
        if kind == "remove":
            permissions = access_policies.stored_names(
                access_policies.entry_of(current, object_id), permissions
            )
            if permissions.is_empty():
                return current  # none of them held: already in the wanted state
        entry = models.AccessPolicyEntry(
            tenant_id=current.tenant_id,
            object_id=object_id,
            permissions=convert.sdk_permissions(permissions),
        )
        body = models.VaultAccessPolicyParameters(
            properties=models.VaultAccessPolicyProperties(access_policies=[entry])
        )
        # The service's add/replace/remove merge per objectId: no whole-vault PUT, so a
        # concurrent change to another entry is never overwritten.
        await self.conn.keyvault_client(sub).vaults.update_access_policy(rg, name, kind, body)
        after = await self.get_vault(vault_id)
        access_policies.require_applied(after, kind, object_id, permissions)
        return after

    async def remove_access_policy(
        self, vault_id: str, object_id: str, permissions: Permissions | None
    ) -> Vault:
        if permissions is None:
            current = await self.get_vault(vault_id)
            entry = access_policies.entry_of(current, object_id)
            if entry is None:
                return current  # nothing to remove: already in the wanted state
            permissions = entry.permissions
        return await self.update_access_policy(vault_id, "remove", object_id, permissions)

    async def update_network_rules(self, vault_id: str, rules: NetworkRules) -> Vault:
        from azure.mgmt.keyvault import models

        sub, rg, name = _vault_parts(vault_id)
        patch = models.VaultPatchParameters(
            properties=models.VaultPatchProperties(network_acls=convert.sdk_network_rules(rules))
        )
        return convert.vault(await self.conn.keyvault_client(sub).vaults.update(rg, name, patch))

    # ---- role assignments -------------------------------------------------------------------
    async def get_role_definition(self, role_definition_id: str) -> RoleDefinition:
        guid = role_definition_id.rstrip("/").rsplit("/", 1)[-1].lower()
        if guid not in self._role_defs:
            sub = self._sub_for("")
            # A bare GUID: the subscription's copy, or the tenant-level one (built-in roles are
            # served at /providers/Microsoft.Authorization/roleDefinitions/{id} too).
            scope = f"/subscriptions/{sub}" if sub else ""
            full = (
                role_definition_id
                if "/" in role_definition_id
                else f"{scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}"
            )
            client = self.conn.authorization_client(self._sub_for(full))
            async with self._gate:
                rd = await client.role_definitions.get_by_id(full)
            self._role_defs[guid] = convert.role_definition(rd)
        return self._role_defs[guid]

    async def _role_name(self, role_definition_id: str) -> str:
        try:
            return (await self.get_role_definition(role_definition_id)).role_name
        except Exception:  # noqa: BLE001 - a name we cannot read is shown as the GUID
            return ""

    async def list_role_assignments(self, scope: str) -> list[RoleAssignment]:
        client = self.conn.authorization_client(self._sub_for(scope))
        raw = [ra async for ra in client.role_assignments.list_for_scope(scope)]
        names = await asyncio.gather(*(self._role_name(ra.role_definition_id) for ra in raw))
        return [convert.role_assignment(ra, n) for ra, n in zip(raw, names, strict=True)]

    async def _find_assignment(
        self, scope: str, role_guid: str, principal_id: str
    ) -> RoleAssignment | None:
        for ra in await self.list_role_assignments(scope):
            same_role = ra.role_definition_id.rstrip("/").lower().endswith(role_guid.lower())
            if (
                same_role
                and ra.principal_id.lower() == principal_id.lower()
                and ra.scope.rstrip("/").lower() == scope.rstrip("/").lower()
            ):
                return ra
        return None

    async def create_role_assignment(
        self, scope: str, role_guid: str, principal_id: str, principal_type: str
    ) -> RoleAssignment:
        existing = await self._find_assignment(scope, role_guid, principal_id)
        if existing is not None:
            return existing
        from azure.core.exceptions import ResourceExistsError
        from azure.mgmt.authorization.v2022_04_01.models import RoleAssignmentCreateParameters

        sub = self._sub_for(scope)
        params = RoleAssignmentCreateParameters(
            role_definition_id=(
                f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}"
            ),
            principal_id=principal_id,
            principal_type=principal_type,
        )
        client = self.conn.authorization_client(sub)
        try:
            ra = await client.role_assignments.create(scope, str(uuid.uuid4()), params)
        except ResourceExistsError:  # created meanwhile by someone else: return theirs
            found = await self._find_assignment(scope, role_guid, principal_id)
            if found is None:
                raise
            return found
        return convert.role_assignment(ra, await self._role_name(ra.role_definition_id))

    async def delete_role_assignment(self, assignment_id: str) -> None:
        client = self.conn.authorization_client(self._sub_for(assignment_id))
        await client.role_assignments.delete_by_id(assignment_id)

    # ---- Logic Apps and identities -----------------------------------------------------------
    def iter_logic_app_pages(
        self, sub: str, resource_group: str | None
    ) -> AsyncIterator[list[LogicApp]]:
        workflows = _json_list_pages(self.conn.logic_client(sub).workflows)
        conv = {"cls": lambda items: [convert.logic_app_item(w) for w in items]}
        paged = (
            workflows.list_by_resource_group(resource_group, **conv)
            if resource_group
            else workflows.list_by_subscription(**conv)
        )
        return _pages(paged, _same)

    async def list_logic_apps(self, sub: str, resource_group: str | None) -> list[LogicApp]:
        return [a async for page in self.iter_logic_app_pages(sub, resource_group) for a in page]

    async def get_logic_app(self, logic_app_id: str) -> LogicApp:
        sub, rg, name = _workflow_parts(logic_app_id)
        return convert.logic_app(await self.conn.logic_client(sub).workflows.get(rg, name))

    async def _put_identity(
        self, logic_app_id: str, change: Callable[[Mapping[str, Any]], dict[str, Any] | None]
    ) -> LogicApp:
        """GET the workflow as Azure's JSON, set the identity *change* returns (None: nothing to
        do) and PUT that JSON back (workflows.update sends a PATCH without body). The SDK's
        Workflow model would drop what it does not know (runtimeConfiguration: run-history
        retention, operationOptions) and properties added later; the JSON keeps them all."""
        sub, rg, name = _workflow_parts(logic_app_id)
        client = self.conn.logic_client(sub)
        url = (
            f"/subscriptions/{quote(sub, safe='')}/resourceGroups/{quote(rg, safe='')}"
            f"/providers/Microsoft.Logic/workflows/{quote(name, safe='')}"
            f"?api-version={client._config.api_version}"
        )
        workflow = await workflow_json.send(client, "GET", url)
        identity = change(workflow.get("identity") or {"type": "None"})
        if identity is None:
            return convert.logic_app_json(workflow)
        workflow_json.refuse_lost_secure_parameters(workflow)
        body = workflow_json.put_body(workflow, identity)
        return convert.logic_app_json(await workflow_json.send(client, "PUT", url, body))

    async def get_connector_vault(self, connection_id: str) -> str | None:
        """The vault a managed Key Vault connection (Microsoft.Web/connections) is bound to:
        ``alternativeParameterValues.vaultName`` (managed identity) or ``parameterValues``'s
        ``vaultName`` (older connections); None when it names none."""
        sub = parse_resource_id(connection_id).get("subscriptions") or self._sub_for("")
        client = self.conn.logic_client(sub)  # any ARM client's pipeline will do
        path = "/".join(quote(part, safe="") for part in connection_id.strip("/").split("/"))
        body = await workflow_json.send(client, "GET", f"/{path}?api-version=2016-06-01")
        props = body.get("properties") or {}
        for key in ("alternativeParameterValues", "parameterValues"):
            name = (props.get(key) or {}).get("vaultName")
            if isinstance(name, str) and name:
                return name
        return None

    async def enable_system_identity(self, logic_app_id: str, replace_user: bool) -> LogicApp:
        def change(identity: Mapping[str, Any]) -> dict[str, Any] | None:
            current = convert.identity_json(identity)
            if current.type == "SystemAssigned":
                return None
            if current.type == "UserAssigned" and not replace_user:
                names = ", ".join(r.resource_id.rsplit("/", 1)[-1] for r in current.user_assigned)
                app_name = logic_app_id.rstrip("/").rsplit("/", 1)[-1]
                raise ConflictError(
                    f"Logic App '{app_name}' already uses the user-assigned identity "
                    f"{names}; a Consumption Logic App holds only one identity. Grant that "
                    "identity access instead, or switch to system-assigned (the user-assigned "
                    "identity's access is then lost to this app).",
                    code="SingleIdentity",
                )
            return {"type": "SystemAssigned"}

        return await self._put_identity(logic_app_id, change)

    async def set_identity(self, logic_app_id: str, identity: WorkflowIdentity) -> LogicApp:
        def change(_: Mapping[str, Any]) -> dict[str, Any]:
            if identity.type == "UserAssigned":
                refs: dict[str, Any] = {r.resource_id: {} for r in identity.user_assigned}
                return {"type": "UserAssigned", "userAssignedIdentities": refs}
            return {"type": identity.type or "None"}

        return await self._put_identity(logic_app_id, change)

    async def list_user_assigned_identities(self, sub: str) -> list[UserAssignedIdentity]:
        identities = self.conn.msi_client(sub).user_assigned_identities
        return [convert.user_assigned_identity(i) async for i in identities.list_by_subscription()]
