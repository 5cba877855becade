"""Read what the access check needs through the adapters, then run the pure check."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from console.diagnosis import (
    AccessReport,
    check_access,
    check_without_vault,
    keyvault_connection_ids,
    vaults_used_by,
)
from console.errors import ConsoleError, NotFoundError
from console.models import LogicApp, RoleAssignment, RoleDefinition, SecretProperties, Vault

if TYPE_CHECKING:
    from console.ports import VaultService


async def run_access_check(
    service: VaultService,
    logic_app: LogicApp,
    *,
    vault: Vault | None = None,
    vaults: Sequence[Vault] = (),
    secret_name: str | None = None,
) -> AccessReport:
    """Re-read the Logic App and the vault, then check the chain.

    The secret's existence is read through its versions (metadata only: values are never fetched).
    A secret that cannot be read (403) is reported as not checked, not as missing.
    """
    logic_app = await service.get_logic_app(logic_app.id)
    if vault is None:
        connectors = await connector_vaults(service, keyvault_connection_ids(logic_app))
        used = vaults_used_by(logic_app, vaults, connectors)
        if not used:
            return check_without_vault(logic_app)
        vault = used[0]
    if not vault.pinned:
        vault = await service.get_vault(vault.id)
    assignments = await service.list_role_assignments(vault.id) if vault.rbac_authorization else []
    definitions = await _role_definitions(service, assignments)
    audience = service.vault_audience
    probe = check_access(
        logic_app,
        vault,
        role_assignments=assignments,
        role_definitions=definitions,
        secret_name=secret_name,
        audience=audience,
    )
    name = probe.secret_name
    secret: SecretProperties | None = None
    missing = False
    if name:
        try:
            versions = await service.list_secret_versions(vault.uri, name)
            secret = versions[0] if versions else None
            missing = not versions
        except NotFoundError:
            missing = True
        except ConsoleError:
            secret = None  # forbidden / firewall: the secret line says "could not be read"
    return check_access(
        logic_app,
        vault,
        role_assignments=assignments,
        role_definitions=definitions,
        secret_name=name,
        secret=secret,
        secret_missing=missing,
        audience=audience,
    )


async def _role_definitions(
    service: VaultService, assignments: Sequence[RoleAssignment]
) -> dict[str, RoleDefinition]:
    """The definitions of the assigned roles as Azure returns them (custom roles included);
    one that cannot be read falls back to the built-in table in the check."""
    out: dict[str, RoleDefinition] = {}
    for ra in assignments:
        guid = ra.role_definition_id.rstrip("/").rsplit("/", 1)[-1].lower()
        if guid in out:
            continue
        try:
            out[guid] = await service.get_role_definition(ra.role_definition_id)
        except ConsoleError:
            continue
    return out


async def connector_vaults(
    service: VaultService, connection_ids: Iterable[str]
) -> dict[str, str | None]:
    """Connection id (lower) → the vault its Microsoft.Web/connections resource is bound to,
    each connection read once; one that cannot be read maps to None (no vault found for it)."""
    out: dict[str, str | None] = {}
    for connection_id in connection_ids:
        if connection_id.lower() in out:
            continue
        try:
            out[connection_id.lower()] = await service.get_connector_vault(connection_id)
        except ConsoleError:
            out[connection_id.lower()] = None
    return out
