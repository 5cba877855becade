"""Vaults, Logic Apps and user-assigned identities of many subscriptions with one Azure Resource
Graph query.

One query per 1,000 subscriptions (Azure's limit per request) instead of three list calls per
subscription; pages of up to 1,000 rows follow ``$skipToken``. Rows carry the same ``properties``
as the ARM lists, so they go through the same SDK models and converters: the results equal the
per-subscription listing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from console.azure import convert
from console.azure.connection import Connection
from console.models import LogicApp, ResourceGroup, UserAssignedIdentity, Vault

VAULT_TYPE = "microsoft.keyvault/vaults"
WORKFLOW_TYPE = "microsoft.logic/workflows"
IDENTITY_TYPE = "microsoft.managedidentity/userassignedidentities"
QUERY = (
    f"Resources | where type in~ ('{VAULT_TYPE}', '{WORKFLOW_TYPE}', '{IDENTITY_TYPE}') "
    "| project id, name, type, location, tags, properties, identity "
    "| order by name asc, id asc"
)  # a stable order: Azure pages with $skipToken only over an ordered result
GROUPS_QUERY = (
    "ResourceContainers | where type =~ 'microsoft.resources/subscriptions/resourcegroups' "
    "| project id, name, location | order by name asc, id asc"
)
SUBSCRIPTIONS_PER_QUERY = 1000
ROWS_PER_PAGE = 1000  # the largest $top Azure accepts


@dataclass(frozen=True)
class InventoryPage:
    """One page of the query: its vaults, Logic Apps and identities, in the query's (name) order."""

    vaults: list[Vault] = field(default_factory=list)
    logic_apps: list[LogicApp] = field(default_factory=list)
    identities: list[UserAssignedIdentity] = field(default_factory=list)


def _client(conn: Connection) -> Any:
    from azure.mgmt.resourcegraph.aio import ResourceGraphClient

    # Connection caches (and closes) every management client; Resource Graph is tenant-wide.
    return conn._mgmt("resourcegraph", "", lambda **kw: ResourceGraphClient(conn.credential, **kw))


def _page(rows: list[dict[str, Any]]) -> InventoryPage:
    # Rows are ARM's JSON already: build our models straight from it (no SDK model first).
    page = InventoryPage()
    for row in rows:
        kind = str(row.get("type", "")).lower()
        if kind == VAULT_TYPE:
            page.vaults.append(convert.vault_json(row))
        elif kind == WORKFLOW_TYPE:
            page.logic_apps.append(convert.logic_app_json(row))
        elif kind == IDENTITY_TYPE:
            page.identities.append(convert.user_assigned_identity_json(row))
    return page


async def _row_pages(
    conn: Connection, subscription_ids: Sequence[str], query: str
) -> AsyncIterator[list[dict[str, Any]]]:
    """The rows of *query* over *subscription_ids*, a page at a time (batches of 1,000
    subscriptions, pages following $skipToken)."""
    from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

    client = _client(conn)
    subs = list(dict.fromkeys(subscription_ids))
    for start in range(0, len(subs), SUBSCRIPTIONS_PER_QUERY):
        batch = subs[start : start + SUBSCRIPTIONS_PER_QUERY]
        token: str | None = None
        while True:
            options = QueryRequestOptions(
                top=ROWS_PER_PAGE, skip_token=token, result_format="objectArray"
            )
            response = await client.resources(
                QueryRequest(subscriptions=batch, query=query, options=options)
            )
            yield list(response.data or ())
            token = response.skip_token
            if not token:
                break


async def iter_inventory_pages(
    conn: Connection, subscription_ids: Sequence[str]
) -> AsyncIterator[InventoryPage]:
    """Pages of vaults, Logic Apps and identities the caller may read in *subscription_ids*."""
    async for rows in _row_pages(conn, subscription_ids, QUERY):
        yield _page(rows)


async def iter_resource_group_pages(
    conn: Connection, subscription_ids: Sequence[str]
) -> AsyncIterator[list[ResourceGroup]]:
    """Pages of the resource groups the caller may read in *subscription_ids*."""
    async for rows in _row_pages(conn, subscription_ids, GROUPS_QUERY):
        yield [convert.resource_group_json(row) for row in rows]


async def list_inventory(
    conn: Connection, subscription_ids: Sequence[str]
) -> tuple[list[Vault], list[LogicApp]]:
    vaults: list[Vault] = []
    logic_apps: list[LogicApp] = []
    async for page in iter_inventory_pages(conn, subscription_ids):
        vaults.extend(page.vaults)
        logic_apps.extend(page.logic_apps)
    return vaults, logic_apps
