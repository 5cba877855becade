"""The secret half of :class:`console.service.AzureService` (a mixin, to keep modules short).

Vaults are always addressed by the vaultUri Azure returned, never a URL built from a name.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING

from console.azure.errors import mapped, mapped_pages
from console.masked import MaskedValue
from console.models import DeletedSecret, Secret, SecretProperties

if TYPE_CHECKING:
    from console.azure.secrets import SecretOps


class SecretMethods:
    """Needs ``self._secrets`` (SecretOps) and ``self._check_write`` from the service."""

    _secrets: SecretOps

    def _check_write(self, what: str) -> None:  # replaced by AzureService's
        raise NotImplementedError

    @mapped_pages
    def iter_secret_pages(self, vault_uri: str) -> AsyncIterator[list[SecretProperties]]:
        """Secret metadata page by page (Key Vault pages by at most 25). No values."""
        return self._secrets.iter_secret_pages(vault_uri)

    @mapped
    async def list_secrets(self, vault_uri: str) -> list[SecretProperties]:
        return await self._secrets.list_secrets(vault_uri)

    @mapped
    async def list_secret_versions(self, vault_uri: str, name: str) -> list[SecretProperties]:
        """Every version's attributes, newest first. No values."""
        return await self._secrets.list_secret_versions(vault_uri, name)

    @mapped
    async def get_secret(self, vault_uri: str, name: str, version: str | None = None) -> Secret:
        """A secret with its value (masked until ``.value.reveal()``)."""
        return await self._secrets.get_secret(vault_uri, name, version)

    @mapped
    async def set_secret(
        self,
        vault_uri: str,
        name: str,
        value: MaskedValue,
        *,
        content_type: str | None = None,
        enabled: bool = True,
        not_before: datetime | None = None,
        expires_on: datetime | None = None,
        tags: dict[str, str] | None = None,
    ) -> SecretProperties:
        """Create the secret or a new version of it."""
        self._check_write("saving the secret")
        return await self._secrets.set_secret(
            vault_uri,
            name,
            value,
            content_type=content_type,
            enabled=enabled,
            tags=tags,
            not_before=not_before,
            expires_on=expires_on,
        )

    @mapped
    async def update_secret_properties(
        self,
        vault_uri: str,
        name: str,
        version: str | None = None,
        *,
        enabled: bool | None = None,
        content_type: str | None = None,
        not_before: datetime | None = None,
        expires_on: datetime | None = None,
        tags: dict[str, str] | None = None,
    ) -> SecretProperties:
        """Change attributes without touching the value (``None`` leaves a field as it is)."""
        self._check_write("updating the secret's attributes")
        attrs = dict(content_type=content_type, enabled=enabled, tags=tags)
        dates = dict(not_before=not_before, expires_on=expires_on)
        return await self._secrets.update_secret_properties(
            vault_uri, name, version, **attrs, **dates
        )

    @mapped
    async def delete_secret(self, vault_uri: str, name: str) -> DeletedSecret:
        """Soft-delete (every version); returns the deleted secret once Azure lists it."""
        self._check_write("deleting the secret")
        return await self._secrets.delete_secret(vault_uri, name)

    @mapped
    async def list_deleted_secrets(self, vault_uri: str) -> list[DeletedSecret]:
        return await self._secrets.list_deleted_secrets(vault_uri)

    @mapped
    async def recover_deleted_secret(self, vault_uri: str, name: str) -> SecretProperties:
        self._check_write("recovering the secret")
        return await self._secrets.recover_deleted_secret(vault_uri, name)

    @mapped
    async def purge_deleted_secret(self, vault_uri: str, name: str) -> None:
        """Permanently delete a soft-deleted secret (refused by Azure under purge protection)."""
        self._check_write("purging the secret")
        await self._secrets.purge_deleted_secret(vault_uri, name)
