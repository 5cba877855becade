"""Response helpers shared by the emulator's routes: Azure's error bodies, headers, paging."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from aiohttp import web

# The emulator's own workflow runs call a vault "from" a Logic App's outgoing address with these;
# the source header is only honoured together with the emulator's private key.
SOURCE_HEADER = "x-kvconsole-emulator-source"
KEY_HEADER = "x-kvconsole-emulator-key"
ARM_NOT_FOUND_FIX = "For more details please go to https://aka.ms/ARMResourceNotFoundFix"


class AzureHttpError(web.HTTPException):
    """Raised by routes; rendered as Azure's JSON error body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        inner: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status_code = status
        error: dict[str, Any] = {"code": code, "message": message}
        if inner:
            error["innererror"] = {"code": inner}
        super().__init__(
            text=json.dumps({"error": error}),
            content_type="application/json",
            headers=headers,
        )
        self.code = code
        self.inner = inner


def request_headers(request: web.Request) -> dict[str, str]:
    rid = str(uuid.uuid4())
    headers = {"x-ms-request-id": rid, "x-ms-correlation-request-id": rid}
    client_rid = request.headers.get("x-ms-client-request-id")
    if client_rid:
        headers["x-ms-client-request-id"] = client_rid
    return headers


def json_response(
    request: web.Request, body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    all_headers = request_headers(request)
    if headers:
        all_headers.update(headers)
    return web.Response(
        status=status,
        text=json.dumps(body),
        content_type="application/json",
        headers=all_headers,
    )


def require_api_version(request: web.Request, accepted: set[str] | None = None) -> str:
    """ARM and Key Vault both reject a request without api-version."""
    version = request.query.get("api-version")
    if not version:
        raise AzureHttpError(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    if accepted is not None and version not in accepted:
        raise AzureHttpError(
            400,
            "InvalidApiVersionParameter",
            f"The api-version '{version}' is invalid. The supported versions are "
            f"'{','.join(sorted(accepted, reverse=True))}'.",
        )
    return version


def encode_skiptoken(offset: int) -> str:
    raw = json.dumps({"NextMarker": offset, "TargetLocation": 0}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_skiptoken(token: str | None) -> int:
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        return max(0, int(json.loads(raw)["NextMarker"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise AzureHttpError(400, "BadParameter", "The skiptoken is not valid.") from exc


def page(
    request: web.Request, items: list[Any], *, page_size: int, base_url: str | None = None
) -> dict[str, Any]:
    """One page of *items* with Azure's ``nextLink`` (absolute URL, other query kept)."""
    start = decode_skiptoken(request.query.get("$skiptoken"))
    chunk = items[start : start + page_size]
    body: dict[str, Any] = {"value": chunk}
    if start + page_size < len(items):
        query = {k: v for k, v in request.query.items() if k != "$skiptoken"}
        query["$skiptoken"] = encode_skiptoken(start + page_size)
        origin = base_url or f"{request.scheme}://{request.host}"
        url = request.url.with_query(query)
        body["nextLink"] = f"{origin.rstrip('/')}{url.raw_path_qs}"
    # The last page of an ARM list has no nextLink key at all (issue 12; the recorded Azure CLI
    # list answers end without one) [?: some providers send "nextLink": null].
    return body


async def read_json(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError as exc:
        raise AzureHttpError(
            400,
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized.",
        ) from exc
    if not isinstance(body, dict):
        raise AzureHttpError(
            400,
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized.",
        )
    return body
