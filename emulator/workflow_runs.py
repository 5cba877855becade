"""Run a workflow's Key Vault steps as Azure would: as the workflow's identity, from its outgoing
address, against the emulated vaults. Other actions are recorded as not emulated.

The run record hides secured inputs/outputs as Azure's run history does.
"""

from __future__ import annotations

import ipaddress
import re
import ssl
import time
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import aiohttp

from emulator import tokens
from emulator.http import KEY_HEADER, SOURCE_HEADER

if TYPE_CHECKING:
    from emulator.server import Emulator

NOT_EMULATED = "NotEmulated"

# The managed Key Vault connector's "Get secret" path: /secrets/{name}/value, where the designer
# writes the name as @{encodeURIComponent('name')}. Any other expression is not evaluated here.
_CONNECTOR_SECRET = re.compile(
    r"^/secrets/(?:@\{encodeURIComponent\(\s*'(?P<quoted>[^']+)'\s*\)\}|(?P<plain>[^/?@{]+))"
)


def _connector_secret(path: str) -> str | None:
    match = _CONNECTOR_SECRET.match(path.strip())
    if match is None:
        return None
    return match.group("quoted") or match.group("plain")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def _secured(action: dict[str, Any]) -> set[str]:
    props = ((action.get("runtimeConfiguration") or {}).get("secureData") or {}).get("properties")
    return {str(p).lower() for p in props or []}


def _first_host(addresses: list[dict[str, Any]]) -> str | None:
    for entry in addresses or []:
        try:
            net = ipaddress.ip_network(str(entry.get("address", "")), strict=False)
        except ValueError:
            continue
        return str(net.network_address if net.num_addresses == 1 else next(net.hosts()))
    return None


_UNSUPPORTED = object()


def _evaluate(value: Any) -> Any:
    """The few workflow expressions the emulator evaluates (``@{guid()}``); others: unsupported."""
    if isinstance(value, str):
        if "@" not in value:
            return value
        replaced = value.replace("@{guid()}", str(uuid.uuid4()))
        return _UNSUPPORTED if "@" in replaced else replaced
    if isinstance(value, dict):
        out = {k: _evaluate(v) for k, v in value.items()}
        return _UNSUPPORTED if _UNSUPPORTED in out.values() else out
    if isinstance(value, list):
        items = [_evaluate(v) for v in value]
        return _UNSUPPORTED if _UNSUPPORTED in items else items
    return value


def _order(actions: dict[str, Any]) -> list[str]:
    """Top-level actions in runAfter order (definition order among equals)."""
    done: list[str] = []
    pending = list(actions)
    while pending:
        ready = [
            n for n in pending if all(dep in done for dep in (actions[n].get("runAfter") or {}))
        ]
        if not ready:  # a cycle or a missing predecessor: keep definition order
            ready = pending[:1]
        for name in ready:
            done.append(name)
            pending.remove(name)
    return done


class RunExecutor:
    def __init__(self, emu: Emulator, workflow: dict[str, Any]) -> None:
        self.emu = emu
        from emulator.arm.logic import resolve_placeholders

        self.workflow = workflow
        self.props = resolve_placeholders(workflow["properties"], emu)
        endpoints = self.props.get("endpointsConfiguration") or {}
        self.workflow_source = _first_host(
            (endpoints.get("workflow") or {}).get("outgoingIpAddresses") or []
        )
        self.connector_source = _first_host(
            (endpoints.get("connector") or {}).get("outgoingIpAddresses") or []
        )

    # ---- identity -------------------------------------------------------------------
    def _principal(self, identity_ref: str | None) -> str | None:
        identity = self.workflow.get("identity") or {}
        if identity_ref and identity_ref != "SystemAssigned":
            for rid, entry in (identity.get("userAssignedIdentities") or {}).items():
                if rid.lower() == identity_ref.lower():
                    principal: str | None = entry.get("principalId")
                    return principal
            return None
        if "systemassigned" in str(identity.get("type", "")).lower():
            return identity.get("principalId")
        return None

    def _token(self, principal_id: str, audience: str) -> str:
        principal = self.emu.state.principals.get(principal_id)
        app_id = principal.app_id if principal else principal_id
        token, _ = tokens.issue(
            bytes.fromhex(self.emu.state.signing_key),
            object_id=principal_id,
            tenant_id=self.emu.state.tenant_id,
            app_id=app_id,
            audience=audience.rstrip("/"),
        )
        return token

    # ---- actions --------------------------------------------------------------------
    async def _call_vault(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        token: str | None,
        source: str | None,
        payload: Any = None,
    ) -> tuple[int, Any]:
        headers = {KEY_HEADER: self.emu.internal_key}
        if source:
            headers[SOURCE_HEADER] = source
        if token:
            headers["Authorization"] = f"Bearer {token}"
        async with session.request(method, url, headers=headers, json=payload) as response:
            try:
                body = await response.json(content_type=None)
            except ValueError:
                body = None
            return response.status, body

    def _is_vault_url(self, url: str) -> bool:
        parts = urlsplit(url)
        ports = set(self.emu.state.vault_ports.values())
        return parts.hostname == self.emu.host and parts.port in ports

    async def _http(self, session: aiohttp.ClientSession, action: dict[str, Any]) -> dict[str, Any]:
        inputs = action.get("inputs") or {}
        uri = str(inputs.get("uri") or "")
        if "@" in uri or not self._is_vault_url(uri):
            return {"status": "Skipped", "code": NOT_EMULATED}
        auth = inputs.get("authentication") or {}
        token = None
        if str(auth.get("type", "")).lower() == "managedserviceidentity":
            principal = self._principal(auth.get("identity"))
            if principal is None:
                return {
                    "status": "Failed",
                    "code": "BadRequest",
                    "error": {
                        "code": "ManagedServiceIdentityNotFound",
                        "message": "The workflow does not have the managed identity the "
                        "action names (or none is enabled).",
                    },
                }
            token = self._token(
                principal, str(auth.get("audience") or "https://management.azure.com")
            )
        payload = _evaluate(inputs.get("body"))
        if payload is _UNSUPPORTED:
            return {"status": "Skipped", "code": NOT_EMULATED}
        method = str(inputs.get("method") or "GET").upper()
        queries = inputs.get("queries")
        if isinstance(queries, dict) and queries:  # Logic Apps appends `queries` to the URI
            joined = "&".join(f"{quote(str(k))}={quote(str(v))}" for k, v in queries.items())
            uri = f"{uri}{'&' if '?' in uri else '?'}{joined}"
        status, body = await self._call_vault(
            session, method, uri, token, self.workflow_source, payload
        )
        return self._result(status, body)

    def _connector_vault(self, conn: dict[str, Any]) -> str | None:
        """The vault of a Key Vault connection: on the Microsoft.Web/connections resource that
        the ``$connections`` entry names (``alternativeParameterValues.vaultName`` for managed
        identity connections)."""
        resource = self.emu.state.connections.get(str(conn.get("connectionId") or "").lower())
        if resource is None:
            return None
        props = resource.get("properties") or {}
        name = (props.get("alternativeParameterValues") or {}).get("vaultName")
        if name and str(name).lower() in self.emu.state.vault_ports:
            return str(name)
        return None

    async def _connector(
        self, session: aiohttp.ClientSession, action: dict[str, Any]
    ) -> dict[str, Any]:
        inputs = action.get("inputs") or {}
        conns = ((self.props.get("parameters") or {}).get("$connections") or {}).get("value") or {}
        conn = next(
            (c for k, c in conns.items() if "keyvault" in (k + str(c.get("id"))).lower()), None
        )
        path = str(inputs.get("path") or "")
        name = _connector_secret(path)
        vault = self._connector_vault(conn) if conn is not None else None
        if conn is None or name is None or vault is None:
            return {"status": "Skipped", "code": NOT_EMULATED}
        auth = (conn.get("connectionProperties") or {}).get("authentication") or {}
        if str(auth.get("type", "")).lower() != "managedserviceidentity":
            return {"status": "Skipped", "code": NOT_EMULATED}
        principal = self._principal(auth.get("identity"))
        if principal is None:
            return {
                "status": "Failed",
                "code": "BadRequest",
                "error": {
                    "code": "ManagedServiceIdentityNotFound",
                    "message": "The connection uses a managed identity the workflow does not have.",
                },
            }
        url = f"{self.emu.vault_uri(vault)}secrets/{name}?api-version=7.4"
        status, body = await self._call_vault(
            session,
            "GET",
            url,
            self._token(principal, "https://vault.azure.net"),
            self.connector_source,
        )
        if status == 200 and isinstance(body, dict):
            body = {
                "value": body.get("value"),
                "name": name,
                "version": str(body.get("id", "")).rsplit("/", 1)[-1],
                "contentType": body.get("contentType"),
                "isEnabled": (body.get("attributes") or {}).get("enabled", True),
            }
        return self._result(status, body)

    @staticmethod
    def _result(status: int, body: Any) -> dict[str, Any]:
        outputs = {"statusCode": status, "body": body}
        if 200 <= status < 300:
            return {"status": "Succeeded", "code": "OK", "outputs": outputs}
        error = (body or {}).get("error") if isinstance(body, dict) else None
        return {
            "status": "Failed",
            "code": {401: "Unauthorized", 403: "Forbidden", 404: "NotFound"}.get(
                status, "BadRequest"
            ),
            "outputs": outputs,
            "error": {
                "code": (error or {}).get("code", str(status)),
                "message": (error or {}).get("message", "The request failed."),
            },
        }

    async def run(self, trigger: str) -> dict[str, Any]:
        actions: dict[str, Any] = (self.props.get("definition") or {}).get("actions") or {}
        started = time.time()
        records: dict[str, dict[str, Any]] = {}
        ctx = ssl.create_default_context(cafile=str(self.emu.ca_path))
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx)) as session:
            for name in _order(actions):
                action = actions[name]
                begin = time.time()
                wanted = action.get("runAfter") or {}
                ok = all(
                    records.get(dep, {}).get("status") in (statuses or ["Succeeded"])
                    or records.get(dep, {}).get("code") == NOT_EMULATED
                    for dep, statuses in wanted.items()
                )
                kind = str(action.get("type", "")).lower()
                result: dict[str, Any]
                if not ok:
                    result = {"status": "Skipped", "code": "ActionSkipped"}
                elif kind == "http":
                    result = await self._http(session, action)
                elif kind == "apiconnection":
                    result = await self._connector(session, action)
                else:
                    result = {"status": "Skipped", "code": NOT_EMULATED}
                secured = _secured(action)
                result["inputs"] = None if "inputs" in secured else action.get("inputs")
                if "outputs" in secured:
                    result["outputs"] = None
                result.update(
                    name=name,
                    type=action.get("type"),
                    secured=sorted(secured),
                    startTime=_iso(begin),
                    endTime=_iso(time.time()),
                )
                records[name] = result
        failed = any(r["status"] == "Failed" for r in records.values())
        run = {
            "name": f"0858{uuid.uuid4().int % 10**16:016d}CU00",
            "trigger": trigger,
            "status": "Failed" if failed else "Succeeded",
            "startTime": _iso(started),
            "endTime": _iso(time.time()),
            "actions": records,
        }
        self.emu.state.runs.setdefault(self.workflow["id"].lower(), []).insert(0, run)
        return run
