"""Workflow triggers and run history: `triggers/{name}/run`, runs and run actions (their contents
are served by the runtime host, emulator/logic_runtime.py).

A run executes at once (see emulator/workflow_runs.py), so it is finished when listed.
Secured inputs/outputs have no content link, as Azure's run history hides them.
"""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from emulator import factories
from emulator.arm.common import LOGIC_VERSIONS, Ctx, Router, require_rg, resource_not_found
from emulator.http import AzureHttpError
from emulator.logic_runtime import content_link

LG = r"providers/Microsoft\.Logic/workflows"
RUN_ACTION = "Microsoft.Logic/workflows/triggers/run/action"
READ_RUNS = "Microsoft.Logic/workflows/runs/read"


def add_routes(router: Router) -> None:
    v = LOGIC_VERSIONS
    wf = f"/subscriptions/{{sid}}/resourcegroups/{{rg}}/{LG}/{{name}}"
    router.add("GET", f"{wf}/triggers", v, list_triggers)
    router.add("POST", f"{wf}/triggers/{{trigger}}/run", v, run_trigger)
    router.add("GET", f"{wf}/runs", v, list_runs)
    router.add("GET", f"{wf}/runs/{{run}}", v, get_run)
    router.add("GET", f"{wf}/runs/{{run}}/actions", v, list_actions)
    router.add("GET", f"{wf}/runs/{{run}}/actions/{{action}}", v, get_action)


def _workflow(ctx: Ctx) -> dict[str, Any]:
    sid, rg, name = ctx.match["sid"], ctx.match["rg"], ctx.match["name"]
    require_rg(ctx, sid, rg)
    wf = ctx.state.workflows.get(factories.resource_id(sid, rg, factories.WORKFLOWS, name).lower())
    if wf is None:
        raise resource_not_found(factories.WORKFLOWS, name, rg)
    return wf


def _run(ctx: Ctx, wf: dict[str, Any]) -> dict[str, Any]:
    wanted = ctx.match["run"].lower()
    for run in ctx.state.runs.get(wf["id"].lower(), []):
        if run["name"].lower() == wanted:
            return run
    raise AzureHttpError(
        404,
        "WorkflowRunNotFound",
        f"The workflow '{wf['name']}' does not have a run '{ctx.match['run']}'.",
    )


def _trigger_body(wf: dict[str, Any], name: str) -> dict[str, Any]:
    props = wf["properties"]
    return {
        "id": f"{wf['id']}/triggers/{name}",
        "name": name,
        "type": "Microsoft.Logic/workflows/triggers",
        "properties": {
            "provisioningState": "Succeeded",
            "state": "Enabled",
            "createdTime": props.get("createdTime"),
            "changedTime": props.get("changedTime"),
            "workflow": {"id": wf["id"], "name": wf["name"], "type": "Microsoft.Logic/workflows"},
        },
    }


def _run_body(wf: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
    version = wf["properties"].get("version", "1")
    return {
        "id": f"{wf['id']}/runs/{run['name']}",
        "name": run["name"],
        "type": "Microsoft.Logic/workflows/runs",
        "properties": {
            "waitEndTime": run["startTime"],
            "startTime": run["startTime"],
            "endTime": run["endTime"],
            "status": run["status"],
            "correlation": {"clientTrackingId": run["name"]},
            "workflow": {
                "id": f"{wf['id']}/versions/{version}",
                "name": version,
                "type": "Microsoft.Logic/workflows/versions",
            },
            "trigger": {
                "name": run["trigger"],
                "startTime": run["startTime"],
                "endTime": run["startTime"],
                "status": "Succeeded",
                "code": "OK",
                "correlation": {"clientTrackingId": run["name"]},
            },
            "outputs": {},
        },
    }


def _action_body(ctx: Ctx, wf: dict[str, Any], run: dict[str, Any], name: str) -> dict[str, Any]:
    record = run["actions"][name]
    action_id = f"{wf['id']}/runs/{run['name']}/actions/{name}"
    props: dict[str, Any] = {
        "startTime": record["startTime"],
        "endTime": record["endTime"],
        "status": record["status"],
        "code": record["code"],
        "correlation": {"actionTrackingId": str(uuid.uuid5(uuid.NAMESPACE_URL, action_id))},
    }
    if record.get("error"):
        props["error"] = record["error"]
    for kind in ("inputs", "outputs"):
        if record.get(kind) is not None:
            props[f"{kind}Link"] = {  # on the runtime host, SAS-signed (emulator/logic_runtime)
                "uri": content_link(ctx.emu, wf, run["name"], name, kind),
                "contentVersion": "1",
                "contentSize": len(str(record[kind])),
            }
    return {
        "id": action_id,
        "name": name,
        "type": "Microsoft.Logic/workflows/runs/actions",
        "properties": props,
    }


async def list_triggers(ctx: Ctx) -> web.StreamResponse:
    wf = _workflow(ctx)
    ctx.authorize(wf["id"], "Microsoft.Logic/workflows/triggers/read")
    names = (wf["properties"].get("definition") or {}).get("triggers") or {}
    return ctx.json({"value": [_trigger_body(wf, n) for n in names]})


async def run_trigger(ctx: Ctx) -> web.StreamResponse:
    from emulator.workflow_runs import RunExecutor

    wf = _workflow(ctx)
    ctx.authorize(wf["id"], RUN_ACTION)
    trigger = ctx.match["trigger"]
    triggers = (wf["properties"].get("definition") or {}).get("triggers") or {}
    if trigger not in triggers:
        raise AzureHttpError(
            404,
            "WorkflowTriggerNotFound",
            f"The workflow '{wf['name']}' does not contain trigger '{trigger}'.",
        )
    if str(wf["properties"].get("state", "Enabled")).lower() != "enabled":
        raise AzureHttpError(
            409,
            "WorkflowNotEnabled",
            f"The workflow '{wf['name']}' is disabled; enable it to run it.",
        )
    run = await RunExecutor(ctx.emu, wf).run(trigger)
    ctx.emu.schedule_persist()
    return ctx.empty(202, {"x-ms-workflow-run-id": run["name"]})


async def list_runs(ctx: Ctx) -> web.StreamResponse:
    wf = _workflow(ctx)
    ctx.authorize(wf["id"], READ_RUNS)
    runs = ctx.state.runs.get(wf["id"].lower(), [])
    return ctx.paged([_run_body(wf, r) for r in runs], top_param=True)


async def get_run(ctx: Ctx) -> web.StreamResponse:
    wf = _workflow(ctx)
    ctx.authorize(wf["id"], READ_RUNS)
    return ctx.json(_run_body(wf, _run(ctx, wf)))


async def list_actions(ctx: Ctx) -> web.StreamResponse:
    wf = _workflow(ctx)
    ctx.authorize(wf["id"], READ_RUNS)
    run = _run(ctx, wf)
    return ctx.paged([_action_body(ctx, wf, run, name) for name in run["actions"]], top_param=True)


def _record(ctx: Ctx, run: dict[str, Any], wf: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] | None = run["actions"].get(ctx.match["action"])
    if record is None:
        raise AzureHttpError(
            404,
            "WorkflowRunActionNotFound",
            f"The workflow run '{run['name']}' of '{wf['name']}' has no action "
            f"'{ctx.match['action']}'.",
        )
    return record


async def get_action(ctx: Ctx) -> web.StreamResponse:
    wf = _workflow(ctx)
    ctx.authorize(wf["id"], READ_RUNS)
    run = _run(ctx, wf)
    _record(ctx, run, wf)
    return ctx.json(_action_body(ctx, wf, run, ctx.match["action"]))
