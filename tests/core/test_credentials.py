"""The service principal's secret lives in the OS keyring, never in a file."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from console.credentials import (
    KeyringUnavailableError,
    delete_client_secret,
    keyring_available,
    load_client_secret,
    store_client_secret,
)
from console.masked import MASK, MaskedValue

CANARY = "canary-sp-secret-9f1c"


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.store[(service, username)]


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_store_load_delete(memory_keyring: MemoryKeyring, isolated_dirs: Path) -> None:
    assert load_client_secret("tenant", "client") is None
    store_client_secret("tenant", "client", MaskedValue(CANARY))
    loaded = load_client_secret("tenant", "client")
    assert loaded is not None and loaded.reveal() == CANARY and str(loaded) == MASK
    assert list(memory_keyring.store.values()) == [CANARY]
    # Nothing under the user's directories holds it.
    for path in isolated_dirs.rglob("*"):
        if path.is_file():
            assert CANARY not in path.read_text(errors="ignore")
    assert delete_client_secret("tenant", "client") is True
    assert delete_client_secret("tenant", "client") is False
    assert keyring_available()


def test_no_backend_gives_a_clear_message_with_what_to_do(no_keyring) -> None:
    with pytest.raises(KeyringUnavailableError) as info:
        store_client_secret("tenant", "client", MaskedValue(CANARY))
    message = info.value.message
    assert "AZURE_CLIENT_SECRET" in message and "az login" in message
    assert CANARY not in message and CANARY not in repr(info.value)
    assert not keyring_available()
    with pytest.raises(KeyringUnavailableError):
        load_client_secret("tenant", "client")
