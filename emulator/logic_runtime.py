"""The Logic Apps runtime host that serves run-history contents (``inputsLink``/``outputsLink``).

On Azure these links point at ``https://prod-NN.<region>.logic.azure.com:443/workflows/<key>/runs/
<run>/actions/<action>/contents/ActionOutputs?api-version=2016-06-01&se=…&sp=…&sv=1.0&sig=…``
[published SDK examples]: another host than ARM, authorised by the SAS in the query alone. A
request that also carries an Authorization header is refused with
``DirectApiRequestHasMoreThanOneAuthorization`` [I: the same host's trigger URLs answer so; that
content links answer the same, and the status 401, are not confirmed ?].
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

from emulator.http import AzureHttpError, json_response

if TYPE_CHECKING:
    from emulator.server import Emulator

CONTENT_API_VERSION = "2016-06-01"
KINDS = {"actioninputs": "inputs", "actionoutputs": "outputs"}


def workflow_key(workflow: dict[str, Any]) -> str:
    """The runtime's name for a workflow: the last segment of its accessEndpoint."""
    endpoint = str((workflow.get("properties") or {}).get("accessEndpoint") or "")
    return endpoint.rstrip("/").rsplit("/", 1)[-1] or workflow["name"]


def _signature(emu: Emulator, path: str, permissions: str, expiry: str) -> str:
    key = bytes.fromhex(emu.state.signing_key)
    mac = hmac.new(key, f"{path}\n{permissions}\n{expiry}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def content_link(emu: Emulator, workflow: dict[str, Any], run: str, action: str, kind: str) -> str:
    """A SAS-signed link to one action's inputs or outputs, valid for a few hours."""
    tail = f"/runs/{run}/actions/{action}/contents/Action{kind.capitalize()}"
    path = f"/workflows/{workflow_key(workflow)}{tail}"
    expiry = (datetime.now(UTC) + timedelta(hours=4)).strftime("%Y-%m-%dT%H:00:00.0000000Z")
    permissions = f"{tail}/read"
    sig = _signature(emu, path, permissions, expiry)
    return (
        f"{emu.runtime_url}{path}?api-version={CONTENT_API_VERSION}&se={quote(expiry, safe='')}"
        f"&sp={quote(permissions, safe='')}&sv=1.0&sig={sig}"
    )


def _unauthorized(code: str, message: str) -> AzureHttpError:
    return AzureHttpError(401, code, message)


def _check_sas(emu: Emulator, request: web.Request) -> None:
    header = request.headers.get("Authorization")
    if header:
        scheme = header.split(" ", 1)[0]
        raise _unauthorized(
            "DirectApiRequestHasMoreThanOneAuthorization",
            f"The request has both SAS authentication scheme and '{scheme}' authorization "
            "scheme. Only one scheme should be used.",
        )
    q = request.query
    if not (q.get("sp") and q.get("sv") and q.get("sig")):
        raise _unauthorized(
            "AuthorizationFailed",
            "Required parameters for shared access URL are permissions ('sp'), version ('sv'), "
            "and signature ('sig').",
        )
    wanted = _signature(emu, request.path, q["sp"], q.get("se", ""))
    if not hmac.compare_digest(wanted, q["sig"]):
        raise _unauthorized(  # [? wording]
            "AuthorizationFailed", "The provided shared access signature is not valid."
        )
    try:
        expiry = datetime.strptime(q.get("se", "")[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        expiry = datetime.min.replace(tzinfo=UTC)
    if expiry < datetime.now(UTC):
        raise _unauthorized(  # [? wording]
            "AuthorizationFailed", "The shared access signature has expired."
        )


def register(app: web.Application, emu: Emulator) -> None:
    async def get_content(request: web.Request) -> web.StreamResponse:
        _check_sas(emu, request)
        m = request.match_info
        workflow = next(
            (w for w in emu.state.workflows.values() if workflow_key(w) == m["key"]), None
        )
        kind = KINDS.get(m["kind"].lower())
        run = next(
            (
                r
                for r in emu.state.runs.get(str((workflow or {}).get("id", "")).lower(), [])
                if r["name"] == m["run"]
            ),
            None,
        )
        record = (run or {}).get("actions", {}).get(m["action"]) if run else None
        if kind is None or record is None or record.get(kind) is None:
            raise AzureHttpError(404, "ContentNotFound", "The content was not found.")
        return json_response(request, record[kind])

    path = "/workflows/{key}/runs/{run}/actions/{action}/contents/{kind}"
    app.router.add_get(path, get_content)
