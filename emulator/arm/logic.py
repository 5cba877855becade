"""Microsoft.Logic/workflows (Consumption): list, get, PUT, PATCH, DELETE, enable, disable."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from emulator import factories
from emulator.arm.common import (
    LOGIC_VERSIONS,
    Ctx,
    Router,
    require_rg,
    require_subscription,
    resource_not_found,
    visible,
)
from emulator.http import AzureHttpError, read_json

if TYPE_CHECKING:
    from emulator.server import Emulator

WORKFLOWS = factories.WORKFLOWS
READ, WRITE, DELETE = f"{WORKFLOWS}/read", f"{WORKFLOWS}/write", f"{WORKFLOWS}/delete"
STATES = ("NotSpecified", "Completed", "Enabled", "Disabled", "Deleted", "Suspended")
LG = r"providers/Microsoft\.Logic/workflows"
# Seeds write a vault's address as ``{vault:NAME}``: its port is known only once it is served.
PLACEHOLDER = re.compile(r"\{vault:([A-Za-z0-9-]+)\}")


def add_routes(router: Router) -> None:
    v = LOGIC_VERSIONS
    sub = "/subscriptions/{sid}"
    wf = f"{sub}/resourcegroups/{{rg}}/{LG}/{{name}}"
    router.add("GET", f"{sub}/{LG}", v, list_by_subscription)
    router.add("GET", f"{sub}/resourcegroups/{{rg}}/{LG}", v, list_by_resource_group)
    router.add("GET", wf, v, get_workflow)
    router.add("PUT", wf, v, put_workflow)
    router.add("PATCH", wf, v, patch_workflow)
    router.add("DELETE", wf, v, delete_workflow)
    router.add("POST", f"{wf}/enable", v, enable)
    router.add("POST", f"{wf}/disable", v, disable)


def resolve_placeholders(value: Any, emu: Emulator) -> Any:
    """*value* with every ``{vault:NAME}`` replaced by the host:port serving that vault."""
    if isinstance(value, str):
        if "{vault:" not in value:
            return value
        return PLACEHOLDER.sub(lambda m: _vault_host(emu, m.group(1)), value)
    if isinstance(value, dict):
        return {k: resolve_placeholders(v, emu) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_placeholders(v, emu) for v in value]
    return value


def _vault_host(emu: Emulator, name: str) -> str:
    if name.lower() in emu.state.vault_ports:
        return emu.vault_uri(name).removeprefix("https://").rstrip("/")
    return f"{name.lower()}.vault.azure.net"


SECURE_TYPES = ("securestring", "secureobject")
# Properties Azure computes; whatever else a PUT sends under ``properties`` is kept as sent
# (runtimeConfiguration: run-history retention, operationOptions) [? unknown ones kept too].
READ_ONLY = (
    "provisioningState",
    "createdTime",
    "changedTime",
    "version",
    "accessEndpoint",
    "endpointsConfiguration",
)


def secure_parameter_names(wf: dict[str, Any]) -> set[str]:
    """The workflow parameters its definition declares SecureString or SecureObject."""
    declared = ((wf.get("properties") or {}).get("definition") or {}).get("parameters") or {}
    return {
        name
        for name, decl in declared.items()
        if isinstance(decl, dict) and str(decl.get("type", "")).lower() in SECURE_TYPES
    }


def without_secure_values(wf: dict[str, Any]) -> dict[str, Any]:
    """Azure never returns a secure parameter's value: GET shows the entry without ``value``
    [? whether the entry itself stays, empty, or goes]."""
    secure = secure_parameter_names(wf)
    values = (wf.get("properties") or {}).get("parameters") or {}
    if not secure or not any(n in values for n in secure):
        return wf
    hidden = {
        name: ({k: v for k, v in entry.items() if k != "value"} if isinstance(entry, dict) else {})
        if name in secure
        else entry
        for name, entry in values.items()
    }
    return {**wf, "properties": {**wf["properties"], "parameters": hidden}}


def _render(ctx: Ctx, wf: dict[str, Any]) -> dict[str, Any]:
    rendered: dict[str, Any] = resolve_placeholders(without_secure_values(wf), ctx.emu)
    return rendered


def _require_parameter_values(definition: dict[str, Any] | None, values: Any) -> None:
    """A declared parameter with no default needs a value in ``properties.parameters``, as
    Azure validates the template on PUT [? exact wording of the message]."""
    declared = (definition or {}).get("parameters") or {}
    given = values if isinstance(values, dict) else {}
    for name, decl in declared.items():
        if not isinstance(decl, dict) or "defaultValue" in decl:
            continue
        entry = given.get(name)
        if not isinstance(entry, dict) or "value" not in entry:
            raise AzureHttpError(
                400,
                "InvalidTemplate",
                f"The template validation failed: 'The value for the workflow parameter "
                f"'{name}' is not provided.'.",
            )


def _ids(ctx: Ctx) -> tuple[str, str, str, str]:
    sid, rg, name = ctx.match["sid"], ctx.match["rg"], ctx.match["name"]
    return sid, rg, name, factories.resource_id(sid, rg, WORKFLOWS, name)


def _find(ctx: Ctx) -> dict[str, Any]:
    sid, rg, name, wid = _ids(ctx)
    require_rg(ctx, sid, rg)
    wf = ctx.state.workflows.get(wid.lower())
    if wf is None:
        raise resource_not_found(WORKFLOWS, name, rg)
    return wf


_STATE_FILTER = re.compile(r"state\s+eq\s+'(\w+)'", re.IGNORECASE)


def _filtered(ctx: Ctx, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    m = _STATE_FILTER.search(ctx.query.get("$filter", ""))
    if m:
        wanted = m.group(1).lower()
        items = [w for w in items if str(w["properties"].get("state", "")).lower() == wanted]
    return items


async def list_by_subscription(ctx: Ctx) -> web.StreamResponse:
    sid = ctx.match["sid"]
    require_subscription(ctx, sid)
    prefix = f"/subscriptions/{sid}/".lower()
    items = [w for k, w in ctx.state.workflows.items() if k.startswith(prefix)]
    items = _filtered(ctx, visible(ctx, f"/subscriptions/{sid}", items, READ))
    return ctx.paged([_render(ctx, w) for w in items], top_param=True)


async def list_by_resource_group(ctx: Ctx) -> web.StreamResponse:
    sid, rg = ctx.match["sid"], ctx.match["rg"]
    require_rg(ctx, sid, rg)
    scope = factories.rg_id(sid, rg)
    items = [w for k, w in ctx.state.workflows.items() if k.startswith(scope.lower() + "/")]
    items = _filtered(ctx, visible(ctx, scope, items, READ))
    return ctx.paged([_render(ctx, w) for w in items], top_param=True)


async def get_workflow(ctx: Ctx) -> web.StreamResponse:
    ctx.authorize(_ids(ctx)[3], READ)
    return ctx.json(_render(ctx, _find(ctx)))


def _state_value(given: Any) -> str:
    if given is None:
        return "Enabled"
    for value in STATES:
        if str(given).lower() == value.lower():
            return value
    raise AzureHttpError(
        400,
        "InvalidWorkflowState",
        f"The workflow state '{given}' is not valid. Valid values are: {', '.join(STATES)}.",
    )


def _identity_error(exc: factories.IdentityError) -> AzureHttpError:
    return AzureHttpError(400, exc.code, str(exc))


async def put_workflow(ctx: Ctx) -> web.StreamResponse:
    sid, rg, name, wid = _ids(ctx)
    ctx.authorize(wid, WRITE)
    require_rg(ctx, sid, rg)
    body = await read_json(ctx.request)
    location = body.get("location")
    if not location:
        raise AzureHttpError(
            400, "LocationRequired", "The location property is required for this definition."
        )
    props = body.get("properties") or {}
    definition = props.get("definition")
    if definition is not None and not isinstance(definition, dict):
        raise AzureHttpError(
            400, "InvalidRequestContent", "The workflow definition must be a JSON object."
        )
    existing = ctx.state.workflows.get(wid.lower())
    if existing is not None and (
        factories.region_key(existing["location"]) != factories.region_key(location)
    ):
        raise AzureHttpError(
            400,
            "InvalidResourceLocation",
            f"The resource '{name}' already exists in location '{existing['location']}' in "
            f"resource group '{rg}'. A resource with the same name cannot be created in "
            f"location '{location}'. Please select a new resource name.",
        )
    _require_parameter_values(definition, props.get("parameters"))
    given_keys = ("definition", "parameters", "state", *READ_ONLY)
    extra = {k: v for k, v in props.items() if k not in given_keys and v is not None}
    try:
        wf = factories.workflow_resource(
            ctx.state,
            sid,
            rg,
            name,
            location=location,
            definition=definition,
            parameters=props.get("parameters"),
            state_value=_state_value(props.get("state")),
            identity=body.get("identity"),
            tags=body.get("tags"),
            existing=existing,
            extra_properties=extra,
        )
    except factories.IdentityError as exc:
        raise _identity_error(exc) from exc
    ctx.state.workflows[wid.lower()] = wf
    return ctx.json(_render(ctx, wf), 201 if existing is None else 200)


async def patch_workflow(ctx: Ctx) -> web.StreamResponse:
    """The SDK's update() sends no body: that is a no-op returning the workflow."""
    _, _, name, wid = _ids(ctx)
    ctx.authorize(wid, WRITE)
    wf = _find(ctx)
    body = await read_json(ctx.request)
    if not body:
        return ctx.json(_render(ctx, wf))
    props = wf["properties"]
    given = body.get("properties") or {}
    if "identity" in body:
        try:
            identity = factories.apply_identity(
                ctx.state, wf["id"], name, wf.get("identity"), body["identity"]
            )
        except factories.IdentityError as exc:
            raise _identity_error(exc) from exc
        wf.pop("identity", None)
        if identity is not None:
            wf["identity"] = identity
    if body.get("tags") is not None:
        wf["tags"] = {**(wf.get("tags") or {}), **body["tags"]}
    if given.get("state") is not None:
        props["state"] = _state_value(given["state"])
    if given.get("definition") is not None:
        props["definition"] = factories.with_evaluated_recurrence(given["definition"])
    if given.get("parameters") is not None:
        props["parameters"] = given["parameters"]
    props["changedTime"] = factories.logic_timestamp()
    props["version"] = factories.workflow_version()
    return ctx.json(_render(ctx, wf))


async def delete_workflow(ctx: Ctx) -> web.StreamResponse:
    sid, rg, name, wid = _ids(ctx)
    ctx.authorize(wid, DELETE)
    require_rg(ctx, sid, rg)
    wf = ctx.state.workflows.pop(wid.lower(), None)
    if wf is None:
        return ctx.empty(204)
    factories.apply_identity(ctx.state, wf["id"], name, wf.get("identity"), None)
    return ctx.empty(200)


async def _set_state(ctx: Ctx, action: str, value: str) -> web.StreamResponse:
    ctx.authorize(_ids(ctx)[3], f"{WORKFLOWS}/{action}/action")
    wf = _find(ctx)
    wf["properties"]["state"] = value
    wf["properties"]["changedTime"] = factories.logic_timestamp()
    return ctx.empty(200)


async def enable(ctx: Ctx) -> web.StreamResponse:
    return await _set_state(ctx, "enable", "Enabled")


async def disable(ctx: Ctx) -> web.StreamResponse:
    return await _set_state(ctx, "disable", "Disabled")
