"""Key Vault data-plane operations (secrets) on azure.keyvault.secrets.aio.SecretClient.

Vaults are addressed by the vaultUri Azure returned, never by a URL built from the name.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from console.azure import convert
from console.azure.connection import Connection
from console.azure.json_pages import json_pages
from console.errors import BadRequestError
from console.masked import MaskedValue
from console.models import DeletedSecret, Secret, SecretProperties

# Characters that would change the request URL itself (another route, a query): refused here.
# Everything else goes to Key Vault, which answers with its own error for a bad name.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_URL_BREAKING = re.compile(r"[/?#%\\\s]")


def _check_name(name: str) -> str:
    if not name or _URL_BREAKING.search(name):
        raise BadRequestError(
            "Secret names use only letters, digits and '-' (1-127 characters): correct the name.",
            code="BadParameter",
        )
    return name


class SecretOps:
    def __init__(self, connection: Connection) -> None:
        self.conn = connection

    def _client(self, vault_uri: str) -> Any:
        return self.conn.secret_client(vault_uri)

    async def iter_secret_pages(self, vault_uri: str) -> AsyncIterator[list[SecretProperties]]:
        """`GET /secrets` and its next pages as JSON, straight to our model (the client adds the
        api-version): the SDK's pager would cost ~15 % more on a 10,000-secret listing."""
        pages = json_pages(
            self._client(vault_uri), "/secrets", lambda item: convert.secret_item(item, vault_uri)
        )
        async for page in pages:
            yield page

    async def list_secrets(self, vault_uri: str) -> list[SecretProperties]:
        return [s async for page in self.iter_secret_pages(vault_uri) for s in page]

    async def list_secret_versions(self, vault_uri: str, name: str) -> list[SecretProperties]:
        paged = self._client(vault_uri).list_properties_of_secret_versions(_check_name(name))
        versions = [convert.secret_properties(p, vault_uri) async for p in paged]
        # Key Vault lists versions in no useful order: newest first is what a person wants.
        return sorted(versions, key=lambda p: p.created_on or _EPOCH, reverse=True)

    async def get_secret(self, vault_uri: str, name: str, version: str | None) -> Secret:
        kv_secret = await self._client(vault_uri).get_secret(_check_name(name), version)
        return convert.secret(kv_secret, vault_uri)

    async def set_secret(
        self,
        vault_uri: str,
        name: str,
        value: MaskedValue,
        *,
        content_type: str | None,
        enabled: bool,
        not_before: datetime | None,
        expires_on: datetime | None,
        tags: dict[str, str] | None,
    ) -> SecretProperties:
        if not isinstance(value, MaskedValue):  # keep plaintext out of every caller's locals
            raise TypeError("set_secret takes the value as a MaskedValue")
        kv_secret = await self._client(vault_uri).set_secret(
            _check_name(name),
            value.reveal(),
            content_type=content_type,
            enabled=enabled,
            not_before=not_before,
            expires_on=expires_on,
            tags=tags,
        )
        return convert.secret_properties(kv_secret.properties, vault_uri)

    async def update_secret_properties(
        self, vault_uri: str, name: str, version: str | None, **changes: Any
    ) -> SecretProperties:
        wanted = {k: v for k, v in changes.items() if v is not None}
        props = await self._client(vault_uri).update_secret_properties(
            _check_name(name), version, **wanted
        )
        return convert.secret_properties(props, vault_uri)

    async def delete_secret(self, vault_uri: str, name: str) -> DeletedSecret:
        deleted = await self._client(vault_uri).delete_secret(_check_name(name))
        return convert.deleted_secret(deleted, vault_uri)

    async def list_deleted_secrets(self, vault_uri: str) -> list[DeletedSecret]:
        paged = self._client(vault_uri).list_deleted_secrets()
        return [convert.deleted_secret(d, vault_uri) async for d in paged]

    async def recover_deleted_secret(self, vault_uri: str, name: str) -> SecretProperties:
        props = await self._client(vault_uri).recover_deleted_secret(_check_name(name))
        return convert.secret_properties(props, vault_uri)

    async def purge_deleted_secret(self, vault_uri: str, name: str) -> None:
        await self._client(vault_uri).purge_deleted_secret(_check_name(name))
