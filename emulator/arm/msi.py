"""Microsoft.ManagedIdentity/userAssignedIdentities: list, get, create."""

from __future__ import annotations

from aiohttp import web

from emulator import factories
from emulator.arm.common import (
    MSI_VERSIONS,
    Ctx,
    Router,
    require_rg,
    require_subscription,
    resource_not_found,
    visible,
)
from emulator.http import AzureHttpError, read_json

IDENTITIES = factories.IDENTITIES
READ, WRITE = f"{IDENTITIES}/read", f"{IDENTITIES}/write"
MI = r"providers/Microsoft\.ManagedIdentity/userAssignedIdentities"


def add_routes(router: Router) -> None:
    v = MSI_VERSIONS
    sub = "/subscriptions/{sid}"
    one = f"{sub}/resourcegroups/{{rg}}/{MI}/{{name}}"
    router.add("GET", f"{sub}/{MI}", v, list_by_subscription)
    router.add("GET", f"{sub}/resourcegroups/{{rg}}/{MI}", v, list_by_resource_group)
    router.add("GET", one, v, get_identity)
    router.add("PUT", one, v, put_identity)


async def list_by_subscription(ctx: Ctx) -> web.StreamResponse:
    sid = ctx.match["sid"]
    require_subscription(ctx, sid)
    prefix = f"/subscriptions/{sid}/".lower()
    items = [i for k, i in ctx.state.identities.items() if k.startswith(prefix)]
    return ctx.paged(visible(ctx, f"/subscriptions/{sid}", items, READ))


async def list_by_resource_group(ctx: Ctx) -> web.StreamResponse:
    sid, rg = ctx.match["sid"], ctx.match["rg"]
    require_rg(ctx, sid, rg)
    scope = factories.rg_id(sid, rg)
    items = [i for k, i in ctx.state.identities.items() if k.startswith(scope.lower() + "/")]
    return ctx.paged(visible(ctx, scope, items, READ))


def _ids(ctx: Ctx) -> tuple[str, str, str, str]:
    sid, rg, name = ctx.match["sid"], ctx.match["rg"], ctx.match["name"]
    return sid, rg, name, factories.resource_id(sid, rg, IDENTITIES, name)


async def get_identity(ctx: Ctx) -> web.StreamResponse:
    sid, rg, name, rid = _ids(ctx)
    ctx.authorize(rid, READ)
    require_rg(ctx, sid, rg)
    found = ctx.state.identities.get(rid.lower())
    if found is None:
        raise resource_not_found(IDENTITIES, name, rg)
    return ctx.json(found)


async def put_identity(ctx: Ctx) -> web.StreamResponse:
    sid, rg, name, rid = _ids(ctx)
    ctx.authorize(rid, WRITE)
    require_rg(ctx, sid, rg)
    body = await read_json(ctx.request)
    if not body.get("location"):
        raise AzureHttpError(
            400, "LocationRequired", "The location property is required for this definition."
        )
    existing = ctx.state.identities.get(rid.lower())
    uai = factories.add_user_identity(
        ctx.state,
        sid,
        rg,
        name,
        location=body["location"],
        tags=body.get("tags"),
        existing=existing,
    )
    return ctx.json(uai, 200 if existing is not None else 201)
