"""A test run reports the run it started, never the previous one (issue 12: when Azure does not
name the new run, the newest run in the history could be an older run)."""

from __future__ import annotations

import pytest

from console.azure.runs import get_run, list_triggers, newest_run_name, trigger_run
from console.service import AzureService
from tests.diagnosis import tenant

APP = "la-payments-ready"


async def test_without_the_run_id_header_the_new_run_is_found(service: AzureService) -> None:
    app_id = await tenant.app_id(service, APP)
    first = await service.test_run(app_id, timeout=20)
    previous = await newest_run_name(service.connection, app_id)
    assert previous == first.name
    (trigger, *_) = await list_triggers(service.connection, app_id)
    started = await trigger_run(service.connection, app_id, trigger)
    run = await get_run(service.connection, app_id, None, timeout=20, not_run=previous)
    assert run.name != previous and run.name == started


async def test_a_run_that_never_appears_is_an_error_not_the_old_run(
    service: AzureService,
) -> None:
    app_id = await tenant.app_id(service, APP)
    first = await service.test_run(app_id, timeout=20)
    with pytest.raises(LookupError, match="did not appear"):
        await get_run(service.connection, app_id, None, timeout=0.3, poll=0.1, not_run=first.name)
