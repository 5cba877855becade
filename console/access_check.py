"""Read what the access check needs through the adapters, then run the pure check."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from console.diagnosis import AccessReport, check_access, check_without_vault, vaults_used_by
from console.errors import ConsoleError, NotFoundError
from console.models import LogicApp, SecretProperties, Vault

if TYPE_CHECKING:
    from console.service import AzureService


async def run_access_check(
    service: AzureService,
    app: LogicApp,
    *,
    vault: Vault | None = None,
    vaults: Sequence[Vault] = (),
    secret_name: str | None = None,
) -> AccessReport:
    """Re-read the Logic App and the vault, then check the chain.

    The secret's existence is read through its versions (metadata only: values are never fetched).
    A secret that cannot be read (403) is reported as not checked, not as missing.
    """
    app = await service.get_logic_app(app.id)
    if vault is None:
        used = vaults_used_by(app, vaults)
        if not used:
            return check_without_vault(app)
        vault = used[0]
    if not vault.pinned:
        vault = await service.get_vault(vault.id)
    assignments = await service.list_role_assignments(vault.id) if vault.rbac_authorization else []
    audience = service.vault_audience
    probe = check_access(
        app, vault, role_assignments=assignments, secret_name=secret_name, audience=audience
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
        app,
        vault,
        role_assignments=assignments,
        secret_name=name,
        secret=secret,
        secret_missing=missing,
        audience=audience,
    )
