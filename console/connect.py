"""Signing in, without any UI: from the app's options and settings to an `AzureService`.

The Textual app receives `open_service` as its connect function (wired in `screens/cli.py`), so
`screens/` never imports the SDK wiring. The SDK and the demo emulator are imported lazily, in a
thread, after the first paint (tests/core/test_startup_imports.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from console.errors import AuthRequiredError
from console.settings import Settings

DevicePrompt = Callable[[str, str, Any], None]


def load_service_class() -> type:
    """The service class, with the SDK modules it will use already imported (call in a thread)."""
    from console.azure.arm import preload_sdk
    from console.service import AzureService

    preload_sdk()
    return AzureService


async def build_connection(
    *,
    settings: Settings,
    demo: bool,
    seed: str,
    state: Path | None,
    cloud: str,
    tenant: str | None,
    subscriptions: tuple[str, ...],
    demo_session: Any,
    device_prompt: DevicePrompt,
) -> tuple[Any, Any]:
    """The connection, and the demo session (started here when the demo has none yet)."""
    from console.azure.connection import Connection
    from console.clouds import CLOUDS

    if demo:
        if demo_session is None:
            from console.demo import start_demo

            demo_session = await asyncio.to_thread(start_demo, seed, state)
        return demo_session.connection(), demo_session
    azure_cloud = CLOUDS[cloud]
    s = settings
    tenant = tenant or s.tenant_id or None
    subs = subscriptions or s.subscriptions
    if s.auth_mode == "service_principal":
        from console.credentials import load_client_secret

        secret = load_client_secret(s.tenant_id, s.client_id)
        if secret is None:
            raise AuthRequiredError(
                f"No secret is stored in the keyring for client {s.client_id}: press s and "
                "enter it, or switch to the default sign-in."
            )
        return Connection.for_azure(azure_cloud, tenant_id=s.tenant_id, client_id=s.client_id,
                                    client_secret=secret, subscription_ids=subs), None  # fmt: skip
    if s.auth_mode == "device_code":
        return Connection.for_azure(azure_cloud, tenant_id=tenant, use_device_code=True,
                                    device_code_prompt=device_prompt,
                                    subscription_ids=subs), None  # fmt: skip
    return Connection.for_azure(azure_cloud, tenant_id=tenant, subscription_ids=subs), None


async def open_service(*, read_only: bool, **connection_options: Any) -> tuple[Any, Any]:
    """(service, demo session): the SDK is imported in a thread so the event loop stays free
    (a few hundred ms of CPU); `connection_options` are `build_connection`'s."""
    service_class = await asyncio.to_thread(load_service_class)
    connection, demo_session = await build_connection(**connection_options)
    return service_class(connection, read_only=read_only), demo_session
