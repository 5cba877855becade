"""Shared set-up for the Key Vault data-plane tests (no tests here): tenant, clients, raw calls."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from azure.identity import ClientSecretCredential
from azure.keyvault.secrets import SecretClient

from emulator import factories
from emulator.server import Emulator
from emulator.state import (
    Principal,
    SecretRecord,
    SecretVersion,
    State,
    new_version,
    now_ts,
)

SUB = "00000000-0000-4000-8000-000000000001"
RG = "rg-dataplane"
ALL_SECRET_PERMISSIONS = ["get", "list", "set", "delete", "backup", "restore", "recover", "purge"]


@dataclass
class Tenant:
    state: State
    owner: Principal  # full secret permissions on the access-policy vaults
    stranger: Principal  # a valid principal with no grant anywhere


def tenant(**vault_kwargs: Any) -> Tenant:
    """One subscription, resource group and vault 'kv-main' where the owner may do everything."""
    state = State()
    factories.add_subscription(state, SUB, "Data plane tests")
    factories.add_resource_group(state, SUB, RG)
    owner = factories.add_principal(state, "ServicePrincipal", "app-owner", client_secret="s-owner")
    stranger = factories.add_principal(
        state, "ServicePrincipal", "app-stranger", client_secret="s-stranger"
    )
    policies = [factories.access_policy(state, owner.object_id, ALL_SECRET_PERMISSIONS)]
    factories.add_vault(state, SUB, RG, "kv-main", access_policies=policies, **vault_kwargs)
    return Tenant(state, owner, stranger)


def seed_secret(state: State, name: str, *values: str, vault: str = "kv-main") -> SecretRecord:
    """Secrets put straight into the state (fast set-up for paging tests)."""
    now = now_ts()
    record = SecretRecord(name, [SecretVersion(new_version(), v, now, now) for v in values])
    state.vault_secrets(vault)[name.lower()] = record
    return record


def credential(emu: Emulator, principal: Principal) -> ClientSecretCredential:
    assert principal.client_secret
    return ClientSecretCredential(
        emu.state.tenant_id,
        principal.app_id,
        principal.client_secret,
        authority=emu.base_url,
        disable_instance_discovery=True,
        connection_verify=str(emu.ca_path),
    )


def client(emu: Emulator, principal: Principal, vault: str = "kv-main", **kw: Any) -> SecretClient:
    return SecretClient(
        emu.vault_uri(vault),
        credential(emu, principal),
        verify_challenge_resource=False,
        connection_verify=str(emu.ca_path),
        **kw,
    )


def token(emu: Emulator, principal: Principal) -> str:
    return credential(emu, principal).get_token("https://vault.azure.net/.default").token


@dataclass
class Raw:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: Any


def raw(
    emu: Emulator,
    method: str,
    url: str,
    *,
    bearer: str | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> Raw:
    """A plain HTTPS request (no SDK) so tests can see status, headers and the JSON as sent."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if bearer:
        all_headers["Authorization"] = f"Bearer {bearer}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    context = ssl.create_default_context(cafile=str(emu.ca_path))
    try:
        with urllib.request.urlopen(request, context=context) as response:
            status, hdrs, text = response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        status, hdrs, text = exc.code, exc.headers, exc.read()
    parsed = json.loads(text) if text else None
    return Raw(status, {k.lower(): v for k, v in hdrs.items()}, parsed)
