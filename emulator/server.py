"""The emulator process: ARM + token endpoint on one origin, one origin (port) per vault, one
for the Logic Apps runtime host (run-history contents)."""

from __future__ import annotations

import asyncio
import hmac
import secrets
import tempfile
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from emulator import dataplane, graph, logic_runtime, login
from emulator.arm import register as register_arm
from emulator.http import KEY_HEADER, SOURCE_HEADER, AzureHttpError
from emulator.state import State, write_state_file
from emulator.tls import TlsFiles, make_tls

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Emulator:
    """Serves *state* over HTTPS on 127.0.0.1. Use ``await start()`` / ``await stop()``."""

    def __init__(
        self,
        state: State,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        state_path: Path | None = None,
        tls_dir: Path | None = None,
        token_lifetime: int = 3600,
    ) -> None:
        self.state = state
        self.host = host
        self.port = port
        self.runtime_port = 0
        self.state_path = state_path
        self.token_lifetime = token_lifetime
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if tls_dir is None:
            if state_path is not None:
                tls_dir = state_path.parent / f"{state_path.name}.tls"
            else:
                self._tmp = tempfile.TemporaryDirectory(prefix="kvconsole-emulator-")
                tls_dir = Path(self._tmp.name)
        self.tls_dir = tls_dir
        self.tls: TlsFiles | None = None
        # Lets the emulator's own workflow runs call a vault "from" a Logic App's outgoing address.
        self.internal_key = secrets.token_hex(16)
        self._runners: list[web.AppRunner] = []
        self._vault_runners: dict[str, web.AppRunner] = {}
        # Hooks other parts (fault injection) may set; called before every request.
        self.before_request: list[Callable[[web.Request], Awaitable[None]]] = []
        # --state: writes within PERSIST_DELAY share one file write (taken on the loop, written
        # in a thread), so a burst of writes does not rewrite the whole tenant per request.
        self.state_writes = 0
        self._persist_timer: asyncio.TimerHandle | None = None
        self._persist_task: asyncio.Task[None] | None = None

    # ---- addresses ----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"https://{self.host}:{self.port}"

    @property
    def ca_path(self) -> Path:
        assert self.tls is not None, "start() first"
        return self.tls.ca_path

    @property
    def runtime_url(self) -> str:
        """The Logic Apps runtime host (run-history contents): its own origin, as on Azure."""
        return f"https://{self.host}:{self.runtime_port}"

    def vault_uri(self, vault_name: str) -> str:
        return f"https://{self.host}:{self.state.vault_ports[vault_name.lower()]}/"

    def client_address(self, request: web.Request) -> str:
        """The address a vault sees: loopback callers appear as the console's public address."""
        source = request.headers.get(SOURCE_HEADER)
        if source and hmac.compare_digest(request.headers.get(KEY_HEADER, ""), self.internal_key):
            return source
        peer = request.remote or ""
        if peer.startswith("127.") or peer in ("::1", "localhost", ""):
            return self.state.client_address
        return peer

    def info(self) -> dict[str, Any]:
        """What an outside script needs to use the emulator with the plain SDK."""
        return {
            "base_url": self.base_url,
            "ca_path": str(self.ca_path),
            "tenant_id": self.state.tenant_id,
            "subscription_ids": list(self.state.subscriptions),
            "client_address": self.state.client_address,
            **self.state.info,
        }

    # ---- life cycle ---------------------------------------------------------------------
    async def start(self) -> None:
        self.tls = make_tls(self.tls_dir)
        app = web.Application(middlewares=[self._middleware])
        login.register(app, self)
        graph.register(app, self)
        register_arm(app, self)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, ssl_context=self.tls.server_context())
        await site.start()
        self.port = runner.addresses[0][1]
        self._runners.append(runner)
        runtime = web.Application(middlewares=[self._middleware])
        logic_runtime.register(runtime, self)
        runtime_runner = web.AppRunner(runtime, access_log=None)
        await runtime_runner.setup()
        site = web.TCPSite(runtime_runner, self.host, 0, ssl_context=self.tls.server_context())
        await site.start()
        self.runtime_port = runtime_runner.addresses[0][1]
        self._runners.append(runtime_runner)
        for vault in list(self.state.vaults.values()):
            await self.ensure_vault_site(vault["name"])

    async def stop(self) -> None:
        await self.flush_state()
        for runner in [*self._vault_runners.values(), *self._runners]:
            await runner.cleanup()
        self._vault_runners.clear()
        self._runners.clear()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    async def ensure_vault_site(self, vault_name: str) -> str:
        """Serve the vault's data plane on its own port; returns (and records) its vaultUri."""
        key = vault_name.lower()
        if key in self._vault_runners:
            return self.vault_uri(vault_name)
        assert self.tls is not None
        app = web.Application(middlewares=[self._middleware])
        dataplane.register(app, self, vault_name)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        wanted = self.state.vault_ports.get(key, 0)
        try:
            site = web.TCPSite(runner, self.host, wanted, ssl_context=self.tls.server_context())
            await site.start()
        except OSError:  # the remembered port is taken: take any
            site = web.TCPSite(runner, self.host, 0, ssl_context=self.tls.server_context())
            await site.start()
        self.state.vault_ports[key] = runner.addresses[0][1]
        self._vault_runners[key] = runner
        uri = self.vault_uri(vault_name)
        vault = self.state.vault_by_name(vault_name)
        if vault is not None:
            vault["properties"]["vaultUri"] = uri
        return uri

    async def drop_vault_site(self, vault_name: str) -> None:
        runner = self._vault_runners.pop(vault_name.lower(), None)
        if runner is not None:
            await runner.cleanup()

    PERSIST_DELAY = 0.2  # seconds: the most a crash can lose of the newest writes

    def persist(self) -> None:
        """Write the state file now (start-up, shutdown, tests)."""
        if self.state_path is not None:
            self.state.save(self.state_path)
            self.state_writes += 1

    def schedule_persist(self) -> None:
        """Write the state file soon; writes until then join this one."""
        if self.state_path is None or self._persist_timer is not None:
            return
        loop = asyncio.get_running_loop()
        self._persist_timer = loop.call_later(self.PERSIST_DELAY, self._start_persist)

    def _start_persist(self) -> None:
        self._persist_timer = None
        if self._persist_task is not None and not self._persist_task.done():
            self.schedule_persist()  # one write at a time: try again after this one
            return
        self._persist_task = asyncio.get_running_loop().create_task(self._persist_now())

    async def _persist_now(self) -> None:
        assert self.state_path is not None
        snapshot = self.state.to_json()  # on the loop: a consistent picture
        await asyncio.to_thread(write_state_file, snapshot, self.state_path)
        self.state_writes += 1

    async def flush_state(self) -> None:
        """Write what is pending (stop(), and tests that read the file)."""
        if self._persist_timer is not None:
            self._persist_timer.cancel()
            self._persist_timer = None
            if self._persist_task is not None:
                await self._persist_task
            await self._persist_now()
        elif self._persist_task is not None:
            await self._persist_task

    # ---- middleware ---------------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        for hook in self.before_request:
            await hook(request)
        try:
            response = await handler(request)
        except AzureHttpError:
            raise
        except web.HTTPNotFound as exc:
            raise AzureHttpError(
                404,
                "NotFound" if request.app is not None else "NotFound",
                f"The requested path '{request.path}' is not served by this emulator "
                f"({exc.reason}).",
            ) from exc
        except web.HTTPMethodNotAllowed as exc:
            raise AzureHttpError(
                405, "MethodNotAllowed", f"The method '{request.method}' is not allowed here."
            ) from exc
        if request.method not in ("GET", "HEAD"):
            self.schedule_persist()
        return response


class EmulatorThread:
    """Runs an :class:`Emulator` on its own event loop in a daemon thread (tests, demo, scripts)."""

    def __init__(self, state: State, **kwargs: Any) -> None:
        self.emulator = Emulator(state, **kwargs)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, daemon=True, name="kvconsole-emulator"
        )

    def start(self) -> Emulator:
        self._thread.start()
        self.call(self.emulator.start())
        return self.emulator

    def call(self, coro: Awaitable[Any], timeout: float = 30) -> Any:
        """Run a coroutine on the emulator's loop (e.g. to change state safely) and wait."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)  # type: ignore[arg-type]

    def stop(self) -> None:
        if self._thread.is_alive():
            self.call(self.emulator.stop())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
