"""Tokens the emulator signs (HS256 JWT) and checks on every request."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

TOKEN_LIFETIME = 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Caller:
    """Who a valid token says is calling."""

    object_id: str
    tenant_id: str
    app_id: str
    audience: str
    expires: int

    def describe(self) -> str:
        """The caller as Key Vault names it in error messages."""
        return f"appid={self.app_id};oid={self.object_id};iss=https://sts.windows.net/{self.tenant_id}/"


class TokenError(Exception):
    pass


def issue(
    key: bytes,
    *,
    object_id: str,
    tenant_id: str,
    app_id: str,
    audience: str,
    lifetime: int = TOKEN_LIFETIME,
    now: float | None = None,
) -> tuple[str, int]:
    issued = int(now if now is not None else time.time())
    claims: dict[str, str | int] = {
        "aud": audience,
        "iss": f"https://sts.windows.net/{tenant_id}/",
        "iat": issued,
        "nbf": issued,
        "exp": issued + lifetime,
        "oid": object_id,
        "tid": tenant_id,
        "appid": app_id,
        "sub": object_id,
        "ver": "1.0",
    }
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    sig = _b64(hmac.new(key, f"{header}.{body}".encode(), hashlib.sha256).digest())
    return f"{header}.{body}.{sig}", issued + lifetime


def verify(
    key: bytes, token: str, *, audiences: tuple[str, ...], now: float | None = None
) -> Caller:
    try:
        header, body, sig = token.split(".")
    except ValueError as exc:
        raise TokenError("malformed token") from exc
    expected = _b64(hmac.new(key, f"{header}.{body}".encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, sig):
        raise TokenError("bad signature")
    try:
        claims = json.loads(_unb64(body))
    except ValueError as exc:
        raise TokenError("malformed token") from exc
    if int(claims.get("exp", 0)) < int(now if now is not None else time.time()):
        raise TokenError("expired")
    aud = str(claims.get("aud", "")).rstrip("/")
    # Entra matches a resource URI without regard to case or a trailing slash [?].
    if aud.lower() not in {a.rstrip("/").lower() for a in audiences}:
        raise TokenError("wrong audience")
    return Caller(claims["oid"], claims["tid"], claims.get("appid", ""), aud, int(claims["exp"]))
