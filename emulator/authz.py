"""What Azure enforces: tokens, management roles, access policies / RBAC, the vault firewall."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from aiohttp import web

from emulator import tokens
from emulator.http import AzureHttpError
from emulator.roles import BUILTIN_ROLES, role_allows

if TYPE_CHECKING:
    from emulator.state import State

ARM_AUDIENCES = ("https://management.azure.com", "https://management.core.windows.net")
VAULT_AUDIENCE = "https://vault.azure.net"
# Key Vault takes a token issued for its resource URI or for its application id
# (cfa8b339-…, the appId of the "Azure Key Vault" service principal in every tenant) [?: the
# app-id form is from token-acquisition examples, not from Key Vault's own docs].
VAULT_AUDIENCES = (VAULT_AUDIENCE, "cfa8b339-82a2-471a-a3c9-0fc0be7a4093")

# Access-policy permission each data-plane operation needs, and its RBAC data action.
SECRET_OPERATIONS: dict[str, tuple[str, str]] = {
    "get": ("get", "Microsoft.KeyVault/vaults/secrets/getSecret/action"),
    "list": ("list", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"),
    "set": ("set", "Microsoft.KeyVault/vaults/secrets/setSecret/action"),
    "update": ("set", "Microsoft.KeyVault/vaults/secrets/update/action"),
    "delete": ("delete", "Microsoft.KeyVault/vaults/secrets/delete"),
    # Deleted secrets are checked with the secrets' own actions (Azure's operation list has no
    # deletedSecrets data actions) [?: readMetadata for listing deleted secrets is inferred].
    "list_deleted": ("list", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"),
    "get_deleted": ("list", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"),
    "recover": ("recover", "Microsoft.KeyVault/vaults/secrets/recover/action"),
    "purge": ("purge", "Microsoft.KeyVault/vaults/secrets/purge/action"),
    "backup": ("backup", "Microsoft.KeyVault/vaults/secrets/backup/action"),
    "restore": ("restore", "Microsoft.KeyVault/vaults/secrets/restore/action"),
}


def bearer(request: web.Request) -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return None


def arm_caller(state: State, request: web.Request) -> tokens.Caller:
    token = bearer(request)
    if not token:
        raise AzureHttpError(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
            headers={"WWW-Authenticate": _arm_challenge(state)},
        )
    try:
        return tokens.verify(bytes.fromhex(state.signing_key), token, audiences=ARM_AUDIENCES)
    except tokens.TokenError as exc:
        code = (
            "ExpiredAuthenticationToken" if str(exc) == "expired" else "InvalidAuthenticationToken"
        )
        message = (
            "The access token expiry UTC time is earlier than current UTC time."
            if code == "ExpiredAuthenticationToken"
            else "The access token is invalid."
        )
        raise AzureHttpError(
            401, code, message, headers={"WWW-Authenticate": _arm_challenge(state)}
        ) from exc


def _arm_challenge(state: State) -> str:
    return (
        f'Bearer authorization_uri="https://login.windows.net/{state.tenant_id}", '
        'error="invalid_token", error_description="The authentication failed."'
    )


def scope_covers(scope: str, resource_id: str) -> bool:
    scope = scope.rstrip("/").lower()
    rid = resource_id.rstrip("/").lower()
    return scope in ("", "/") or rid == scope or rid.startswith(scope + "/")


def roles_at(state: State, principal_id: str, resource_id: str) -> list[tuple[dict[str, Any], Any]]:
    """(assignment, built-in role) pairs of *principal_id* whose scope covers *resource_id*."""
    out = []
    for ra in state.role_assignments.values():
        props = ra["properties"]
        if props["principalId"].lower() != principal_id.lower():
            continue
        if not scope_covers(props["scope"], resource_id):
            continue
        guid = props["roleDefinitionId"].rstrip("/").rsplit("/", 1)[-1].lower()
        role = BUILTIN_ROLES.get(guid)
        if role is not None:
            out.append((ra, role))
    return out


def require_arm_action(state: State, caller: tokens.Caller, resource_id: str, action: str) -> None:
    """403 AuthorizationFailed unless a role assignment covering the scope allows *action*."""
    for _, role in roles_at(state, caller.object_id, resource_id):
        if role_allows(role, action, data=False):
            return
    raise AzureHttpError(
        403,
        "AuthorizationFailed",
        f"The client '{caller.object_id}' with object id '{caller.object_id}' does not have "
        f"authorization to perform action '{action}' over scope '{resource_id}' or the scope is "
        "invalid. If access was recently granted, please refresh your credentials.",
    )


# ---- data plane --------------------------------------------------------------------------


def vault_challenge(state: State) -> str:
    return (
        f'Bearer authorization="https://login.microsoftonline.com/{state.tenant_id}", '
        f'resource="{VAULT_AUDIENCE}"'
    )


def vault_caller(state: State, request: web.Request) -> tokens.Caller:
    """The 401 challenge without a token (as the SDK's first request expects) or with a bad one."""
    token = bearer(request)
    if not token:
        raise AzureHttpError(
            401,
            "Unauthorized",
            "AKV10000: Request is missing a Bearer or PoP token.",
            headers={"WWW-Authenticate": vault_challenge(state)},
        )
    try:
        return tokens.verify(bytes.fromhex(state.signing_key), token, audiences=VAULT_AUDIENCES)
    except tokens.TokenError as exc:
        message = (
            "[TokenExpired] Error validating token: 'S2S12086'."
            if str(exc) == "expired"
            else f"AKV10022: Invalid audience or token. ({exc})"
        )
        raise AzureHttpError(
            401, "Unauthorized", message, headers={"WWW-Authenticate": vault_challenge(state)}
        ) from exc


def _vault_label(vault: dict[str, Any]) -> str:
    return f"{vault['name']};location={vault.get('location', 'westus')}"


def address_allowed(address: str, ip_rules: list[dict[str, Any]]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for rule in ip_rules:
        try:
            if ip in ipaddress.ip_network(rule["value"], strict=False):
                return True
        except (ValueError, KeyError):
            continue
    return False


def check_firewall(vault: dict[str, Any], caller: tokens.Caller, client_address: str) -> None:
    props = vault["properties"]
    if str(props.get("publicNetworkAccess", "Enabled")).lower() == "disabled":
        raise AzureHttpError(
            403,
            "Forbidden",
            "Public network access is disabled and request is not from a trusted service nor via "
            f"an approved private link.\r\nCaller: {caller.describe()}\r\n"
            f"Vault: {_vault_label(vault)}",
            inner="ForbiddenByConnection",
        )
    acls = props.get("networkAcls") or {}
    if str(acls.get("defaultAction", "Allow")).lower() != "deny":
        return
    if address_allowed(client_address, acls.get("ipRules") or []):
        return
    raise AzureHttpError(
        403,
        "Forbidden",
        "Client address is not authorized and caller is not a trusted service.\r\n"
        f"Client address: {client_address}\r\nCaller: {caller.describe()}\r\n"
        f"Vault: {_vault_label(vault)}",
        inner="ForbiddenByFirewall",
    )


def check_secret_permission(
    state: State,
    vault: dict[str, Any],
    caller: tokens.Caller,
    operation: str,
    secret_name: str | None = None,
) -> None:
    """Access policy, or a role assignment on an RBAC-mode vault (vault or secret scope)."""
    permission, data_action = SECRET_OPERATIONS[operation]
    props = vault["properties"]
    if props.get("enableRbacAuthorization"):
        resource = vault["id"] + (f"/secrets/{secret_name}" if secret_name else "")
        for _, role in roles_at(state, caller.object_id, resource):
            if role_allows(role, data_action, data=True):
                return
        raise AzureHttpError(
            403,
            "Forbidden",
            "Caller is not authorized to perform action on resource.\r\n"
            "If role assignments, deny assignments or role definitions were changed recently, "
            "please observe propagation time.\r\n"
            f"Caller: {caller.describe()}\r\nAction: '{data_action}'\r\n"
            f"Resource: '{resource.lower()}'\r\nAssignment: (not found)\r\n"
            "DenyAssignmentId: null\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\n"
            f"Vault: {_vault_label(vault)}\r\n",
            inner="ForbiddenByRbac",
        )
    for policy in props.get("accessPolicies") or []:
        if policy.get("objectId", "").lower() != caller.object_id.lower():
            continue
        granted = {p.lower() for p in (policy.get("permissions") or {}).get("secrets") or []}
        if permission in granted or "all" in granted:
            return
    raise AzureHttpError(
        403,
        "Forbidden",
        f"The user, group or application '{caller.describe()}' does not have secrets {permission} "
        f"permission on key vault '{_vault_label(vault)}'. For help resolving this issue, please "
        "see https://go.microsoft.com/fwlink/?linkid=2125287",
        inner="AccessDenied",
    )
