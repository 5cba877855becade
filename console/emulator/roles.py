"""The emulator's role definitions: the built-in roles of console.roles as ARM bodies."""

from __future__ import annotations

from console.roles import (  # noqa: F401 - re-exported for the emulator and its tests
    BUILTIN_ROLES,
    CONTRIBUTOR,
    KV_ADMINISTRATOR,
    KV_READER,
    KV_SECRETS_OFFICER,
    KV_SECRETS_USER,
    OWNER,
    READER,
    BuiltinRole,
    action_matches,
    role_allows,
)


def role_definition_body(role: BuiltinRole, subscription_id: str | None) -> dict:
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
                    "notDataActions": [],
                }
            ],
            "createdOn": "2015-02-02T21:55:09.8806423Z",
            "updatedOn": "2021-11-11T20:13:47.8628684Z",
            "createdBy": None,
            "updatedBy": None,
        },
    }
