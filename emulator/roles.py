"""Azure's built-in role definitions, as the emulator serves and enforces them.

The emulator's own table: it shares nothing with the console, so a wrong belief on one side
cannot be agreed to by the other. Ids, actions and data actions are from Microsoft's "Azure
built-in roles" reference (General, and Security / Key Vault). Control-plane action lists of the
Key Vault roles are trimmed to the `read` actions this emulator checks [?: the full lists add
Insights, Resources/deployments and Support actions, which no emulated API needs].
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class BuiltinRole:
    guid: str
    role_name: str
    description: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    data_actions: tuple[str, ...] = ()
    not_data_actions: tuple[str, ...] = field(default=())


OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
KV_ADMINISTRATOR = "00482a5a-887f-4fb3-b363-3b7fe8e74483"
KV_CONTRIBUTOR = "f25e0fa2-a7c8-4377-a976-54943a77a395"
KV_DATA_ACCESS_ADMINISTRATOR = "8b54135c-b56d-4d72-a534-26097cfdc8d8"
KV_READER = "21090545-7ca7-4776-b22c-e363652d74d2"
KV_SECRETS_OFFICER = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"
KV_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"
KV_CERTIFICATES_OFFICER = "a4417e6f-fecd-4de8-b567-7b0420556985"
KV_CERTIFICATE_USER = "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba"
KV_CRYPTO_OFFICER = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603"
KV_CRYPTO_USER = "12338af0-0e69-4776-bea7-57ae8d297424"
KV_CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"
KV_CRYPTO_SERVICE_RELEASE_USER = "08bbd89e-9f13-488c-ac41-acfcb10c90ab"

_KV_READS = ("Microsoft.Authorization/*/read", "Microsoft.KeyVault/*/read")
_KEYS = "Microsoft.KeyVault/vaults/keys"


def _role(
    guid: str,
    name: str,
    description: str,
    actions: tuple[str, ...] = (),
    not_actions: tuple[str, ...] = (),
    data_actions: tuple[str, ...] = (),
) -> BuiltinRole:
    return BuiltinRole(guid, name, description, actions, not_actions, data_actions)


BUILTIN_ROLES: dict[str, BuiltinRole] = {
    r.guid: r
    for r in (
        _role(
            OWNER,
            "Owner",
            "Grants full access to manage all resources, including the ability "
            "to assign roles in Azure RBAC.",
            ("*",),
        ),
        _role(
            CONTRIBUTOR,
            "Contributor",
            "Grants full access to manage all resources, but does not allow you to assign roles "
            "in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
            ("*",),
            (
                "Microsoft.Authorization/*/Delete",
                "Microsoft.Authorization/*/Write",
                "Microsoft.Authorization/elevateAccess/Action",
                "Microsoft.Blueprint/blueprintAssignments/write",
                "Microsoft.Blueprint/blueprintAssignments/delete",
                "Microsoft.Compute/galleries/share/action",
            ),
        ),
        _role(
            READER,
            "Reader",
            "View all resources, but does not allow you to make any changes.",
            ("*/read",),
        ),
        _role(
            USER_ACCESS_ADMINISTRATOR,
            "User Access Administrator",
            "Lets you manage user access to Azure resources.",
            ("*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"),
        ),
        _role(
            KV_ADMINISTRATOR,
            "Key Vault Administrator",
            "Perform all data plane operations on a key vault and all objects in it, including "
            "certificates, keys, and secrets. Cannot manage key vault resources or manage role "
            "assignments. Only works for key vaults that use the 'Azure role-based access control' "
            "permission model.",
            _KV_READS,
            (),
            ("Microsoft.KeyVault/vaults/*",),
        ),
        _role(
            KV_CONTRIBUTOR,
            "Key Vault Contributor",
            "Manage key vaults, but does not allow you to assign roles in Azure RBAC, and does not "
            "allow you to access secrets, keys, or certificates.",
            (
                "Microsoft.Authorization/*/read",
                "Microsoft.KeyVault/*",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
            ),
            (
                "Microsoft.KeyVault/locations/deletedVaults/purge/action",
                "Microsoft.KeyVault/hsmPools/*",
                "Microsoft.KeyVault/managedHsms/*",
            ),
        ),
        _role(
            KV_DATA_ACCESS_ADMINISTRATOR,
            "Key Vault Data Access Administrator",
            "Manage access to Azure Key Vault by adding or removing role assignments for the Key "
            "Vault Administrator, Key Vault Certificates Officer, Key Vault Crypto Officer, Key "
            "Vault Crypto Service Encryption User, Key Vault Crypto User, Key Vault Reader, Key "
            "Vault Secrets Officer, or Key Vault Secrets User roles.",
            # The real role carries an ABAC condition limiting which roles it may assign [?: not
            # enforced here].
            (
                "Microsoft.Authorization/roleAssignments/write",
                "Microsoft.Authorization/roleAssignments/delete",
                "Microsoft.Authorization/*/read",
                "Microsoft.KeyVault/vaults/*/read",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
            ),
        ),
        _role(
            KV_READER,
            "Key Vault Reader",
            "Read metadata of key vaults and its certificates, keys, and secrets. Cannot read "
            "sensitive values such as secret contents or key material.",
            _KV_READS,
            (),
            (
                "Microsoft.KeyVault/vaults/*/read",
                "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
            ),
        ),
        _role(
            KV_SECRETS_OFFICER,
            "Key Vault Secrets Officer",
            "Perform any action on the secrets of a key vault, except manage permissions.",
            _KV_READS,
            (),
            ("Microsoft.KeyVault/vaults/secrets/*",),
        ),
        _role(
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
        _role(
            KV_CERTIFICATES_OFFICER,
            "Key Vault Certificates Officer",
            "Perform any action on the certificates of a key vault, except manage permissions.",
            _KV_READS,
            (),
            (
                "Microsoft.KeyVault/vaults/certificatecas/*",
                "Microsoft.KeyVault/vaults/certificates/*",
                "Microsoft.KeyVault/vaults/certificatecontacts/write",
            ),
        ),
        _role(
            KV_CERTIFICATE_USER,
            "Key Vault Certificate User",
            "Read entire certificate contents including secret and key portion.",
            (),
            (),
            (
                "Microsoft.KeyVault/vaults/certificates/read",
                "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
                "Microsoft.KeyVault/vaults/keys/read",
            ),
        ),
        _role(
            KV_CRYPTO_OFFICER,
            "Key Vault Crypto Officer",
            "Perform any action on the keys of a key vault, except manage permissions.",
            _KV_READS,
            (),
            (f"{_KEYS}/*", "Microsoft.KeyVault/vaults/keyrotationpolicies/*"),
        ),
        _role(
            KV_CRYPTO_USER,
            "Key Vault Crypto User",
            "Perform cryptographic operations using keys.",
            (),
            (),
            tuple(
                f"{_KEYS}/{a}"
                for a in (
                    "read",
                    "update/action",
                    "backup/action",
                    "encrypt/action",
                    "decrypt/action",
                    "wrap/action",
                    "unwrap/action",
                    "sign/action",
                    "verify/action",
                )
            ),
        ),
        _role(
            KV_CRYPTO_SERVICE_ENCRYPTION_USER,
            "Key Vault Crypto Service Encryption User",
            "Read metadata of keys and perform wrap/unwrap operations.",
            (
                "Microsoft.EventGrid/eventSubscriptions/write",
                "Microsoft.EventGrid/eventSubscriptions/read",
                "Microsoft.EventGrid/eventSubscriptions/delete",
            ),
            (),
            (f"{_KEYS}/read", f"{_KEYS}/wrap/action", f"{_KEYS}/unwrap/action"),
        ),
        _role(
            KV_CRYPTO_SERVICE_RELEASE_USER,
            "Key Vault Crypto Service Release User",
            "Release keys.",
            (),
            (),
            (f"{_KEYS}/release/action",),
        ),
    )
}


def action_matches(pattern: str, action: str) -> bool:
    """ARM's wildcard rule: case-insensitive, and '*' may span '/' separators."""
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def role_allows(role: BuiltinRole, action: str, *, data: bool) -> bool:
    granted = role.data_actions if data else role.actions
    denied = role.not_data_actions if data else role.not_actions
    if not any(action_matches(p, action) for p in granted):
        return False
    return not any(action_matches(p, action) for p in denied)


def role_definition_body(role: BuiltinRole, subscription_id: str | None) -> dict[str, Any]:
    """The role definition as ARM returns it (tenant-level id when no subscription is given)."""
    scope = f"/subscriptions/{subscription_id}" if subscription_id else ""
    return {
        "id": f"{scope}/providers/Microsoft.Authorization/roleDefinitions/{role.guid}",
        "type": "Microsoft.Authorization/roleDefinitions",
        "name": role.guid,
        "properties": {
            "roleName": role.role_name,
            "type": "BuiltInRole",
            "description": role.description,
            "assignableScopes": ["/"],
            "permissions": [
                {
                    "actions": list(role.actions),
                    "notActions": list(role.not_actions),
                    "dataActions": list(role.data_actions),
                    "notDataActions": list(role.not_data_actions),
                }
            ],
            "createdOn": "2015-02-02T21:55:09.8806423Z",
            "updatedOn": "2021-11-11T20:13:47.8628684Z",
            "createdBy": None,
            "updatedBy": None,
        },
    }
