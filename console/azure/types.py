"""Small frozen results of the adapters that console/models.py does not cover."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SignedIn:
    """Who the console acts as, read from the access token's claims (not verified: display only)."""

    object_id: str | None
    tenant_id: str | None
    display_name: str  # UPN or name for a user; app id for a service principal
    kind: str = "Unknown"  # User | ServicePrincipal | Unknown
    app_id: str | None = None
