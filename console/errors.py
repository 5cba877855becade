"""The few typed errors the adapters raise. Messages are safe to show and to log."""

from __future__ import annotations

from dataclasses import dataclass


class ConsoleError(Exception):
    """Base class: ``message`` is safe to display (never contains a secret value)."""

    title = "Error"

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


class NotFoundError(ConsoleError):
    title = "Not found"


class ConflictError(ConsoleError):
    title = "Conflict"


class BadRequestError(ConsoleError):
    title = "Rejected by Azure"


class AuthRequiredError(ConsoleError):
    title = "Sign-in needed"


class ReadOnlyError(ConsoleError):
    title = "Read-only mode"


class ThrottledError(ConsoleError):
    title = "Throttled"

    def __init__(self, message: str, *, code: str = "", retry_after: float | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class ServiceError(ConsoleError):
    """5xx, dropped connections and other transient failures."""

    title = "Service unavailable"


@dataclass(frozen=True)
class ForbiddenKind:
    ACCESS_POLICY = "access_policy"  # not in any access policy / missing permission
    RBAC = "rbac"  # RBAC-mode vault without a matching role assignment
    FIREWALL = "firewall"  # vault firewall refused the client address
    CONNECTION = "connection"  # public network access disabled
    DISABLED = "disabled"  # the secret is disabled
    MANAGEMENT = "management"  # ARM AuthorizationFailed
    PURGE_PROTECTION = "purge_protection"  # purge refused while purge protection is on
    DIRECTORY = "directory"  # Microsoft Graph refused to read directory objects


_FORBIDDEN_TITLES = {
    ForbiddenKind.DIRECTORY: "No directory read permission",
    ForbiddenKind.ACCESS_POLICY: "No access policy permission",
    ForbiddenKind.RBAC: "No RBAC role assignment",
    ForbiddenKind.FIREWALL: "Blocked by the vault firewall",
    ForbiddenKind.CONNECTION: "Public network access disabled",
    ForbiddenKind.DISABLED: "Secret is disabled",
    ForbiddenKind.MANAGEMENT: "No management-plane role",
    ForbiddenKind.PURGE_PROTECTION: "Purge protection is on",
}


class ForbiddenError(ConsoleError):
    """A 403 that says which kind it is."""

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        code: str = "",
        client_address: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.kind = kind
        self.client_address = client_address

    @property
    def title(self) -> str:  # type: ignore[override]
        return _FORBIDDEN_TITLES.get(self.kind, "Forbidden")
