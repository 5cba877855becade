"""Microsoft.Authorization: role assignments at any scope and the built-in role definitions."""

from __future__ import annotations

import re
import uuid
from typing import Any

from aiohttp import web

from emulator import authz, factories
from emulator.arm.common import AUTHORIZATION_VERSIONS, Ctx, Router, require_subscription
from emulator.http import AzureHttpError, read_json
from emulator.roles import BUILTIN_ROLES, role_definition_body

RA = "Microsoft.Authorization/roleAssignments"
SCOPE = r"(?P<scope>(?:/.*)?)/providers/Microsoft\.Authorization"


def add_routes(router: Router) -> None:
    v = AUTHORIZATION_VERSIONS
    one = f"{SCOPE}/roleAssignments/{{name}}"
    router.add("PUT", one, v, create)
    router.add("GET", one, v, get)
    router.add("DELETE", one, v, delete)
    router.add("GET", f"{SCOPE}/roleAssignments", v, list_for_scope)
    router.add("GET", f"{SCOPE}/roleDefinitions/{{role}}", v, get_definition)
    router.add("GET", f"{SCOPE}/roleDefinitions", v, list_definitions)


def _scope(ctx: Ctx) -> str:
    scope = ctx.match["scope"] or "/"
    m = re.match(r"^/subscriptions/([^/]+)", scope, re.IGNORECASE)
    if m:
        require_subscription(ctx, m.group(1))
    return scope


def _key(scope: str, name: str) -> str:
    return f"{'' if scope == '/' else scope}/providers/{RA}/{name}".lower()


def _not_found(name: str) -> AzureHttpError:
    return AzureHttpError(
        404, "RoleAssignmentNotFound", f"The role assignment '{name}' is not found."
    )


async def create(ctx: Ctx) -> web.StreamResponse:
    scope, name = _scope(ctx), ctx.match["name"]
    ctx.authorize(scope, f"{RA}/write")
    try:
        uuid.UUID(name)
    except ValueError as exc:
        raise AzureHttpError(
            400,
            "InvalidRoleAssignmentId",
            f"The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID.",
        ) from exc
    body = await read_json(ctx.request)
    props = body.get("properties") or {}
    role_def = str(props.get("roleDefinitionId") or "")
    role_guid = role_def.rstrip("/").rsplit("/", 1)[-1].lower()
    if role_guid not in BUILTIN_ROLES:
        raise AzureHttpError(
            400,
            "RoleDefinitionDoesNotExist",
            f"The specified role definition with ID '{role_guid}' does not exist.",
        )
    principal_id = str(props.get("principalId") or "")
    principal = next(
        (
            p
            for p in ctx.state.principals.values()
            if p.object_id.lower() == principal_id.lower() and not p.deleted
        ),
        None,
    )
    if principal is None:
        raise AzureHttpError(
            400,
            "PrincipalNotFound",
            f"Principal {principal_id.replace('-', '')} does not exist in the directory "
            f"{ctx.state.tenant_id}. Check that you have the correct principal ID. If you are "
            "creating this principal and then immediately assigning a role, this error might be "
            "related to a replication delay. In this case, set the role assignment principalType "
            "property to a value, such as ServicePrincipal, User, or Group.  See "
            "https://aka.ms/docs-principaltype",
        )
    key = _key(scope, name)
    for other_key, other in ctx.state.role_assignments.items():
        p = other["properties"]
        same = (
            p["principalId"].lower() == principal.object_id.lower()
            and p["roleDefinitionId"].rstrip("/").rsplit("/", 1)[-1].lower() == role_guid
            and p["scope"].rstrip("/").lower() == scope.rstrip("/").lower()
        )
        if other_key == key:
            if not same:
                raise AzureHttpError(
                    409,
                    "RoleAssignmentUpdateNotPermitted",
                    "Tenant ID, application ID, principal ID, and scope are not allowed to be "
                    "updated.",
                )
            return ctx.json(other, 200)
        if same:
            raise AzureHttpError(409, "RoleAssignmentExists", "The role assignment already exists.")
    ra = factories.role_assignment_body(
        ctx.state,
        scope,
        name,
        role_def,
        principal.object_id,
        principal_type=principal.principal_type,
        created_by=ctx.caller.object_id,
        description=props.get("description"),
        condition=props.get("condition"),
    )
    ctx.state.role_assignments[key] = ra
    return ctx.json(ra, 201)


async def get(ctx: Ctx) -> web.StreamResponse:
    scope, name = _scope(ctx), ctx.match["name"]
    ctx.authorize(scope, f"{RA}/read")
    found = ctx.state.role_assignments.get(_key(scope, name))
    if found is None:
        raise _not_found(name)
    return ctx.json(found)


async def delete(ctx: Ctx) -> web.StreamResponse:
    scope, name = _scope(ctx), ctx.match["name"]
    ctx.authorize(scope, f"{RA}/delete")
    found = ctx.state.role_assignments.pop(_key(scope, name), None)
    if found is None:
        return ctx.empty(204)
    return ctx.json(found, 200)


_PRINCIPAL_FILTER = re.compile(r"(?:principalId\s+eq\s+|assignedTo\()'([^']+)'", re.IGNORECASE)


def _below(ra_scope: str, scope: str) -> bool:
    base = "" if scope in ("", "/") else scope
    return ra_scope.startswith(base + "/")


async def list_for_scope(ctx: Ctx) -> web.StreamResponse:
    """Without a filter: at, above and below the scope; atScope(): at and above only."""
    scope = _scope(ctx)
    ctx.authorize(scope, f"{RA}/read")
    flt = ctx.query.get("$filter", "")
    at_scope_only = "atscope()" in flt.replace(" ", "").lower()
    m = _PRINCIPAL_FILTER.search(flt)
    principal = m.group(1).lower() if m else None
    scope_l = scope.rstrip("/").lower()
    items: list[dict[str, Any]] = []
    for ra in ctx.state.role_assignments.values():
        props = ra["properties"]
        ra_scope = props["scope"].rstrip("/").lower()
        if principal and props["principalId"].lower() != principal:
            continue
        above_or_at = authz.scope_covers(ra_scope, scope_l)
        if above_or_at or (not at_scope_only and _below(ra_scope, scope_l)):
            items.append(ra)
    return ctx.paged(items)


def _subscription_of(scope: str) -> str | None:
    m = re.match(r"^/subscriptions/([^/]+)", scope, re.IGNORECASE)
    return m.group(1) if m else None


async def get_definition(ctx: Ctx) -> web.StreamResponse:
    scope, guid = ctx.match["scope"] or "/", ctx.match["role"]
    role = BUILTIN_ROLES.get(guid.lower())
    if role is None:
        raise AzureHttpError(
            404,
            "RoleDefinitionDoesNotExist",
            f"The specified role definition with ID '{guid}' does not exist.",
        )
    return ctx.json(role_definition_body(role, _subscription_of(scope)))


_NAME_FILTER = re.compile(r"roleName\s+eq\s+'([^']+)'", re.IGNORECASE)


async def list_definitions(ctx: Ctx) -> web.StreamResponse:
    scope = ctx.match["scope"] or "/"
    m = _NAME_FILTER.search(ctx.query.get("$filter", ""))
    roles = [
        r for r in BUILTIN_ROLES.values() if m is None or r.role_name.lower() == m.group(1).lower()
    ]
    return ctx.paged([role_definition_body(r, _subscription_of(scope)) for r in roles])
