"""Microsoft.KeyVault/managedHSMs: the emulator has none, but lists them (empty) as Azure would.

`az keyvault list` lists vaults and managed HSMs together (it swallows a failing HSM list, so the
vaults still show); `az keyvault list --resource-type hsm` shows the error, so it gets the empty
list Azure gives a subscription without HSMs.
"""

from __future__ import annotations

from aiohttp import web

from emulator import factories
from emulator.arm.common import KEYVAULT_VERSIONS, Ctx, Router, require_rg, require_subscription
from emulator.arm.common import visible as visible_items

HSMS = "Microsoft.KeyVault/managedHSMs"
KV = r"providers/Microsoft\.KeyVault"


def add_routes(router: Router) -> None:
    sub = "/subscriptions/{sid}"
    router.add("GET", f"{sub}/{KV}/managedHSMs", KEYVAULT_VERSIONS, list_hsms)
    router.add("GET", f"{sub}/resourcegroups/{{rg}}/{KV}/managedHSMs", KEYVAULT_VERSIONS, list_hsms)


async def list_hsms(ctx: Ctx) -> web.StreamResponse:
    sid, rg = ctx.match["sid"], ctx.match.get("rg")
    if rg:
        require_rg(ctx, sid, rg)
    else:
        require_subscription(ctx, sid)
    scope = factories.rg_id(sid, rg) if rg else f"/subscriptions/{sid}"
    return ctx.paged(visible_items(ctx, scope, [], f"{HSMS}/read"))
