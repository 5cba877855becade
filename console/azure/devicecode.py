"""Device-code sign-in for the async clients: azure.identity.aio has no DeviceCodeCredential.

The sync credential runs in a worker thread; its token cache keeps the user signed in for
every later call (ARM and Key Vault scopes alike, via the refresh token).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


class AsyncDeviceCodeCredential:
    """An AsyncTokenCredential over azure.identity.DeviceCodeCredential.

    *prompt* is called (from a worker thread) with (verification_uri, user_code, expires_on).
    """

    def __init__(
        self,
        authority: str,
        tenant_id: str | None,
        prompt: Callable[[str, str, Any], None] | None,
    ) -> None:
        from azure.identity import DeviceCodeCredential

        kwargs: dict[str, Any] = {"authority": authority}
        if tenant_id:
            kwargs["tenant_id"] = tenant_id
        if prompt is not None:
            kwargs["prompt_callback"] = prompt
        self._sync = DeviceCodeCredential(**kwargs)
        self._lock = asyncio.Lock()  # one prompt at a time, even when clients ask in parallel

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        async with self._lock:
            return await asyncio.to_thread(self._sync.get_token, *scopes, **kwargs)

    async def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        async with self._lock:
            return await asyncio.to_thread(self._sync.get_token_info, *scopes, options=options)

    async def close(self) -> None:
        await asyncio.to_thread(self._sync.close)

    async def __aenter__(self) -> AsyncDeviceCodeCredential:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
