"""A sliver of Microsoft Graph: resolve object ids to names and kinds (directoryObjects/getByIds).

The console needs it to name the principals in access policies and to spot orphaned ones (a
deleted principal is simply absent from the answer, as in Graph).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from emulator import tokens
from emulator.authz import bearer
from emulator.http import AzureHttpError, json_response, read_json

if TYPE_CHECKING:
    from emulator.server import Emulator

GRAPH_AUDIENCES = ("https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000")
ODATA_TYPES = {
    "User": "#microsoft.graph.user",
    "ServicePrincipal": "#microsoft.graph.servicePrincipal",
    "ManagedIdentity": "#microsoft.graph.servicePrincipal",
}


def register(app: web.Application, emu: Emulator) -> None:
    async def get_by_ids(request: web.Request) -> web.Response:
        token = bearer(request)
        try:
            if not token:
                raise tokens.TokenError("missing")
            # The emulator's own origin too: a cloud registered from its metadata (`az cloud
            # register`) names the emulator as its Graph resource, so tokens carry that audience.
            audiences = (*GRAPH_AUDIENCES, emu.base_url)
            tokens.verify(bytes.fromhex(emu.state.signing_key), token, audiences=audiences)
        except tokens.TokenError as exc:
            raise AzureHttpError(
                401, "InvalidAuthenticationToken", "Access token is empty or invalid."
            ) from exc
        body = await read_json(request)
        ids = body.get("ids")
        if not isinstance(ids, list) or len(ids) > 1000:
            raise AzureHttpError(
                400, "Request_BadRequest", "Invalid value specified for property 'ids'."
            )
        found = []
        for object_id in ids:
            principal = emu.state.principals.get(str(object_id))
            if principal is None or principal.deleted:
                continue
            item = {
                "@odata.type": ODATA_TYPES.get(principal.kind, "#microsoft.graph.directoryObject"),
                "id": principal.object_id,
                "displayName": principal.display_name,
            }
            if principal.kind == "User":
                item["userPrincipalName"] = principal.display_name
            else:
                item["appId"] = principal.app_id
                item["servicePrincipalType"] = (
                    "ManagedIdentity" if principal.kind == "ManagedIdentity" else "Application"
                )
            found.append(item)
        return json_response(
            request,
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects",
                "value": found,
            },
        )

    app.router.add_post("/v1.0/directoryObjects/getByIds", get_by_ids)
