"""Microsoft.Web/connections: the managed API connections of Consumption Logic Apps.

A Key Vault connector connection that signs in with the workflow's managed identity keeps the
vault on the connection resource, not in the workflow: ``parameterValueType: "Alternative"`` and
``alternativeParameterValues.vaultName`` (Microsoft Learn, "Authenticate access and connections
with managed identities in Azure Logic Apps", ARM template of a Key Vault connection). The
workflow's ``$connections`` entry only names the connection by ``connectionId``.
[?] ``statuses``/``overallStatus`` of a live connection and the list paging are not confirmed.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator import factories
from emulator.arm.common import Ctx, Router, require_rg, resource_not_found, visible
from emulator.http import AzureHttpError, read_json
from emulator.state import State

CONNECTIONS = "Microsoft.Web/connections"
READ, WRITE = f"{CONNECTIONS}/read", f"{CONNECTIONS}/write"
VERSIONS = frozenset({"2016-06-01", "2018-07-01-preview"})
PATH = r"providers/Microsoft\.Web/connections"


def add_routes(router: Router) -> None:
    rg = "/subscriptions/{sid}/resourcegroups/{rg}"
    router.add("GET", f"{rg}/{PATH}", VERSIONS, list_by_resource_group)
    router.add("GET", f"{rg}/{PATH}/{{name}}", VERSIONS, get_connection)
    router.add("PUT", f"{rg}/{PATH}/{{name}}", VERSIONS, put_connection)


def add_connection(
    state: State,
    subscription_id: str,
    resource_group: str,
    name: str,
    *,
    api: str,
    location: str,
    alternative: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A connection as ARM returns it (a seed helper too)."""
    rid = factories.resource_id(subscription_id, resource_group, CONNECTIONS, name)
    props: dict[str, Any] = {
        "displayName": name,
        "api": {
            "id": f"/subscriptions/{subscription_id}/providers/Microsoft.Web/locations/"
            f"{location}/managedApis/{api}",
            "name": api,
            "type": "Microsoft.Web/locations/managedApis",
        },
        "statuses": [{"status": "Ready"}],
        "overallStatus": "Ready",
        "createdTime": "2026-01-01T00:00:00.0000000Z",
        "changedTime": "2026-01-01T00:00:00.0000000Z",
    }
    if alternative is not None:
        props["parameterValueType"] = "Alternative"
        props["alternativeParameterValues"] = dict(alternative)
    connection = {
        "id": rid,
        "name": name,
        "type": CONNECTIONS,
        "location": location,
        "kind": "V1",
        "properties": props,
    }
    state.connections[rid.lower()] = connection
    return connection


async def list_by_resource_group(ctx: Ctx) -> web.StreamResponse:
    sid, rg = ctx.match["sid"], ctx.match["rg"]
    require_rg(ctx, sid, rg)
    scope = factories.rg_id(sid, rg)
    items = [c for k, c in ctx.state.connections.items() if k.startswith(scope.lower() + "/")]
    return ctx.paged(visible(ctx, scope, items, READ))


async def get_connection(ctx: Ctx) -> web.StreamResponse:
    sid, rg, name = ctx.match["sid"], ctx.match["rg"], ctx.match["name"]
    rid = factories.resource_id(sid, rg, CONNECTIONS, name)
    ctx.authorize(rid, READ)
    require_rg(ctx, sid, rg)
    found = ctx.state.connections.get(rid.lower())
    if found is None:
        raise resource_not_found(CONNECTIONS, name, rg)
    return ctx.json(found)


async def put_connection(ctx: Ctx) -> web.StreamResponse:
    sid, rg, name = ctx.match["sid"], ctx.match["rg"], ctx.match["name"]
    rid = factories.resource_id(sid, rg, CONNECTIONS, name)
    ctx.authorize(rid, WRITE)
    require_rg(ctx, sid, rg)
    body = await read_json(ctx.request)
    props = body.get("properties") or {}
    api_id = str((props.get("api") or {}).get("id") or "")
    if not body.get("location") or not api_id:
        raise AzureHttpError(
            400, "InvalidRequestContent", "The connection needs a location and properties.api.id."
        )  # [?] Azure's wording
    existed = rid.lower() in ctx.state.connections
    connection = add_connection(
        ctx.state,
        sid,
        rg,
        name,
        api=api_id.rstrip("/").rsplit("/", 1)[-1],
        location=body["location"],
        alternative=props.get("alternativeParameterValues"),
    )
    connection["properties"]["api"]["id"] = api_id
    if props.get("displayName"):
        connection["properties"]["displayName"] = props["displayName"]
    return ctx.json(connection, status=200 if existed else 201)
