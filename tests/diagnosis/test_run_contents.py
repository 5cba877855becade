"""The run-history leak check reads content links as Azure serves them: SAS links on the Logic
Apps runtime host, which refuse a bearer token. It never sends a token there and fails closed."""

from __future__ import annotations

from aiohttp import web

from console.demo import DemoSession
from console.service import AzureService
from emulator.http import AzureHttpError
from tests.diagnosis.tenant import app_id

LEAKY = "la-connector-insecure"  # its connector step's outputs hold the secret in clear


async def test_content_links_get_no_token_and_the_leak_is_found(
    service: AzureService, demo: DemoSession
) -> None:
    emu = demo.emulator
    seen: list[tuple[str, bool]] = []

    async def record(request: web.Request) -> None:
        if request.host.endswith(f":{emu.runtime_port}"):
            seen.append((request.path, "Authorization" in request.headers))

    emu.before_request.append(record)
    run = await service.test_run(await app_id(service, LEAKY))
    (action,) = run.actions
    assert seen and not any(with_token for _, with_token in seen)  # the token stayed home
    assert action.shows_secret_value and not action.outputs_unreadable


async def test_an_unreadable_content_link_is_reported_not_called_clean(
    service: AzureService, demo: DemoSession
) -> None:
    emu = demo.emulator

    async def refuse(request: web.Request) -> None:
        if request.host.endswith(f":{emu.runtime_port}"):
            raise AzureHttpError(403, "AuthorizationFailed", "The SAS has been revoked.")

    emu.before_request.append(refuse)
    run = await service.test_run(await app_id(service, LEAKY))
    (action,) = run.actions
    assert action.outputs_visible
    assert action.outputs_unreadable and not action.shows_secret_value
