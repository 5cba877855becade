"""Find the Key Vault actions in a Logic App workflow definition (UI-free, pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_CONNECTION_KEY = re.compile(r"\[\s*'([^']+)'\s*\]")
_SECRET_IN_PATH = re.compile(r"/secrets/(?:@\{encodeURIComponent\(\s*'([^']+)'\s*\)\}|([^/?@{]+))")


@dataclass(frozen=True)
class KeyVaultAction:
    name: str  # the action's name in the definition (path for nested actions: "Scope/Get")
    kind: str  # "http" | "connector"
    method: str
    target: str  # the URI (HTTP) or path (connector) as written
    vault_uri: str | None  # the known vault it points at, when one matches
    secret_name: str | None
    auth_type: str  # e.g. ManagedServiceIdentity, None, Raw ...
    audience: str | None
    identity: str | None  # user-assigned identity resource id when named
    secure_inputs: bool
    secure_outputs: bool
    connection: str | None = None  # connector actions: the API connection's name
    api_version: str | None = None  # HTTP actions: from the URI's query or the `queries` input

    @property
    def is_secured(self) -> bool:
        return self.secure_inputs and self.secure_outputs


def _children(action: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Nested actions of Scope / If / Foreach / Until / Switch."""
    for key, value in (action.get("actions") or {}).items():
        yield key, value
    for key, value in ((action.get("else") or {}).get("actions") or {}).items():
        yield key, value
    for case in (action.get("cases") or {}).values():
        for key, value in (case.get("actions") or {}).items():
            yield key, value
    for key, value in ((action.get("default") or {}).get("actions") or {}).items():
        yield key, value


def iter_actions(definition: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every action with its path, depth first, in definition order."""
    stack: list[tuple[str, Mapping[str, Any]]] = list(
        reversed(list((definition.get("actions") or {}).items()))
    )
    while stack:
        path, action = stack.pop()
        if not isinstance(action, Mapping):
            continue
        yield path, action
        nested = [(f"{path}/{k}", v) for k, v in _children(action)]
        stack.extend(reversed(nested))


def _secure(action: Mapping[str, Any]) -> tuple[bool, bool]:
    props = ((action.get("runtimeConfiguration") or {}).get("secureData") or {}).get(
        "properties"
    ) or []
    props = {str(p).lower() for p in props}
    return "inputs" in props, "outputs" in props


def _secret_name(text: str) -> str | None:
    match = _SECRET_IN_PATH.search(text)
    if not match:
        return None
    return match.group(1) or match.group(2)


def _api_version(uri: str, queries: Any) -> str | None:
    """The HTTP action's api-version: Logic Apps adds the `queries` input to the URI's query
    (a value in both is sent twice [?]; the URI's is reported here)."""
    match = re.search(r"[?&]api-version=([^&#]+)", uri)
    if match:
        return match.group(1)
    if isinstance(queries, Mapping):
        for key, value in queries.items():
            if str(key).lower() == "api-version" and value is not None:
                return str(value)
    return None


def _match_vault(uri: str, vault_uris: Iterable[str]) -> str | None:
    low = uri.lower()
    for vault in vault_uris:
        if low.startswith(vault.lower().rstrip("/")):
            return vault
    return None


def _connections(parameters: Mapping[str, Any]) -> Mapping[str, Any]:
    conns = (parameters or {}).get("$connections") or {}
    return conns.get("value") or {}


def _is_keyvault_connection(key: str, conn: Mapping[str, Any]) -> bool:
    api_id = str(conn.get("id") or "").lower()
    if api_id:
        return api_id.rstrip("/").endswith("/managedapis/keyvault")
    return "keyvault" in key.lower()


def find_keyvault_actions(
    definition: Mapping[str, Any],
    parameters: Mapping[str, Any] | None = None,
    vault_uris: Iterable[str] = (),
) -> list[KeyVaultAction]:
    """HTTP actions aimed at a known vault (or any ``/secrets/`` URI) and Key Vault connector
    actions, each with its authentication and Secure Inputs/Outputs settings."""
    vault_uris = tuple(vault_uris)
    connections = _connections(parameters or {})
    found: list[KeyVaultAction] = []
    for path, action in iter_actions(definition or {}):
        kind = str(action.get("type") or "").lower()
        inputs = action.get("inputs") or {}
        if not isinstance(inputs, Mapping):
            continue
        secure_in, secure_out = _secure(action)
        if kind == "http":
            uri = str(inputs.get("uri") or "")
            vault = _match_vault(uri, vault_uris)
            if vault is None and "/secrets/" not in uri.lower() and ".vault." not in uri.lower():
                continue
            auth = inputs.get("authentication") or {}
            found.append(
                KeyVaultAction(
                    name=path,
                    kind="http",
                    method=str(inputs.get("method") or "GET").upper(),
                    target=uri,
                    vault_uri=vault,
                    secret_name=_secret_name(uri),
                    auth_type=str(auth.get("type") or "None"),
                    audience=auth.get("audience"),
                    identity=auth.get("identity"),
                    secure_inputs=secure_in,
                    secure_outputs=secure_out,
                    api_version=_api_version(uri, inputs.get("queries")),
                )
            )
        elif kind == "apiconnection":
            ref = str(((inputs.get("host") or {}).get("connection") or {}).get("name") or "")
            keys = _CONNECTION_KEY.findall(ref)
            key = keys[0] if keys else ref
            conn = connections.get(key) or {}
            if not _is_keyvault_connection(key, conn):
                continue
            auth = (conn.get("connectionProperties") or {}).get("authentication") or {}
            target = str(inputs.get("path") or "")
            found.append(
                KeyVaultAction(
                    name=path,
                    kind="connector",
                    method=str(inputs.get("method") or "get").upper(),
                    target=target,
                    vault_uri=None,
                    secret_name=_secret_name(target),
                    auth_type=str(auth.get("type") or ("Connection" if conn else "Unknown")),
                    audience=auth.get("audience"),
                    identity=auth.get("identity"),
                    secure_inputs=secure_in,
                    secure_outputs=secure_out,
                    connection=str(conn.get("connectionName") or key),
                )
            )
    return found
