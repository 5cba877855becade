"""One connection: credential, cloud endpoints, subscriptions and ONE shared HTTPS session.

Built for Azure or for the embedded emulator; nothing above this object can tell which. Clients
are created on first use (inside the running event loop) and cached; the SDKs are imported then.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from console.clouds import AZURE_PUBLIC, Cloud, emulator_cloud
from console.masked import MaskedValue
from console.models import SignedIn

DeviceCodePrompt = Callable[[str, str, Any], None]  # (verification_uri, user_code, expires_on)
_NETWORK_INFO_ADDR = re.compile(r"addr=([0-9A-Fa-f.:]+)")


class Connection:
    """Use :meth:`for_emulator` or :meth:`for_azure`; call :meth:`close` when done."""

    def __init__(
        self,
        cloud: Cloud,
        credential_factory: Callable[[Any], Any],
        *,
        ca_path: Path | None = None,
        subscription_ids: tuple[str, ...] = (),
        relaxed_challenge: bool = False,
        client_options: dict[str, Any] | None = None,
    ) -> None:
        self.cloud = cloud
        self.subscription_ids = tuple(subscription_ids)
        self.client_address_hint: str | None = None
        self._credential_factory = credential_factory  # transport -> async credential
        self._ca_path = ca_path
        self._relaxed_challenge = relaxed_challenge  # the vault origin differs from its audience
        self._credential: Any = None
        self._session: Any = None
        self._transport: Any = None
        self._clients: dict[tuple[str, str], Any] = {}
        # Extra azure-core options for every client, e.g. {"retry_total": 0} to fail fast;
        # retry_* keys tune console.azure.retry's policy (see there for what is retried).
        self.client_options: dict[str, Any] = dict(client_options or {})

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def for_emulator(
        cls,
        base_url: str,
        ca_path: str | Path,
        tenant_id: str,
        client_id: str,
        client_secret: str | MaskedValue,
        subscription_ids: tuple[str, ...] = (),
    ) -> Connection:
        """Sign in to the emulator's token endpoint as a service principal (never a real one)."""
        cloud = emulator_cloud(base_url)
        secret = (
            client_secret if isinstance(client_secret, MaskedValue) else MaskedValue(client_secret)
        )

        def credential(transport: Any) -> Any:
            from azure.identity.aio import ClientSecretCredential

            return ClientSecretCredential(
                tenant_id,
                client_id,
                secret.reveal(),
                authority=cloud.authority,
                disable_instance_discovery=True,
                transport=transport,
            )

        return cls(
            cloud,
            credential,
            ca_path=Path(ca_path),
            subscription_ids=subscription_ids,
            relaxed_challenge=True,
        )

    @classmethod
    def for_azure(
        cls,
        cloud: Cloud = AZURE_PUBLIC,
        *,
        tenant_id: str | None = None,
        client_id: str | None = None,
        client_secret: str | MaskedValue | None = None,
        use_device_code: bool = False,
        device_code_prompt: DeviceCodePrompt | None = None,
        subscription_ids: tuple[str, ...] = (),
    ) -> Connection:
        """Azure: a service principal when client id and secret are given (the caller reads the
        secret from the OS keyring), device code when asked, else DefaultAzureCredential.

        *device_code_prompt* is called from a worker thread: marshal to the UI thread yourself.
        """
        authority = cloud.authority
        secret = MaskedValue(client_secret) if isinstance(client_secret, str) else client_secret

        def credential(transport: Any) -> Any:
            if client_id and secret:
                from azure.identity.aio import ClientSecretCredential

                if not tenant_id:
                    raise ValueError("A service principal sign-in needs the tenant id.")
                return ClientSecretCredential(
                    tenant_id, client_id, secret.reveal(), authority=authority, transport=transport
                )
            if use_device_code:
                from console.azure.devicecode import AsyncDeviceCodeCredential

                return AsyncDeviceCodeCredential(authority, tenant_id, device_code_prompt)
            from azure.identity.aio import DefaultAzureCredential

            kwargs: dict[str, Any] = {"authority": authority, "transport": transport}
            if tenant_id:  # the chain has no tenant_id: name it for the credentials that take one
                kwargs["additionally_allowed_tenants"] = ["*"]
                kwargs["shared_cache_tenant_id"] = tenant_id
                kwargs["workload_identity_tenant_id"] = tenant_id
            return DefaultAzureCredential(**kwargs)

        return cls(cloud, credential, subscription_ids=subscription_ids)

    # ---- shared pieces ------------------------------------------------------------------
    @property
    def transport(self) -> Any:
        """The one AioHttpTransport every client shares (one TLS context, one connection pool)."""
        if self._transport is None:
            import ssl

            import aiohttp
            from azure.core.pipeline.transport import AioHttpTransport

            ctx = ssl.create_default_context(cafile=str(self._ca_path) if self._ca_path else None)
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx))
            # aiohttp resends a PUT once when the connection drops after sending; a secret set
            # twice makes two versions. Retries are console.azure.retry's decision alone.
            if hasattr(self._session, "_retry_connection"):
                self._session._retry_connection = False
            self._transport = AioHttpTransport(session=self._session, session_owner=False)
        return self._transport

    @property
    def credential(self) -> Any:
        if self._credential is None:
            self._credential = self._credential_factory(self.transport)
        return self._credential

    def _options(self) -> dict[str, Any]:
        """Client options with our retry policy (a few quick retries, no duplicate writes)."""
        from console.azure.retry import RETRY_KEYS, retry_policy

        options = {k: v for k, v in self.client_options.items() if k not in RETRY_KEYS}
        options.setdefault("retry_policy", retry_policy(self.client_options))
        return options

    def _mgmt(self, key: str, subscription_id: str, build: Callable[..., Any]) -> Any:
        cache_key = (key, subscription_id)
        if cache_key not in self._clients:
            self._clients[cache_key] = build(
                base_url=self.cloud.arm_endpoint,
                credential_scopes=[self.cloud.arm_scope],
                transport=self.transport,
                **self._options(),
            )
        return self._clients[cache_key]

    # ---- clients ------------------------------------------------------------------------
    def subscription_client(self) -> Any:
        from azure.mgmt.resource.subscriptions.aio import SubscriptionClient

        return self._mgmt("subs", "", lambda **kw: SubscriptionClient(self.credential, **kw))

    def resource_client(self, subscription_id: str) -> Any:
        from azure.mgmt.resource.resources.aio import ResourceManagementClient

        return self._mgmt(
            "rg",
            subscription_id,
            lambda **kw: ResourceManagementClient(self.credential, subscription_id, **kw),
        )

    def keyvault_client(self, subscription_id: str) -> Any:
        from azure.mgmt.keyvault.aio import KeyVaultManagementClient

        return self._mgmt(
            "kv",
            subscription_id,
            lambda **kw: KeyVaultManagementClient(self.credential, subscription_id, **kw),
        )

    def logic_client(self, subscription_id: str) -> Any:
        from azure.mgmt.logic.aio import LogicManagementClient

        return self._mgmt(
            "logic",
            subscription_id,
            lambda **kw: LogicManagementClient(self.credential, subscription_id, **kw),
        )

    def authorization_client(self, subscription_id: str) -> Any:
        from azure.mgmt.authorization.aio import AuthorizationManagementClient

        return self._mgmt(
            "authz",
            subscription_id,
            lambda **kw: AuthorizationManagementClient(self.credential, subscription_id, **kw),
        )

    def msi_client(self, subscription_id: str) -> Any:
        from azure.mgmt.msi.aio import ManagedServiceIdentityClient

        return self._mgmt(
            "msi",
            subscription_id,
            lambda **kw: ManagedServiceIdentityClient(self.credential, subscription_id, **kw),
        )

    def secret_client(self, vault_uri: str) -> Any:
        """The SecretClient of a vault, by the vaultUri Azure returned (cached per vault)."""
        key = ("secrets", vault_uri.rstrip("/").lower())
        if key not in self._clients:
            from azure.keyvault.secrets.aio import SecretClient

            if self._relaxed_challenge:
                # The SDK caches each vault's 401 challenge (its tenant) per host:port for the
                # whole process. An emulator started later on a reused port has another tenant:
                # start this connection with a fresh challenge instead of failing on the old one.
                from azure.keyvault.secrets._shared import http_challenge_cache

                http_challenge_cache.remove_challenge_for_url(vault_uri)
            self._clients[key] = SecretClient(
                vault_uri,
                self.credential,
                transport=self.transport,
                verify_challenge_resource=not self._relaxed_challenge,
                raw_response_hook=self._on_vault_response,
                **self._options(),
            )
        return self._clients[key]

    # ---- what Azure tells us about ourselves --------------------------------------------
    def _on_vault_response(self, response: Any) -> None:
        headers = getattr(response.http_response, "headers", {}) or {}
        match = _NETWORK_INFO_ADDR.search(headers.get("x-ms-keyvault-network-info", ""))
        if match:
            self.note_client_address(match.group(1))

    def note_client_address(self, address: str) -> None:
        """Remember this console's public address as a vault saw it."""
        self.client_address_hint = address

    async def whoami(self) -> SignedIn:
        """Read the management token's claims (display only: the signature is not checked)."""
        token = await self.credential.get_token(self.cloud.arm_scope)
        claims = decode_jwt_claims(token.token)
        kind = "User" if claims.get("idtyp") == "user" or "upn" in claims else "ServicePrincipal"
        if claims.get("idtyp") == "app":
            kind = "ServicePrincipal"
        display = (
            claims.get("upn")
            or claims.get("unique_name")
            or claims.get("name")
            or claims.get("appid")
            or claims.get("azp")
            or "unknown"
        )
        return SignedIn(
            object_id=claims.get("oid"),
            tenant_id=claims.get("tid"),
            display_name=str(display),
            kind=kind if claims else "Unknown",
            app_id=claims.get("appid") or claims.get("azp"),
        )

    async def close(self) -> None:
        """Close every client, the credential and the shared session (idempotent)."""
        clients, self._clients = list(self._clients.values()), {}
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
        if self._credential is not None:
            credential, self._credential = self._credential, None
            await credential.close()
        if self._session is not None:
            session, self._session, self._transport = self._session, None, None
            await session.close()


def decode_jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified; {} when it is not one."""
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return data if isinstance(data, dict) else {}
    except (IndexError, ValueError):
        return {}
