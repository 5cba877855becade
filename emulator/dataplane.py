"""Key Vault data plane (secrets) for one vault, on the vault's own origin.

Every request goes through the checks in Azure's order: token (401 + challenge), api-version,
the vault still existing, the firewall, then the caller's permission; then the operation.
Shapes and limits: tests/fixtures/azure-api/REFERENCE.md section 3 and dataplane_bodies.py.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from aiohttp import web

from emulator import authz
from emulator import dataplane_bodies as bodies
from emulator.http import (
    AzureHttpError,
    decode_skiptoken,
    encode_skiptoken,
    json_response,
    read_json,
    request_headers,
)
from emulator.roles import role_allows
from emulator.state import (
    DeletedSecretRecord,
    SecretRecord,
    SecretVersion,
    new_version,
    now_ts,
)

if TYPE_CHECKING:
    from emulator.server import Emulator
    from emulator.tokens import Caller

SERVICE_VERSION = "1.9.2611.1"
RBAC_ASSIGNMENT = web.RequestKey("kv_rbac_assignment_id", str)  # set when an RBAC check passed

Handler = Callable[[web.Request, dict[str, Any], str, str], Awaitable[web.StreamResponse]]
T = TypeVar("T")


def register(app: web.Application, emu: Emulator, vault_name: str) -> None:
    """Add the secrets routes of *vault_name* to *app*."""
    plane = VaultPlane(emu, vault_name)
    app.on_response_prepare.append(plane.add_headers)
    # One catch-all route: the token check comes first even for paths Key Vault does not know.
    app.router.add_route("*", "/{tail:.*}", plane.dispatch)


def find(records: dict[str, T], name: str) -> tuple[str, T] | None:
    """Case-insensitive look-up (identifiers are case-insensitive; keys may keep any case)."""
    lname = name.lower()
    if lname in records:
        return lname, records[lname]
    for key, record in records.items():
        if key.lower() == lname:
            return key, record
    return None


class VaultPlane:
    """The secrets API of one vault; state is read on every request (ARM may change the vault)."""

    def __init__(self, emu: Emulator, vault_name: str) -> None:
        self.emu = emu
        self.name = vault_name
        vault = emu.state.vault_by_name(vault_name)
        self._region = (vault or {}).get("location", "westeurope")

    # ---- plumbing -----------------------------------------------------------------------
    @property
    def origin(self) -> str:
        return self.emu.vault_uri(self.name).rstrip("/")

    def _label(self, vault: dict[str, Any]) -> str:
        return f"{vault['name']};location={vault.get('location', self._region)}"

    async def add_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        """Key Vault's headers on every response, errors included (3.6)."""
        headers = response.headers
        headers.setdefault("x-ms-request-id", str(uuid.uuid4()))
        client_rid = request.headers.get("x-ms-client-request-id")
        if client_rid:
            headers["x-ms-client-request-id"] = client_rid
        vault = self.emu.state.vault_by_name(self.name)
        if vault is not None:
            self._region = vault.get("location", self._region)
        headers["x-ms-keyvault-region"] = str(self._region).replace(" ", "").lower()
        headers["x-ms-keyvault-service-version"] = SERVICE_VERSION
        # The address the firewall evaluates; the console learns its public address from it.
        headers["x-ms-keyvault-network-info"] = (
            f"conn_type=Ipv4;addr={self.emu.client_address(request)};act_addr_fam=InterNetwork;"
        )
        assignment = request.get(RBAC_ASSIGNMENT)
        if assignment:
            headers["x-ms-keyvault-rbac-assignment-id"] = assignment

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        state = self.emu.state
        caller = authz.vault_caller(state, request)
        bodies.require_api_version(request)
        vault = state.vault_by_name(self.name)
        if vault is None:
            # Not confirmed: Azure drops the vault's DNS name; here the port stays open.
            raise AzureHttpError(
                404,
                "VaultNotFound",
                f"The vault '{self.name}' was not found. It was deleted; recover it from the "
                "management plane to use its secrets again.",
            )
        authz.check_firewall(vault, caller, self.emu.client_address(request))
        method = request.method.upper()
        if method == "POST" and request.headers.get("X-HTTP-METHOD"):
            method = request.headers["X-HTTP-METHOD"].upper()  # verb tunnelling
        operation, handler, name, version = self._route(method, request.path)
        if name:
            bodies.check_name(name)  # the URI is parsed before the caller is authorised
        self._authorize(request, vault, caller, operation, name or None)
        self._expire_deleted()
        return await handler(request, vault, name, version)

    def _route(self, method: str, path: str) -> tuple[str, Handler, str, str]:
        parts = path.strip("/").split("/")
        kind, rest = parts[0].lower(), parts[1:]
        routes: dict[tuple[str, int, str], tuple[str, Handler]] = {
            ("secrets", 0, "GET"): ("list", self.list_secrets),
            ("secrets", 1, "GET"): ("get", self.get_secret),
            ("secrets", 1, "PUT"): ("set", self.set_secret),
            ("secrets", 1, "PATCH"): ("update", self.update_secret),
            ("secrets", 1, "DELETE"): ("delete", self.delete_secret),
            ("secrets", 2, "GET"): ("get", self.get_secret),
            ("secrets", 2, "PATCH"): ("update", self.update_secret),
            ("deletedsecrets", 0, "GET"): ("list_deleted", self.list_deleted),
            ("deletedsecrets", 1, "GET"): ("get_deleted", self.get_deleted),
            ("deletedsecrets", 1, "DELETE"): ("purge", self.purge_deleted),
        }
        name = rest[0] if rest else ""
        version = rest[1] if len(rest) > 1 else ""
        special: dict[tuple[str, str], tuple[str, str, Handler]] = {
            ("secrets", "versions"): ("GET", "list", self.list_versions),
            ("deletedsecrets", "recover"): ("POST", "recover", self.recover_deleted),
        }
        if len(rest) == 2 and (kind, version.lower()) in special:
            wanted, operation, handler = special[(kind, version.lower())]
            if method != wanted:
                raise bodies.not_allowed(method, path)
            return operation, handler, name, ""
        if (kind, len(rest), method) in routes:
            operation, handler = routes[(kind, len(rest), method)]
            return operation, handler, name, version
        if any(k[:2] == (kind, len(rest)) for k in routes):
            raise bodies.not_allowed(method, path)
        raise AzureHttpError(
            404, "NotFound", f"The requested operation {method} {path} is not supported."
        )

    def _authorize(
        self,
        request: web.Request,
        vault: dict[str, Any],
        caller: Caller,
        operation: str,
        name: str | None,
    ) -> None:
        state = self.emu.state
        authz.check_secret_permission(state, vault, caller, operation, name)
        if not vault["properties"].get("enableRbacAuthorization"):
            return
        action = authz.SECRET_OPERATIONS[operation][1]
        resource = vault["id"] + (f"/secrets/{name}" if name else "")
        for assignment, role in authz.roles_at(state, caller.object_id, resource):
            if role_allows(role, action, data=True):
                request[RBAC_ASSIGNMENT] = assignment["name"]
                return

    def _expire_deleted(self) -> None:
        """Deleted secrets past their scheduled purge date are gone, as Azure purges them."""
        deleted = self.emu.state.vault_deleted_secrets(self.name)
        now = now_ts()
        for key in [k for k, d in deleted.items() if d.scheduled_purge_date <= now]:
            del deleted[key]

    def _live(self) -> dict[str, SecretRecord]:
        return self.emu.state.vault_secrets(self.name)

    def _deleted(self) -> dict[str, DeletedSecretRecord]:
        return self.emu.state.vault_deleted_secrets(self.name)

    def _page(
        self,
        request: web.Request,
        items: list[Any],
        render: Callable[[Any], dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """One page and an absolute nextLink on the vault origin, formatted as Key Vault does.

        With *render*, only the page's items are rendered (big vaults: O(page), not O(vault)).
        """
        size = bodies.maxresults(request)
        start = decode_skiptoken(request.query.get("$skiptoken"))
        next_link = None
        if start + size < len(items):
            query = {
                "api-version": request.query["api-version"],
                "$skiptoken": encode_skiptoken(start + size),
            }
            if "maxresults" in request.query:
                query["maxresults"] = str(size)
            next_link = f"{self.origin}/{request.path.strip('/')}?{urlencode(query, safe='$')}"
        chunk = items[start : start + size]
        return {"value": [render(i) for i in chunk] if render else chunk, "nextLink": next_link}

    def _record(self, name: str) -> tuple[str, SecretRecord]:
        found = find(self._live(), name)
        if found is None:
            raise bodies.secret_not_found(name)
        return found

    @staticmethod
    def _version(record: SecretRecord, name: str, version: str) -> SecretVersion:
        if not version:
            return record.latest
        for candidate in record.versions:
            if candidate.version.lower() == version.lower():
                return candidate
        raise bodies.secret_not_found(name, version)

    # ---- secrets ------------------------------------------------------------------------
    async def set_secret(
        self, request: web.Request, vault: dict[str, Any], name: str, _version: str
    ) -> web.StreamResponse:
        body = await read_json(request)
        value = bodies.parse_value(body)
        content_type = bodies.parse_content_type(body)
        tags = bodies.parse_tags(body)
        attrs = bodies.parse_attributes(body)
        if find(self._deleted(), name) is not None:
            raise AzureHttpError(
                409,
                "Conflict",
                f"Secret {name} is currently in a deleted but recoverable state, and its name "
                "cannot be reused; in this state, the secret can only be recovered or purged.",
                inner="ObjectIsDeletedButRecoverable",
            )
        now = now_ts()
        version = SecretVersion(
            version=new_version(),
            value=value,
            created=now,
            updated=now,
            content_type=content_type,
            tags=tags or {},
            enabled=attrs.get("enabled", True),
            nbf=attrs.get("nbf"),
            exp=attrs.get("exp"),
        )
        found = find(self._live(), name)
        record = found[1] if found else SecretRecord(name=name)
        if found is None:
            self._live()[name.lower()] = record
        record.versions.append(version)
        return json_response(
            request, bodies.bundle(vault, self.origin, record, version, with_value=True)
        )

    async def get_secret(
        self, request: web.Request, vault: dict[str, Any], name: str, version: str
    ) -> web.StreamResponse:
        _, record = self._record(name)
        chosen = self._version(record, name, version)
        if not chosen.enabled:  # nbf/exp are informational for secrets; only enabled counts
            raise AzureHttpError(
                403,
                "Forbidden",
                "Operation get is not allowed on a disabled secret.",
                inner="SecretDisabled",
            )
        return json_response(
            request, bodies.bundle(vault, self.origin, record, chosen, with_value=True)
        )

    async def update_secret(
        self, request: web.Request, vault: dict[str, Any], name: str, version: str
    ) -> web.StreamResponse:
        body = await read_json(request)
        content_type = bodies.parse_content_type(body)
        tags = bodies.parse_tags(body)
        attrs = bodies.parse_attributes(body)
        _, record = self._record(name)
        chosen = self._version(record, name, version)
        if content_type is not None:
            chosen.content_type = content_type
        if tags is not None:
            chosen.tags = tags
        for key, value in attrs.items():
            setattr(chosen, key, value)
        chosen.updated = now_ts()
        return json_response(
            request, bodies.bundle(vault, self.origin, record, chosen, with_value=False)
        )

    async def delete_secret(
        self, request: web.Request, vault: dict[str, Any], name: str, _version: str
    ) -> web.StreamResponse:
        key, record = self._record(name)
        del self._live()[key]
        if not bodies.soft_delete_enabled(vault):  # permanent: no recoveryId, nothing to recover
            return json_response(
                request, bodies.bundle(vault, self.origin, record, record.latest, with_value=False)
            )
        now = now_ts()
        deleted = DeletedSecretRecord(record, now, now + bodies.retention_days(vault) * bodies.DAY)
        self._deleted()[record.name.lower()] = deleted
        return json_response(request, bodies.deleted_bundle(vault, self.origin, deleted))

    async def list_secrets(
        self, request: web.Request, vault: dict[str, Any], _name: str, _version: str
    ) -> web.StreamResponse:
        records = sorted(self._live().values(), key=lambda r: r.name.lower())
        listed = [r for r in records if r.versions]
        render = functools.partial(bodies.item, vault, self.origin)
        return json_response(request, self._page(request, listed, render))

    async def list_versions(
        self, request: web.Request, vault: dict[str, Any], name: str, _version: str
    ) -> web.StreamResponse:
        items = []
        found = find(self._live(), name)  # not confirmed: an unknown name lists nothing
        if found is not None:
            items = [bodies.item(vault, self.origin, found[1], v) for v in found[1].versions]
        return json_response(request, self._page(request, items))

    # ---- deleted secrets ----------------------------------------------------------------
    async def list_deleted(
        self, request: web.Request, vault: dict[str, Any], _name: str, _version: str
    ) -> web.StreamResponse:
        deleted = sorted(self._deleted().values(), key=lambda d: d.record.name.lower())
        items = [bodies.deleted_item(vault, self.origin, d) for d in deleted]
        return json_response(request, self._page(request, items))

    async def get_deleted(
        self, request: web.Request, vault: dict[str, Any], name: str, _version: str
    ) -> web.StreamResponse:
        found = find(self._deleted(), name)
        if found is None:
            raise bodies.deleted_not_found(name)
        return json_response(request, bodies.deleted_bundle(vault, self.origin, found[1]))

    async def recover_deleted(
        self, request: web.Request, vault: dict[str, Any], name: str, _version: str
    ) -> web.StreamResponse:
        found = find(self._deleted(), name)
        if found is None:
            raise bodies.deleted_not_found(name)
        key, deleted = found
        record = deleted.record
        del self._deleted()[key]
        self._live()[record.name.lower()] = record
        return json_response(
            request, bodies.bundle(vault, self.origin, record, record.latest, with_value=False)
        )

    async def purge_deleted(
        self, request: web.Request, vault: dict[str, Any], name: str, _version: str
    ) -> web.StreamResponse:
        found = find(self._deleted(), name)
        if found is None:
            raise bodies.deleted_not_found(name)
        if bodies.purge_protected(vault):
            # Real text (Terraform/AzureTRE logs); Azure sends no innererror code we could cite.
            raise AzureHttpError(
                403,
                "Forbidden",
                'Operation "purge" is not allowed because purge protection is enabled for this '
                "vault. Key Vault service will automatically purge it after the retention period "
                f"has passed.\r\nVault: {self._label(vault)}",
            )
        del self._deleted()[found[0]]
        return web.Response(status=204, headers=request_headers(request))
