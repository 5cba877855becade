"""The ARM router: path matching, api-versions, tokens, roles, headers, paging, error bodies.

ARM paths are case-insensitive and scopes nest (role assignments hang under any resource), so
the routes are regular expressions matched here rather than aiohttp's path templates.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from emulator import authz, http
from emulator.http import ARM_NOT_FOUND_FIX, AzureHttpError
from emulator.state import State

if TYPE_CHECKING:
    from emulator.server import Emulator
    from emulator.tokens import Caller

DEFAULT_PAGE_SIZE = 100  # tests may set ``emu.arm_page_size`` lower to page

# api-versions accepted per provider: what the installed SDKs send and older ones scripts send.
KEYVAULT_VERSIONS = frozenset(
    {
        "2026-05-15",
        "2026-02-01",
        "2025-05-01",
        "2024-12-01-preview",
        "2024-11-01",
        "2024-04-01-preview",
        "2023-08-01-preview",
        "2023-07-01",
        "2023-02-01",
        "2022-11-01",
        "2022-07-01",
        "2022-02-01-preview",
        "2021-11-01-preview",
        "2021-10-01",
        "2021-06-01-preview",
        "2021-04-01-preview",
        "2020-04-01-preview",
        "2019-09-01",
        "2018-02-14",
        "2016-10-01",
        "2015-06-01",
    }
)
LOGIC_VERSIONS = frozenset(
    {
        "2019-05-01",
        "2018-07-01-preview",
        "2016-10-01",
        "2016-06-01",
        "2015-08-01-preview",
        "2015-02-01-preview",
    }
)
AUTHORIZATION_VERSIONS = frozenset(
    {
        "2015-07-01",
        "2017-10-01-preview",
        "2018-01-01-preview",
        "2018-07-01",
        "2018-09-01-preview",
        "2020-03-01-preview",
        "2020-04-01-preview",
        "2020-08-01-preview",
        "2020-10-01-preview",
        "2021-03-01-preview",
        "2022-01-01-preview",
        "2022-04-01",
        "2022-05-01-preview",
    }
)
MSI_VERSIONS = frozenset(
    {
        "2015-08-31-preview",
        "2018-11-30",
        "2021-09-30-preview",
        "2022-01-31-preview",
        "2023-01-31",
        "2023-07-31-preview",
        "2024-11-30",
        "2025-01-31-preview",
    }
)
RESOURCES_VERSIONS = frozenset(
    {
        "2016-06-01",
        "2016-09-01",
        "2017-05-10",
        "2018-05-01",
        "2018-06-01",
        "2019-05-10",
        "2019-06-01",
        "2019-07-01",
        "2019-10-01",
        "2019-11-01",
        "2020-01-01",
        "2020-06-01",
        "2020-10-01",
        "2021-01-01",
        "2021-04-01",
        "2022-09-01",
        "2022-12-01",
        "2023-07-01",
        "2024-03-01",
        "2024-07-01",
        "2024-11-01",
        "2025-03-01",
        "2025-04-01",
    }
)

# Management-plane actions (what role definitions grant).
RG_READ = "Microsoft.Resources/subscriptions/resourceGroups/read"
RG_WRITE = "Microsoft.Resources/subscriptions/resourceGroups/write"


@dataclass
class Ctx:
    """One ARM request as a route handler sees it."""

    request: web.Request
    emu: Emulator
    caller: Caller
    match: dict[str, str]
    api_version: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def state(self) -> State:
        return self.emu.state

    @property
    def query(self) -> Any:
        return self.request.query

    def can(self, scope: str, action: str) -> bool:
        try:
            authz.require_arm_action(self.state, self.caller, scope, action)
        except AzureHttpError:
            return False
        return True

    def authorize(self, scope: str, action: str) -> None:
        authz.require_arm_action(self.state, self.caller, scope, action)

    def page_size(self, top_param: bool = False) -> int:
        """``$top`` where Azure treats it as the page size, else the emulator's page size."""
        default = getattr(self.emu, "arm_page_size", DEFAULT_PAGE_SIZE)
        if top_param and self.query.get("$top"):
            try:
                top = int(self.query["$top"])
            except ValueError as exc:
                raise AzureHttpError(
                    400, "InvalidParameter", "The value of '$top' must be a positive integer."
                ) from exc
            if top < 1:
                raise AzureHttpError(
                    400, "InvalidParameter", "The value of '$top' must be a positive integer."
                )
            return top
        return default

    def json(
        self, body: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> web.Response:
        return http.json_response(self.request, body, status, {**self.headers, **(headers or {})})

    def empty(self, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        all_headers = http.request_headers(self.request)
        all_headers.update(self.headers)
        all_headers.update(headers or {})
        return web.Response(status=status, headers=all_headers)

    def paged(self, items: list[Any], *, top_param: bool = False) -> web.Response:
        return self.json(http.page(self.request, items, page_size=self.page_size(top_param)))


Handler = Callable[[Ctx], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    versions: frozenset[str]
    handler: Handler


class Router:
    """Routes added by the provider modules; one aiohttp catch-all dispatches to them."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, pattern: str, versions: frozenset[str], handler: Handler) -> None:
        # Named groups like {sid} become [^/]+ ; the whole path is matched case-insensitively.
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        self.routes.append(
            Route(method, re.compile(f"^{regex}$", re.IGNORECASE), versions, handler)
        )

    def resolve(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        allowed: list[str] = []
        for route in self.routes:
            m = route.pattern.match(path)
            if m is None:
                continue
            if route.method == method or (
                method == "HEAD" and route.method == "GET" and not _has_head(self.routes, route)
            ):
                return route, m.groupdict()
            allowed.append(route.method)
        if allowed:
            raise AzureHttpError(
                405,
                "MethodNotAllowed",
                f"The HTTP method '{method}' is not supported at '{path}'. "
                f"Supported methods: {', '.join(sorted(set(allowed)))}.",
            )
        raise unknown_route(path)


def _has_head(routes: list[Route], route: Route) -> bool:
    return any(r.method == "HEAD" and r.pattern.pattern == route.pattern.pattern for r in routes)


def unknown_route(path: str) -> AzureHttpError:
    m = re.search(r"/providers/([^/]+)/([^/]+)", path)
    if m:
        return AzureHttpError(
            404,
            "InvalidResourceType",
            f"The resource type '{m.group(2)}' could not be found in the namespace "
            f"'{m.group(1)}' for this emulator.",
        )
    return AzureHttpError(
        404, "NotFound", f"No HTTP resource was found that matches the request URI '{path}'."
    )


def arm_headers(request: web.Request) -> dict[str, str]:
    """Headers Azure Resource Manager adds to every response."""
    verb = {"GET": "reads", "HEAD": "reads", "DELETE": "deletes"}.get(request.method, "writes")
    remaining = {"reads": "11999", "writes": "1199", "deletes": "14999"}[verb]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return {
        f"x-ms-ratelimit-remaining-subscription-{verb}": remaining,
        "x-ms-routing-request-id": f"WESTEUROPE:{stamp}:{uuid.uuid4()}",
    }


def normalise_path(path: str) -> str:
    path = re.sub(r"/{2,}", "/", path)
    return path.rstrip("/") or "/"


# ---- shared bodies and checks --------------------------------------------------------------


def now_iso() -> str:
    """Azure's timestamp format with 7 fractional digits."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def resource_not_found(rtype: str, name: str, rg: str) -> AzureHttpError:
    return AzureHttpError(
        404,
        "ResourceNotFound",
        f"The Resource '{rtype}/{name}' under resource group '{rg}' was not found. "
        f"{ARM_NOT_FOUND_FIX}",
    )


def rg_not_found(rg: str) -> AzureHttpError:
    return AzureHttpError(
        404, "ResourceGroupNotFound", f"Resource group '{rg}' could not be found."
    )


def subscription_not_found(sid: str) -> AzureHttpError:
    return AzureHttpError(
        404, "SubscriptionNotFound", f"The subscription '{sid}' could not be found."
    )


def require_subscription(ctx: Ctx, sid: str) -> None:
    if sid not in ctx.state.subscriptions and sid.lower() not in {
        s.lower() for s in ctx.state.subscriptions
    }:
        raise subscription_not_found(sid)


def require_rg(ctx: Ctx, sid: str, rg: str) -> dict[str, Any]:
    require_subscription(ctx, sid)
    found = ctx.state.resource_groups.get(f"/subscriptions/{sid}/resourcegroups/{rg}".lower())
    if found is None:
        raise rg_not_found(rg)
    return found


def visible(
    ctx: Ctx, scope: str, items: Iterable[dict[str, Any]], action: str
) -> list[dict[str, Any]]:
    """A collection GET: everything when the caller may read at *scope*, else what they may read.

    ARM filters collections by the caller's grants; with no grant at or under *scope* at all it
    refuses with AuthorizationFailed.
    """
    items = list(items)
    if ctx.can(scope, action):
        return items
    if not has_any_role_within(ctx.state, ctx.caller.object_id, scope):
        ctx.authorize(scope, action)  # raises AuthorizationFailed naming the scope
    return [item for item in items if ctx.can(item["id"], action)]


def has_any_role_within(state: State, principal_id: str, scope: str) -> bool:
    """A role assignment at, above or below *scope*."""
    scope_l = scope.rstrip("/").lower()
    for ra in state.role_assignments.values():
        props = ra["properties"]
        if props["principalId"].lower() != principal_id.lower():
            continue
        ra_scope = props["scope"].rstrip("/").lower()
        if authz.scope_covers(ra_scope, scope_l) or ra_scope.startswith(scope_l + "/"):
            return True
    return False


def public(body: dict[str, Any]) -> dict[str, Any]:
    """A stored body without the emulator's private keys (those starting with '_')."""
    return {k: v for k, v in body.items() if not k.startswith("_")}


def version_at_least(api_version: str, floor: str) -> bool:
    return api_version[:10] >= floor
