"""Trigger a workflow and read its run history (run, actions; content only to spot leaks)."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any, Literal

from console.models import RunAction, WorkflowRun, parse_resource_id

if TYPE_CHECKING:
    from console.azure.connection import Connection

ContentCheck = Literal["secret", "clean", "unreadable"]
FINISHED = {"succeeded", "failed", "cancelled", "skipped", "timedout", "aborted"}


def _parts(logic_app_id: str) -> tuple[str, str, str]:
    ids = parse_resource_id(logic_app_id)
    return ids["subscriptions"], ids["resourcegroups"], ids["workflows"]


async def list_triggers(connection: Connection, logic_app_id: str) -> list[str]:
    sub, rg, name = _parts(logic_app_id)
    client = connection.logic_client(sub)
    return [t.name async for t in client.workflow_triggers.list(rg, name)]


async def trigger_run(connection: Connection, logic_app_id: str, trigger: str) -> str | None:
    """Run *trigger*; the run's name when Azure tells it (x-ms-workflow-run-id)."""
    sub, rg, name = _parts(logic_app_id)
    client = connection.logic_client(sub)

    def run_id(pipeline_response: Any, _: Any, headers: Any) -> str | None:
        value = pipeline_response.http_response.headers.get("x-ms-workflow-run-id")
        return None if value is None else str(value)

    # the SDK types a call with a cls= hook as returning Any: run_id above decides it
    run_name: str | None = await client.workflow_triggers.run(rg, name, trigger, cls=run_id)
    return run_name


async def content_check(connection: Connection, uri: str) -> ContentCheck:
    """Fetch a run content link and say whether it holds a secret value; the content is dropped.

    Content links are SAS-signed URLs on the Logic Apps runtime host (not ARM): they are fetched
    with no Authorization header (such a host refuses a request carrying one, and a management
    token must never go to a host other than ARM). Anything but a readable 200 is "unreadable",
    never "clean": the leak check fails closed."""
    from azure.core import AsyncPipelineClient
    from azure.core.rest import AsyncHttpResponse, HttpRequest

    from console.azure.retry import retry_policy

    if not uri.lower().startswith("https://"):
        return "unreadable"  # a SAS in clear text over http: not fetched
    client: AsyncPipelineClient[HttpRequest, AsyncHttpResponse] = AsyncPipelineClient(
        uri, policies=[retry_policy(connection.client_options)], transport=connection.transport
    )
    try:
        response = await client.send_request(HttpRequest("GET", uri))
        raw = await response.read()
    except Exception:  # noqa: BLE001 - any failure to read is reported, not raised
        return "unreadable"
    if response.status_code != 200:
        return "unreadable"
    try:
        content = json.loads(raw)
    except ValueError:
        return "unreadable"
    body = content.get("body") if isinstance(content, dict) else None
    # A secret bundle (or the connector's body) carries the value as a string; a list does not.
    leaked = isinstance(body, dict) and isinstance(body.get("value"), str) and body["value"] != ""
    return "secret" if leaked else "clean"


async def get_run(
    connection: Connection,
    logic_app_id: str,
    run_name: str | None,
    *,
    timeout: float = 60.0,
    poll: float = 1.0,
) -> WorkflowRun:
    """The run (newest when *run_name* is None), waiting until it finishes."""
    sub, rg, name = _parts(logic_app_id)
    client = connection.logic_client(sub)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if run_name is None:
            run = None
            async for candidate in client.workflow_runs.list(rg, name, top=1):
                run = candidate
                break
            if run is None:
                raise LookupError(f"{name} has no run yet")
        else:
            run = await client.workflow_runs.get(rg, name, run_name)
        if str(run.status).lower() in FINISHED or loop.time() > deadline:
            break
        await asyncio.sleep(poll)
    actions = []
    async for action in client.workflow_run_actions.list(rg, name, run.name):
        outputs_link = action.outputs_link.uri if action.outputs_link else None
        check: ContentCheck = (
            await content_check(connection, outputs_link) if outputs_link else "clean"
        )
        error = action.error if isinstance(action.error, dict) else {}
        actions.append(
            RunAction(
                name=action.name,
                status=str(action.status),
                code=action.code,
                error_code=error.get("code"),
                error_message=error.get("message"),
                inputs_visible=action.inputs_link is not None,
                outputs_visible=outputs_link is not None,
                shows_secret_value=check == "secret",
                outputs_unreadable=check == "unreadable",
            )
        )
    trigger = run.trigger.name if run.trigger else None
    return WorkflowRun(
        name=run.name,
        status=str(run.status),
        trigger=trigger,
        start_time=run.start_time,
        end_time=run.end_time,
        actions=tuple(actions),
    )
