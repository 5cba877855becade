"""Microsoft.ResourceGraph/resources: the small KQL subset the console (and scripts) send.

Understood: the ``Resources`` table (vaults, workflows, user-assigned identities) or the
``ResourceContainers`` table (subscriptions, resource groups), followed by any of
``| where type =~ 'a'``, ``| where type in~ ('a', 'b')`` (also ``==``/``in``, and
``subscriptionId``/``resourceGroup``/``name`` as the column), ``| project col, ...`` and
``| order by col [asc|desc], ...``. Anything else is answered as Azure answers a query it cannot
parse (400 BadRequest / InvalidQuery). Rows are the resources as ARM stores them plus Resource
Graph's columns (lower-cased ``type`` and ``resourceGroup``, ``subscriptionId``, ``tenantId``);
only what the caller may read is returned, as in Azure.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from typing import Any

from aiohttp import web

from emulator.arm.common import RG_READ, Ctx, Router, has_any_role_within, public, visible
from emulator.arm.logic import resolve_placeholders, without_secure_values
from emulator.http import AzureHttpError, read_json

VERSIONS = frozenset(
    {"2019-04-01", "2020-04-01-preview", "2021-03-01", "2021-06-01-preview", "2022-10-01"}
)
DEFAULT_TOP = 100  # Azure's page size when the request names none
MAX_TOP = 1000
MAX_SUBSCRIPTIONS = 1000  # Azure refuses larger batches; clients split them
COLUMNS = (
    "id",
    "name",
    "type",
    "tenantId",
    "kind",
    "location",
    "resourceGroup",
    "subscriptionId",
    "managedBy",
    "sku",
    "plan",
    "properties",
    "tags",
    "identity",
    "zones",
    "extendedLocation",
)
TABLES = ("resources", "resourcecontainers")
GROUP_TYPE = "microsoft.resources/subscriptions/resourcegroups"  # its type in Resource Graph
_FILTER_COLUMNS = {"type", "subscriptionid", "resourcegroup", "name", "location", "kind"}
_WHERE = re.compile(
    r"^where\s+(\w+)\s*(=~|==|in~|in)\s*(\(.*\)|'[^']*'|\"[^\"]*\")$", re.IGNORECASE | re.DOTALL
)
_STRING = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_ORDER = re.compile(r"^(?:order|sort)\s+by\s+(.+)$", re.IGNORECASE | re.DOTALL)
_PROJECT = re.compile(r"^project\s+(.+)$", re.IGNORECASE | re.DOTALL)


def add_routes(router: Router) -> None:
    router.add("POST", r"/providers/Microsoft\.ResourceGraph/resources", VERSIONS, resources)


def _invalid(detail: str) -> AzureHttpError:
    return AzureHttpError(
        400,
        "BadRequest",
        f"Query is invalid: {detail} Please refer to the documentation for the Azure Resource "
        "Graph service and fix the error before retrying.",
        inner="InvalidQuery",
    )


def parse_query(text: str) -> list[tuple[str, Any]]:
    """The query as steps: ("where", (column, op, values)), ("project", cols), ("order", keys)."""
    stages = [s.strip() for s in text.strip().split("|")]
    if not stages or stages[0].lower() not in TABLES:
        raise _invalid("only the Resources and ResourceContainers tables are available here.")
    steps: list[tuple[str, Any]] = [("from", stages[0].lower())]
    for stage in stages[1:]:
        if m := _WHERE.match(stage):
            column, op, raw = m.group(1).lower(), m.group(2).lower(), m.group(3)
            if column not in _FILTER_COLUMNS:
                raise _invalid(f"filtering on '{m.group(1)}' is not supported.")
            values = [a if a else b for a, b in _STRING.findall(raw)]
            if not values or (not op.startswith("in") and len(values) != 1):
                raise _invalid(f"cannot read the values in '{stage}'.")
            steps.append(("where", (column, op, values)))
        elif m := _PROJECT.match(stage):
            steps.append(("project", [c.strip() for c in m.group(1).split(",") if c.strip()]))
        elif m := _ORDER.match(stage):
            keys = []
            for part in m.group(1).split(","):
                words = part.split()
                if not 1 <= len(words) <= 2 or words[1:] not in ([], ["asc"], ["desc"]):
                    raise _invalid(f"cannot read the sort key '{part.strip()}'.")
                # KQL sorts descending unless told otherwise
                keys.append((words[0], words[1:] != ["asc"]))
            steps.append(("order", keys))
        else:
            raise _invalid(f"'{stage.split()[0] if stage else stage}' is not supported.")
    return steps


def _row(ctx: Ctx, resource: dict[str, Any], sid: str) -> dict[str, Any]:
    body = public(resource)
    parts = body["id"].split("/")
    row: dict[str, Any] = {col: None for col in COLUMNS}
    row.update(body)
    row.update(
        type=body["type"].lower(),
        resourceGroup=parts[4].lower() if len(parts) > 4 else "",
        subscriptionId=sid,
        tenantId=ctx.state.tenant_id,
        tags=body.get("tags") or {},
    )
    if row["type"] == "microsoft.logic/workflows":
        # secure parameter values are never returned here either [? as ARM's GET]
        shown = without_secure_values(body).get("properties")
        row["properties"] = resolve_placeholders(shown, ctx.emu)
    return row


def _containers(ctx: Ctx, sub: dict[str, Any]) -> list[dict[str, Any]]:
    """The subscription and its resource groups as ResourceContainers rows (what the caller may
    read, as ARM's list of groups answers it)."""
    sid = sub["subscriptionId"]
    scope = f"/subscriptions/{sid}"
    if not has_any_role_within(ctx.state, ctx.caller.object_id, scope):
        return []
    prefix = f"{scope}/resourcegroups/".lower()
    groups = [rg for key, rg in ctx.state.resource_groups.items() if key.startswith(prefix)]
    rows = [
        {
            **{c: None for c in COLUMNS},
            "id": scope,
            "name": sub.get("displayName", sid),
            "type": "microsoft.resources/subscriptions",
            "resourceGroup": "",
            "subscriptionId": sid,
            "tenantId": ctx.state.tenant_id,
            "tags": {},
            "properties": {"state": sub.get("state")},
        }
    ]
    for rg in visible(ctx, scope, groups, RG_READ):
        row: dict[str, Any] = {c: None for c in COLUMNS}
        row.update(public(rg))
        row.update(
            type=GROUP_TYPE,
            resourceGroup=rg["name"].lower(),
            subscriptionId=sid,
            tenantId=ctx.state.tenant_id,
            tags=rg.get("tags") or {},
        )
        rows.append(row)
    return rows


def _readable(ctx: Ctx, sid: str, resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """As Azure: only rows the caller may read; a subscription without any grant gives none."""
    scope = f"/subscriptions/{sid}"
    if not has_any_role_within(ctx.state, ctx.caller.object_id, scope):
        return []
    types = {r["type"].lower(): r["type"] for r in resources}
    whole = {t for t, name in types.items() if ctx.can(scope, f"{name}/read")}
    return [
        r for r in resources if r["type"].lower() in whole or ctx.can(r["id"], f"{r['type']}/read")
    ]


def _matches(row: dict[str, Any], column: str, op: str, values: list[str]) -> bool:
    key = {"subscriptionid": "subscriptionId", "resourcegroup": "resourceGroup"}.get(column, column)
    value = str(row.get(key) or "")
    if op.endswith("~"):
        return value.lower() in {v.lower() for v in values}
    return value in values


def _column_key(column: str, row: dict[str, Any]) -> tuple[int, str]:
    return _sort_key(row.get(column))


def _sort_key(value: Any) -> tuple[int, str]:
    return (0, "") if value is None else (1, str(value))


def run_query(
    ctx: Ctx, steps: list[tuple[str, Any]], subscriptions: list[str]
) -> list[dict[str, Any]]:
    wanted = {s.lower() for s in subscriptions}
    type_filter: set[str] | None = None
    for kind, arg in steps:  # an early type filter spares building rows for other types
        if kind == "where" and arg[0] == "type" and arg[1].endswith("~"):
            type_filter = {v.lower() for v in arg[2]}
    table = steps[0][1]
    rows: list[dict[str, Any]] = []
    for sub in ctx.state.subscriptions.values():
        sid = sub["subscriptionId"]
        if sid.lower() not in wanted:
            continue
        if table == "resourcecontainers":
            rows.extend(_containers(ctx, sub))
            continue
        prefix = f"/subscriptions/{sid}/".lower()
        found = [
            res
            for store in (ctx.state.vaults, ctx.state.workflows, ctx.state.identities)
            for key, res in store.items()
            if key.startswith(prefix) and (not type_filter or res["type"].lower() in type_filter)
        ]
        rows.extend(_row(ctx, res, sid) for res in _readable(ctx, sid, found))
    for kind, arg in steps[1:]:
        if kind == "where":
            rows = [r for r in rows if _matches(r, *arg)]
        elif kind == "order":
            for column, desc in reversed(arg):  # stable sorts, last key first
                rows.sort(key=functools.partial(_column_key, column), reverse=desc)
        else:
            rows = [{c: r.get(c) for c in arg} for r in rows]
    return rows


def _skip_token(offset: int) -> str:
    return base64.b64encode(json.dumps({"$skip": offset}).encode()).decode()


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        return max(0, int(json.loads(base64.b64decode(token))["$skip"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise AzureHttpError(400, "BadRequest", "The $skipToken is not valid.") from exc


async def resources(ctx: Ctx) -> web.StreamResponse:
    body = await read_json(ctx.request)
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        raise AzureHttpError(400, "BadRequest", "The request must contain a query.")
    subscriptions = body.get("subscriptions")
    if subscriptions is None:  # tenant scope: every subscription the caller can see
        subscriptions = list(ctx.state.subscriptions)
    if len(subscriptions) > MAX_SUBSCRIPTIONS:
        raise AzureHttpError(
            400,
            "BadRequest",
            f"The query names {len(subscriptions)} subscriptions; at most {MAX_SUBSCRIPTIONS} "
            "are allowed per request.",
        )
    options = body.get("options") or {}
    if options.get("resultFormat", "objectArray") != "objectArray":
        raise AzureHttpError(400, "BadRequest", "Only resultFormat 'objectArray' is served here.")
    top = int(options.get("$top") or DEFAULT_TOP)
    if not 1 <= top <= MAX_TOP:
        raise AzureHttpError(400, "BadRequest", f"$top must be between 1 and {MAX_TOP}.")
    start = _offset(options.get("$skipToken")) or int(options.get("$skip") or 0)
    rows = run_query(ctx, parse_query(query), subscriptions)
    chunk = rows[start : start + top]
    out: dict[str, Any] = {
        "totalRecords": len(rows),
        "count": len(chunk),
        "resultTruncated": "false",
        "data": chunk,
        "facets": [],
    }
    if start + top < len(rows):
        out["$skipToken"] = _skip_token(start + top)
    return ctx.json(out)
