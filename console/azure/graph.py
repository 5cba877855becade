"""Name principals through Microsoft Graph (directoryObjects/getByIds).

No Graph SDK is among our runtime packages, so this one call goes through azure-core's pipeline
(same transport, same credential) rather than a new dependency. Absent ids are deleted principals.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from console.models import DirectoryObject

if TYPE_CHECKING:
    from console.azure.connection import Connection

_KINDS = {
    "#microsoft.graph.user": "user",
    "#microsoft.graph.group": "group",
    "#microsoft.graph.serviceprincipal": "service_principal",
}


def _to_model(item: dict[str, Any]) -> DirectoryObject:
    kind = _KINDS.get(str(item.get("@odata.type", "")).lower(), "service_principal")
    if kind == "service_principal" and item.get("servicePrincipalType") == "ManagedIdentity":
        kind = "managed_identity"
    return DirectoryObject(
        object_id=str(item["id"]),
        display_name=str(item.get("displayName") or item.get("userPrincipalName") or ""),
        kind=kind,
        app_id=item.get("appId"),
    )


async def get_by_ids(
    connection: Connection, object_ids: Iterable[str]
) -> dict[str, DirectoryObject]:
    """object id (lower-case) -> DirectoryObject for every id the directory still knows."""
    from azure.core import AsyncPipelineClient
    from azure.core.exceptions import HttpResponseError
    from azure.core.pipeline.policies import AsyncBearerTokenCredentialPolicy
    from azure.core.rest import AsyncHttpResponse, HttpRequest

    from console.azure.retry import retry_policy

    ids = sorted({i for i in object_ids if i})
    if not ids:
        return {}
    cloud = connection.cloud
    policy = AsyncBearerTokenCredentialPolicy(connection.credential, cloud.graph_scope)
    client: AsyncPipelineClient[HttpRequest, AsyncHttpResponse] = AsyncPipelineClient(
        cloud.graph_endpoint,
        policies=[retry_policy(connection.client_options), policy],
        transport=connection.transport,
    )
    found: dict[str, DirectoryObject] = {}
    for start in range(0, len(ids), 1000):
        request = HttpRequest(
            "POST",
            f"{cloud.graph_endpoint}/v1.0/directoryObjects/getByIds",
            json={"ids": ids[start : start + 1000], "types": ["user", "group", "servicePrincipal"]},
        )
        response = await client.send_request(request)
        payload = await response.read()
        if response.status_code >= 400:
            raise HttpResponseError(response=response)
        for item in json.loads(payload).get("value", []):
            model = _to_model(item)
            found[model.object_id.lower()] = model
    return found
