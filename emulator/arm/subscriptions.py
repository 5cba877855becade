"""Subscriptions, tenants and resource groups (the generic resources list: resources.py)."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from emulator import factories
from emulator.arm.common import (
    RESOURCES_VERSIONS,
    RG_READ,
    RG_WRITE,
    Ctx,
    Router,
    has_any_role_within,
    require_rg,
    require_subscription,
    subscription_not_found,
    visible,
)
from emulator.http import AzureHttpError, read_json


def add_routes(router: Router) -> None:
    v = RESOURCES_VERSIONS
    router.add("GET", "/subscriptions", v, list_subscriptions)
    router.add("GET", "/subscriptions/{sid}", v, get_subscription)
    router.add("GET", "/tenants", v, list_tenants)
    router.add("GET", "/subscriptions/{sid}/resourcegroups", v, list_rgs)
    router.add("GET", "/subscriptions/{sid}/resourcegroups/{rg}", v, get_rg)
    router.add("HEAD", "/subscriptions/{sid}/resourcegroups/{rg}", v, head_rg)
    router.add("PUT", "/subscriptions/{sid}/resourcegroups/{rg}", v, put_rg)


def _visible_subscriptions(ctx: Ctx) -> list[dict[str, Any]]:
    """As Azure: only subscriptions where the caller holds some role (at, above or below)."""
    return [
        sub
        for sub in ctx.state.subscriptions.values()
        if has_any_role_within(ctx.state, ctx.caller.object_id, sub["id"])
    ]


async def list_subscriptions(ctx: Ctx) -> web.StreamResponse:
    return ctx.paged(_visible_subscriptions(ctx))


async def get_subscription(ctx: Ctx) -> web.StreamResponse:
    sid = ctx.match["sid"].lower()
    for sub in _visible_subscriptions(ctx):
        if sub["subscriptionId"].lower() == sid:
            return ctx.json(sub)
    raise subscription_not_found(ctx.match["sid"])


async def list_tenants(ctx: Ctx) -> web.StreamResponse:
    tid = ctx.state.tenant_id
    return ctx.paged(
        [
            {
                "id": f"/tenants/{tid}",
                "tenantId": tid,
                "tenantCategory": "Home",
                "country": "NL",
                "countryCode": "NL",
                "displayName": "Contoso (emulated)",
                "domains": ["contoso.example"],
                "defaultDomain": "contoso.example",
                "tenantType": "AAD",
            }
        ]
    )


def _rgs_of(ctx: Ctx, sid: str) -> list[dict[str, Any]]:
    prefix = f"/subscriptions/{sid}/resourcegroups/".lower()
    return [rg for key, rg in ctx.state.resource_groups.items() if key.startswith(prefix)]


async def list_rgs(ctx: Ctx) -> web.StreamResponse:
    sid = ctx.match["sid"]
    require_subscription(ctx, sid)
    return ctx.paged(
        visible(ctx, f"/subscriptions/{sid}", _rgs_of(ctx, sid), RG_READ), top_param=True
    )


async def get_rg(ctx: Ctx) -> web.StreamResponse:
    sid, rg = ctx.match["sid"], ctx.match["rg"]
    ctx.authorize(factories.rg_id(sid, rg), RG_READ)
    return ctx.json(require_rg(ctx, sid, rg))


async def head_rg(ctx: Ctx) -> web.StreamResponse:
    sid, rg = ctx.match["sid"], ctx.match["rg"]
    ctx.authorize(factories.rg_id(sid, rg), RG_READ)
    require_subscription(ctx, sid)
    exists = factories.rg_id(sid, rg).lower() in ctx.state.resource_groups
    return ctx.empty(204 if exists else 404)


_RG_NAME = re.compile(r"^[-\w._()]{1,90}$")


async def put_rg(ctx: Ctx) -> web.StreamResponse:
    sid, rg = ctx.match["sid"], ctx.match["rg"]
    ctx.authorize(factories.rg_id(sid, rg), RG_WRITE)
    require_subscription(ctx, sid)
    if not _RG_NAME.match(rg) or rg.endswith("."):
        raise AzureHttpError(
            400,
            "InvalidResourceGroupNameFormat",
            "The resource group name is invalid. It can contain letters, digits, underscores, "
            "periods, parentheses and hyphens, up to 90 characters, and cannot end in a period.",
        )
    body = await read_json(ctx.request)
    existing = ctx.state.resource_groups.get(factories.rg_id(sid, rg).lower())
    if existing is not None:
        if "tags" in body:
            existing["tags"] = body["tags"] or {}
        return ctx.json(existing, 200)
    if not body.get("location"):
        raise AzureHttpError(
            400, "LocationRequired", "The location property is required for this definition."
        )
    created = factories.add_resource_group(ctx.state, sid, rg, body["location"])
    if body.get("tags"):
        created["tags"] = body["tags"]
    return ctx.json(created, 201)
