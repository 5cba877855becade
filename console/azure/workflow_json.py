"""A Logic App workflow read and written as Azure's own JSON, through the SDK client's pipeline.

An identity change is a GET then a PUT of the whole workflow. Sending back the JSON Azure gave
(only ``identity`` changed) keeps every property, including ones no SDK model knows. What it
cannot keep are secure parameters: Azure never returns their values, so a PUT would lose them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from console.errors import ConflictError

SECURE_TYPES = frozenset({"securestring", "secureobject"})
# Computed by Azure; the Azure CLI's own identity assign leaves them out of its PUT [R recording
# test_workflow_identity.yaml]. Everything else is sent back exactly as read.
READ_ONLY_PROPERTIES = ("createdTime", "changedTime", "version", "accessEndpoint")
READ_ONLY_TOP = ("id", "name", "type")


async def send(client: Any, method: str, url: str, body: Any = None) -> dict[str, Any]:
    """*method* *url* through *client*'s pipeline (auth, retries); the JSON answer. An error
    status raises the SDK's ``HttpResponseError`` (mapped by our errors module)."""
    from azure.core.rest import HttpRequest

    send_request = getattr(client, "send_request", None) or client._send_request
    request = HttpRequest(method, url, json=body) if body is not None else HttpRequest(method, url)
    response = await send_request(request)
    response.raise_for_status()
    answer = response.json()
    return answer if isinstance(answer, dict) else {}


def hidden_secure_parameters(workflow: Mapping[str, Any]) -> list[str]:
    """Secure parameters the definition declares whose value the GET did not return."""
    props = workflow.get("properties") or {}
    declared = (props.get("definition") or {}).get("parameters") or {}
    values = props.get("parameters") or {}
    hidden = []
    for name, decl in declared.items():
        if not isinstance(decl, Mapping) or str(decl.get("type", "")).lower() not in SECURE_TYPES:
            continue
        entry = values.get(name)
        if not isinstance(entry, Mapping) or "value" not in entry:
            hidden.append(name)
    return hidden


def refuse_lost_secure_parameters(workflow: Mapping[str, Any]) -> None:
    """Stop before a PUT that would lose secure parameter values (nothing has been sent)."""
    hidden = hidden_secure_parameters(workflow)
    if not hidden:
        return
    names = ", ".join(f"'{n}'" for n in hidden)
    raise ConflictError(
        f"Logic App '{workflow.get('name', '')}' has secure workflow parameters ({names}). "
        "Azure never returns their values, so changing the identity from here would have to "
        "send the workflow back without them: Azure would refuse it or silently fall back to "
        "the parameters' default values. Nothing was changed. Set the identity where the "
        "values are known instead: redeploy the workflow from its ARM/Bicep template with "
        "the identity set (and the secure values passed as template parameters), or turn on "
        "the identity in the Azure Portal (Logic App > Settings > Identity).",
        code="SecureParametersNotReturned",
    )


def put_body(workflow: Mapping[str, Any], identity: dict[str, Any]) -> dict[str, Any]:
    """The workflow as read, with *identity* and without the properties Azure computes."""
    body = {k: v for k, v in workflow.items() if k not in READ_ONLY_TOP}
    props = workflow.get("properties") or {}
    body["properties"] = {k: v for k, v in props.items() if k not in READ_ONLY_PROPERTIES}
    body["identity"] = identity
    return body
