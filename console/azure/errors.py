"""azure.core exceptions -> the typed errors of console/errors.py, with safe, actionable messages.

A message reads: one line saying what happened and what to do, then Azure's own text (safe: Azure
never echoes a secret value). SDK exceptions are recognised by class name so this module imports
nothing from azure at import time.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from console.errors import (
    AuthRequiredError,
    BadRequestError,
    ConflictError,
    ConsoleError,
    ForbiddenError,
    ForbiddenKind,
    NotFoundError,
    ServiceError,
    ThrottledError,
)

P = ParamSpec("P")
T = TypeVar("T")

_CLIENT_ADDRESS = re.compile(r"Client address:\s*([0-9A-Fa-f.:]+)")
SIGN_IN_HINT = "Sign in again (run `az login`, or use device-code sign-in) and refresh."

PURGE_PROTECTION = ForbiddenKind.PURGE_PROTECTION
_FORBIDDEN_ADVICE = {
    ForbiddenKind.ACCESS_POLICY: "Ask a vault admin for the permission in the vault's access "
    "policies (Access tab).",
    ForbiddenKind.RBAC: "This vault uses Azure RBAC: a role such as Key Vault Secrets User is "
    "needed on the vault or the secret (role changes can take minutes to apply).",
    ForbiddenKind.FIREWALL: "Add the address to the vault's IP rules (Networking), or connect "
    "from an allowed network.",
    ForbiddenKind.CONNECTION: "Public network access is disabled on this vault: use a private "
    "endpoint, or enable public access.",
    ForbiddenKind.DISABLED: "Enable the secret (or pick an enabled version) to read it.",
    PURGE_PROTECTION: "Purge protection is on for this vault: a deleted secret can be recovered, "
    "and Azure purges it itself when the retention period ends.",
    ForbiddenKind.MANAGEMENT: "Your role on this subscription or resource does not allow it: ask "
    "for Contributor (or a narrower role that does).",
}
_INNER_TO_KIND = {
    "accessdenied": ForbiddenKind.ACCESS_POLICY,
    "forbiddenbyrbac": ForbiddenKind.RBAC,
    "forbiddenbyfirewall": ForbiddenKind.FIREWALL,
    "forbiddenbyconnection": ForbiddenKind.CONNECTION,
    "secretdisabled": ForbiddenKind.DISABLED,
    "forbiddenbypolicy": ForbiddenKind.ACCESS_POLICY,
}
_AUTH_CLASSES = {"ClientAuthenticationError", "CredentialUnavailableError"}
_NETWORK_CLASSES = {
    "ServiceRequestError",
    "ServiceResponseError",
    "ServiceRequestTimeoutError",
    "ServiceResponseTimeoutError",
    "ClientConnectorError",
    "TimeoutError",
}


def _class_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _error_body(exc: BaseException) -> tuple[str, str, str]:
    """(code, message, inner code) from the SDK's parsed error, or the raw JSON body."""
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None) or ""
    message = getattr(error, "message", None) or ""
    inner = getattr(error, "innererror", None) or {}
    if not (code or message):
        response = getattr(exc, "response", None)
        try:
            body = json.loads(response.text()) if response is not None else {}
            err = body.get("error", body) if isinstance(body, dict) else {}
            code, message = err.get("code") or "", err.get("message") or ""
            inner = err.get("innererror") or {}
        except (ValueError, AttributeError, TypeError):
            pass
    inner_code = inner.get("code", "") if isinstance(inner, dict) else ""
    if not message:
        message = getattr(exc, "reason", None) or type(exc).__name__
    return str(code), str(message).strip(), str(inner_code)


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _join(summary: str, azure_text: str) -> str:
    text = re.sub(r"\s*\r?\n\s*", " · ", azure_text.strip())
    return f"{summary}\nAzure: {text}" if text else summary


def to_console_error(exc: BaseException) -> ConsoleError | None:
    """The typed error for an SDK/transport exception, or None when it is not one of ours."""
    if isinstance(exc, ConsoleError):
        return exc
    names = _class_names(exc)
    status = getattr(exc, "status_code", None)
    if names & _NETWORK_CLASSES and status is None:
        return ServiceError(
            _join("Could not reach Azure: check the network and retry.", _first_line(exc))
        )
    if status is None and names & _AUTH_CLASSES:
        return AuthRequiredError(_join(f"Not signed in. {SIGN_IN_HINT}", _first_line(exc)))
    if "HttpResponseError" not in names or status is None:
        return None
    code, message, inner = _error_body(exc)
    if status == 401:
        if not code and names & _AUTH_CLASSES:  # the token endpoint's error, not Azure's body
            message = _first_line(exc)
        return AuthRequiredError(
            _join(f"Sign-in refused or expired. {SIGN_IN_HINT}", message), code=code
        )
    if status == 403:
        return _forbidden(code, inner, message)
    if status == 404:
        return NotFoundError(
            _join(
                "Not found: it may have been deleted, or the name or "
                "address is wrong. Refresh the list.",
                message,
            ),
            code=code,
        )
    if status == 409:
        return ConflictError(
            _join(
                "Azure refused the change because of the resource's current "
                "state: refresh and try again.",
                message,
            ),
            code=code,
        )
    if status == 429:
        retry = _retry_after(exc)
        wait = f" in {retry:g} s" if retry else " shortly"
        return ThrottledError(
            _join(f"Azure is throttling requests: retry{wait}.", message),
            code=code,
            retry_after=retry,
        )
    if status in (400, 405, 411, 413, 414, 415, 422):
        return BadRequestError(
            _join("Azure rejected the request: correct the input.", message), code=code
        )
    return ServiceError(_join(f"Azure answered {status}: retry later.", message), code=code)


def _forbidden(code: str, inner: str, message: str) -> ForbiddenError:
    if code == "AuthorizationFailed" or "authorization to perform action" in message:
        kind = ForbiddenKind.MANAGEMENT
    elif "purge protection" in message.lower():
        kind = PURGE_PROTECTION
    else:
        kind = _INNER_TO_KIND.get(inner.lower(), "")
        if not kind:
            kind = (
                ForbiddenKind.DISABLED
                if "disabled secret" in message
                else (
                    ForbiddenKind.FIREWALL
                    if "Client address" in message
                    else ForbiddenKind.ACCESS_POLICY
                )
            )
    match = _CLIENT_ADDRESS.search(message)
    address = match.group(1).rstrip(".") if match and kind == ForbiddenKind.FIREWALL else None
    summary = _FORBIDDEN_ADVICE[kind]
    if kind == ForbiddenKind.FIREWALL and not address:
        summary = f"The vault firewall refuses this console's address. {summary}"
    if address:
        summary = f"The vault firewall refuses this console's address {address}. {summary}"
    return ForbiddenError(
        _join(summary, message), kind=kind, code=inner or code, client_address=address
    )


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "message", None) or exc or type(exc).__name__)
    return text.strip().splitlines()[0][:300] if text.strip() else type(exc).__name__


def _translate(self: Any, exc: Exception) -> Exception:
    err = to_console_error(exc)
    if err is None:
        return exc
    address = getattr(err, "client_address", None)
    if address and hasattr(self, "connection"):
        self.connection.note_client_address(address)
    return err


def mapped(func: Callable[P, Awaitable[T]]) -> Callable[P, Coroutine[Any, Any, T]]:
    """Wrap an async method of the service: SDK exceptions leave it as console errors."""

    @functools.wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await func(*args, **kwargs)
        except ConsoleError:
            raise
        except Exception as exc:  # noqa: BLE001 - translated or re-raised unchanged
            err = _translate(args[0] if args else None, exc)
            if err is exc:
                raise
            raise err from None  # the SDK chain adds nothing safe to show

    return wrapper


def mapped_pages(
    func: Callable[P, AsyncIterator[T]],
) -> Callable[P, AsyncIterator[T]]:
    """Like :func:`mapped` for a method returning an async iterator of pages."""

    @functools.wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> AsyncIterator[T]:
        try:
            async for page in func(*args, **kwargs):
                yield page
        except ConsoleError:
            raise
        except Exception as exc:  # noqa: BLE001
            err = _translate(args[0] if args else None, exc)
            if err is exc:
                raise
            raise err from None

    return wrapper
