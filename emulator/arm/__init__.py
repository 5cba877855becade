"""Azure Resource Manager routes of the emulator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from emulator import authz, http
from emulator.arm import (
    authorization,
    keyvault,
    logic,
    managed_hsm,
    metadata,
    msi,
    resourcegraph,
    resources,
    runs,
    subscriptions,
    web_connections,
)
from emulator.arm.common import Ctx, Router, arm_headers, normalise_path
from emulator.http import AzureHttpError

if TYPE_CHECKING:
    from emulator.server import Emulator


def build_router() -> Router:
    router = Router()
    for module in (
        subscriptions,
        resources,
        keyvault,
        managed_hsm,
        logic,
        msi,
        authorization,
        runs,
        resourcegraph,
        web_connections,
    ):
        module.add_routes(router)
    return router


def register(app: web.Application, emu: Emulator) -> None:
    """Add every ARM route to *app*: one catch-all that answers Azure's way, even for 404s."""
    router = build_router()

    async def dispatch(request: web.Request) -> web.StreamResponse:
        extra = arm_headers(request)
        path = normalise_path(request.path)
        if request.method == "GET" and path.lower() == metadata.PATH:  # anonymous, as on Azure
            return await metadata.endpoints(request, emu)
        try:
            caller = authz.arm_caller(emu.state, request)
            route, match = router.resolve(request.method, path)
            version = http.require_api_version(request, set(route.versions))
            ctx = Ctx(request, emu, caller, match, version, headers=extra)
            return await route.handler(ctx)
        except AzureHttpError as exc:
            for key, value in {**http.request_headers(request), **extra}.items():
                exc.headers.setdefault(key, value)
            raise

    app.router.add_route("*", "/{tail:.*}", dispatch)
