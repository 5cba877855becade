"""Child process for bench/ui.py (one measurement per process; prints one BENCH json line)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input

from console.loader import settle_gc
from screens.widgets.filter_input import FilterInput
from screens.widgets.virtual_list import Column, Row, VirtualList

SIZE = (160, 45)


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def painted(app: App) -> float:
    """Wait for the next screen refresh; returns its time."""
    done = asyncio.get_running_loop().create_future()
    app.call_after_refresh(lambda: done.done() or done.set_result(time.perf_counter()))
    return await done


def send_key(app: App, key: str) -> float:
    """Deliver a key as the terminal driver does (no test-pilot waits); returns the send time."""
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    t0 = time.perf_counter()
    app._driver.send_message(event)  # noqa: SLF001 - what a real keystroke goes through
    return t0


async def key_to_paint(app: App, key: str, handled: Any) -> float:
    """Send *key*, wait until *handled()* says the app acted on it, then for the next paint."""
    t0 = send_key(app, key)
    while not handled() and time.perf_counter() - t0 < 2:
        await asyncio.sleep(0)
    return await painted(app) - t0


def secret_rows(n: int) -> list[Row]:
    return [
        Row(f"big-{i:06d}", (f"big-{i:06d}", "yes", "text/plain", "2026-01-01 00:00", "—"))
        for i in range(n)
    ]


class ListApp(App[None]):
    """The filter input and the virtual list as the main screen wires them."""

    def compose(self) -> ComposeResult:
        yield FilterInput("#items", id="filter")
        yield VirtualList(
            [
                Column("Name"),
                Column("Enabled", 7),
                Column("Type", 12),
                Column("Updated", 16),
                Column("Expires", 16),
            ],
            id="items",
        )


# ---- type-to-filter over 100,000 rows -------------------------------------------------------
async def filter_bench(n: int) -> dict[str, Any]:
    app = ListApp()
    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        vl = app.query_one(VirtualList)
        vl.add_rows(secret_rows(n))
        settle_gc()  # as the main screen does after each batch of rows it shows
        await pilot.pause()
        app.query_one(Input).focus()
        await pilot.pause()
        field = app.query_one(Input)
        keys = list("big-0123") + ["backspace"] * 8 + list("9999") + ["backspace"] * 4
        per_key, per_call = [], []
        typed = ""
        for key in keys:
            # A fast typist (20 keys a second). Keys closer than Textual's 60 fps frame cap
            # (16.7 ms after the previous paint) would wait for the frame slot, not for us.
            await asyncio.sleep(0.05)
            typed = typed[:-1] if key == "backspace" else typed + key
            want = tuple(typed.lower().split())
            per_key.append(
                await key_to_paint(
                    app, key, lambda t=typed, w=want: field.value == t and vl._filter == w
                )  # noqa: SLF001
            )
            await pilot.pause()
        for text in ("b", "bi", "big", "big-", "big-0", "big-00", "big-001", "", "9", "99"):
            # Paced like typing: back to back, every call would wait out Textual's 60 fps frame
            # cap (~16.7 ms after the previous paint) whatever the filter costs.
            await asyncio.sleep(0.05)
            t0 = time.perf_counter()
            vl.set_filter(text)  # the filter function and the list refresh it asks for
            per_call.append(await painted(app) - t0)
        out.update(keystroke=per_key, set_filter=per_call, shown=vl.visible_count)
    return out


# ---- memory: 100,000 secrets as models + list rows --------------------------------------
async def memory_bench(n: int) -> dict[str, Any]:
    from azure.keyvault.secrets.aio import SecretClient  # noqa: F401

    import console.service  # noqa: F401 - the app has the SDK loaded by then
    from console.models import SecretProperties
    from screens.catalog import SecretListing
    from screens.widgets.details import VaultDetail

    base = rss_mb()
    uri = "https://kv-big.vault.azure.net/"
    now = datetime.now(UTC)
    app = ListApp()
    async with app.run_test(size=SIZE) as pilot:
        listing = SecretListing()
        vl = app.query_one(VirtualList)
        for start in range(0, n, 25):  # as pages arrive
            page = [
                SecretProperties(
                    name=f"big-{i:06d}",
                    vault_uri=uri,
                    id=f"{uri}secrets/big-{i:06d}/{i:032x}",
                    version=f"{i:032x}",
                    content_type="text/plain",
                    created_on=now,
                    updated_on=now,
                    recovery_level="Recoverable+Purgeable",
                )
                for i in range(start, min(n, start + 25))
            ]
            listing.items.update({p.name: p for p in page})
            vl.add_rows([VaultDetail.secret_row(p) for p in page])
        await pilot.pause()
        vl.set_filter("big-0")
        await pilot.pause()
        return {"rss_mb": rss_mb(), "before_mb": base, "rows": vl.row_count}


# ---- responsiveness while the big vault loads (the real app) ----------------------------
class _Session:
    """Stands in for DemoSession: signs in to the emulator process (never a real credential)."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.info = info

    def connection(self) -> Any:
        from console.azure.connection import Connection

        i = self.info
        return Connection.for_emulator(
            i["base_url"],
            i["ca_path"],
            i["tenant_id"],
            i["demo_client_id"],
            i["demo_client_secret"],
            subscription_ids=tuple(i["subscription_ids"]),
        )

    def stop(self) -> None:
        pass


async def responsiveness_bench(info: dict[str, Any]) -> dict[str, Any]:
    from console.settings import Settings
    from screens.cli import make_app

    app = make_app(demo=True, settings=Settings(), demo_session=_Session(info))
    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        while not any(v.name == "kv-big" for v in app.catalog.vaults.values()):
            await pilot.pause(0.01)
        vault = next(v for v in app.catalog.vaults.values() if v.name == "kv-big")
        t_open = time.perf_counter()
        app.main.jump("vault", vault.uri)
        secrets = app.main.query_one("#secrets", VirtualList)
        secrets.focus()
        listing = app.catalog.listing(vault.uri)
        while secrets.visible_count < 100 and not listing.done:
            await pilot.pause(0.01)
        secrets.cursor = 50
        samples: list[float] = []
        keys = ["down", "down", "up", "pagedown", "pageup"]
        while not listing.done and listing.error is None:
            key = keys[len(samples) % len(keys)]
            if secrets.cursor < 45:
                key = "down"  # stay clear of both ends so every key moves the cursor
            elif key in ("down", "pagedown") and secrets.cursor >= secrets.visible_count - 45:
                key = "up"
            before = secrets.cursor
            samples.append(await key_to_paint(app, key, lambda b=before: secrets.cursor != b))
            await asyncio.sleep(0.02)  # a fast typist: 50 keys a second
        out.update(
            samples=samples,
            load_s=time.perf_counter() - t_open,
            rows=secrets.row_count,
            error=str(listing.error) if listing.error else None,
        )
    return out


# ---- a large tenant loading in the app: time to a full tree, responsiveness meanwhile -------
async def tenant_bench(info: dict[str, Any]) -> dict[str, Any]:
    from console.settings import Settings
    from screens.cli import make_app
    from screens.widgets.nav import NavTree

    t0 = time.perf_counter()
    app = make_app(demo=True, settings=Settings(), demo_session=_Session(info))
    samples: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        nav = app.main.query_one("#nav", NavTree)
        nav.focus()
        while app.service is None:
            await pilot.pause(0.01)
        connected = time.perf_counter() - t0
        stalls: list[float] = []

        async def watch_the_loop() -> None:  # how long the event loop goes without a turn
            while True:
                before = time.perf_counter()
                await asyncio.sleep(0.005)
                stalls.append(time.perf_counter() - before - 0.005)

        watcher = asyncio.get_running_loop().create_task(watch_the_loop())
        going = "down"
        while app.main.pending or not app.catalog.vaults:
            before = nav.cursor_line
            if before <= 0:
                going = "down"
            elif before >= 6:
                going = "up"
            samples.append(await key_to_paint(app, going, lambda b=before: nav.cursor_line != b))
            await asyncio.sleep(0.02)
        filled = time.perf_counter() - t0
        watcher.cancel()
        counts = (len(app.catalog.vaults), len(app.catalog.logic_apps))
    return {
        "samples": samples,
        "connected_s": connected,
        "filled_s": filled,
        "counts": counts,
        "stalls": stalls,
    }


def main() -> None:
    mode = sys.argv[1]
    if mode == "filter":
        result = asyncio.run(filter_bench(int(sys.argv[2])))
    elif mode == "memory":
        result = asyncio.run(memory_bench(int(sys.argv[2])))
    elif mode == "tenant":
        result = asyncio.run(tenant_bench(json.loads(sys.argv[2])))
    else:
        result = asyncio.run(responsiveness_bench(json.loads(sys.argv[2])))
    print("BENCH " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
