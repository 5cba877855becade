"""Azure's built-in roles the console reasons about (ids and actions from Microsoft's RBAC guide).

Shared by the access check, the grant plans and the emulator, which enforces them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BuiltinRole:
    guid: str
    role_name: str
    description: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    data_actions: tuple[str, ...] = ()


OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
KV_ADMINISTRATOR = "00482a5a-887f-4fb3-b363-3b7fe8e74483"
KV_SECRETS_OFFICER = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"
KV_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"
KV_READER = "21090545-7ca7-4776-b22c-e363652d74d2"

BUILTIN_ROLES: dict[str, BuiltinRole] = {
    r.guid: r
    for r in (
        BuiltinRole(OWNER, "Owner", "Grants full access to manage all resources.", ("*",)),
        BuiltinRole(
            CONTRIBUTOR,
            "Contributor",
            "Grants full access to manage all resources, but does not allow you to assign roles.",
            ("*",),
            ("Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write"),
        ),
        BuiltinRole(
            READER,
            "Reader",
            "View all resources, but does not allow you to make any changes.",
            ("*/read",),
        ),
        BuiltinRole(
            KV_ADMINISTRATOR,
            "Key Vault Administrator",
            "Perform all data plane operations on a key vault and all objects in it.",
            ("Microsoft.Authorization/*/read", "Microsoft.KeyVault/*/read"),
            (),
            ("Microsoft.KeyVault/vaults/*",),
        ),
        BuiltinRole(
            KV_SECRETS_OFFICER,
            "Key Vault Secrets Officer",
            "Perform any action on the secrets of a key vault, except manage permissions.",
            ("Microsoft.Authorization/*/read", "Microsoft.KeyVault/*/read"),
            (),
            ("Microsoft.KeyVault/vaults/secrets/*", "Microsoft.KeyVault/vaults/deletedSecrets/*"),
        ),
        BuiltinRole(
            KV_SECRETS_USER,
            "Key Vault Secrets User",
            "Read secret contents.",
            (),
            (),
            (
                "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
            ),
        ),
        BuiltinRole(
            KV_READER,
            "Key Vault Reader",
            "Read metadata of key vaults and its certificates, keys, and secrets.",
            ("Microsoft.Authorization/*/read", "Microsoft.KeyVault/*/read"),
            (),
            (
                "Microsoft.KeyVault/vaults/*/read",
                "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
            ),
        ),
    )
}


def action_matches(pattern: str, action: str) -> bool:
    """Azure's wildcard match for actions and dataActions (case-insensitive, '*' spans segments)."""
    import fnmatch

    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def role_allows(role: BuiltinRole, action: str, *, data: bool) -> bool:
    allowed = role.data_actions if data else role.actions
    if not any(action_matches(p, action) for p in allowed):
        return False
    return not any(action_matches(p, action) for p in role.not_actions)
