"""The token endpoint: OpenID discovery and client credentials, per tenant."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from aiohttp import web

from emulator import tokens

if TYPE_CHECKING:
    from emulator.server import Emulator


def _oauth_error(status: int, error: str, description: str) -> web.Response:
    return web.json_response(
        {"error": error, "error_description": description, "error_codes": [700016]},
        status=status,
    )


def register(app: web.Application, emu: Emulator) -> None:
    async def discovery(request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        base = f"{emu.base_url}/{tenant}"
        return web.json_response(
            {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "issuer": f"{base}/v2.0",
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "response_types_supported": ["code", "id_token", "code id_token", "token id_token"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "client_secret_basic",
                ],
                "tenant_region_scope": "NA",
            }
        )

    async def token(request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        form = await request.post()
        state = emu.state
        if tenant.lower() not in (state.tenant_id.lower(), "organizations", "common"):
            return _oauth_error(
                400, "invalid_request", f"AADSTS90002: Tenant '{tenant}' not found."
            )
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(
                400,
                "unsupported_grant_type",
                "AADSTS70003: The emulator supports client_credentials only.",
            )
        client_id = str(form.get("client_id", ""))
        principal = state.principal_by_app_id(client_id)
        if principal is None:
            return _oauth_error(
                400,
                "unauthorized_client",
                f"AADSTS700016: Application with identifier '{client_id}' was not found in the "
                f"directory '{state.tenant_id}'.",
            )
        if not principal.client_secret or form.get("client_secret") != principal.client_secret:
            return _oauth_error(
                401,
                "invalid_client",
                "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in "
                "the "
                f"request is the client secret value, not the client secret ID, for a secret added "
                f"to app '{client_id}'.",
            )
        scope = str(form.get("scope", "")).split()[0] if form.get("scope") else ""
        audience = scope.removesuffix("/.default").rstrip("/")
        access_token, expires = tokens.issue(
            bytes.fromhex(state.signing_key),
            object_id=principal.object_id,
            tenant_id=state.tenant_id,
            app_id=principal.app_id,
            audience=audience,
            lifetime=emu.token_lifetime,
        )
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": expires - int(time.time()),
                "ext_expires_in": emu.token_lifetime,
                "access_token": access_token,
            }
        )

    app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", discovery)
    app.router.add_get("/{tenant}/.well-known/openid-configuration", discovery)
    app.router.add_post("/{tenant}/oauth2/v2.0/token", token)
