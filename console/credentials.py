"""The service principal's client secret, kept in the OS keyring and never in a file."""

from __future__ import annotations

import keyring
import keyring.errors

from console.errors import ConsoleError
from console.masked import MaskedValue

SERVICE = "kvconsole"

NO_KEYRING_HELP = (
    "No OS keyring is available here, so the service principal's secret cannot be stored "
    "(kvconsole never writes it to a file). Either set AZURE_TENANT_ID, AZURE_CLIENT_ID and "
    "AZURE_CLIENT_SECRET in the environment and use the default sign-in, or run `az login` "
    "and use the default sign-in. On a desktop, unlock or install a keyring service "
    "(GNOME Keyring, KWallet, macOS Keychain, Windows Credential Manager)."
)


class KeyringUnavailableError(ConsoleError):
    title = "No keyring"

    def __init__(self, detail: str = "") -> None:
        message = NO_KEYRING_HELP if not detail else f"{NO_KEYRING_HELP} ({detail})"
        super().__init__(message, code="NoKeyring")


def _account(tenant_id: str, client_id: str) -> str:
    return f"{tenant_id}/{client_id}"


def _backend() -> keyring.backend.KeyringBackend:
    backend = keyring.get_keyring()
    # keyrings.alt's PlaintextKeyring is a file on disk: exactly what we promise not to do.
    if type(backend).__name__ in {"PlaintextKeyring", "EncryptedKeyring"}:
        raise KeyringUnavailableError(f"refusing the file-based backend {type(backend).__name__}")
    return backend


def store_client_secret(tenant_id: str, client_id: str, secret: MaskedValue) -> None:
    try:
        _backend().set_password(SERVICE, _account(tenant_id, client_id), secret.reveal())
    except keyring.errors.NoKeyringError as exc:
        raise KeyringUnavailableError(type(exc).__name__) from None
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailableError(type(exc).__name__) from None


def load_client_secret(tenant_id: str, client_id: str) -> MaskedValue | None:
    """The stored secret, or None when nothing is stored for this principal."""
    try:
        value = _backend().get_password(SERVICE, _account(tenant_id, client_id))
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailableError(type(exc).__name__) from None
    return None if value is None else MaskedValue(value)


def delete_client_secret(tenant_id: str, client_id: str) -> bool:
    """Forget the stored secret; False when there was none."""
    try:
        _backend().delete_password(SERVICE, _account(tenant_id, client_id))
    except keyring.errors.PasswordDeleteError:
        return False
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailableError(type(exc).__name__) from None
    return True


def keyring_available() -> bool:
    try:
        backend = _backend()
    except KeyringUnavailableError:
        return False
    from keyring.backends import fail

    return not isinstance(backend, fail.Keyring)
