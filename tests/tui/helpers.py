"""Waiting for the app without sleeping blindly: poll a condition, bounded."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from screens.app import KvConsoleApp


async def wait_for(pilot: Pilot, condition: Callable[[], bool], what: str, limit: float = 15.0):
    steps = int(limit / 0.05)
    for _ in range(steps):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


# Every worker group that loads from the tenant in the background.
BACKGROUND_GROUPS = ("load", "prefetch", "directory", "secrets", "roles")


def fully_loaded(app: KvConsoleApp) -> bool:
    if app.service is None or not app.catalog.subscriptions:
        return False
    main = app.main
    if main.pending or not app.catalog.vaults:
        return False
    for vault in app.catalog.vaults.values():
        listing = app.catalog.secrets.get(vault.uri.rstrip("/").lower())
        if listing is None or not (listing.done or listing.error):
            return False
    busy = [w for w in app.workers if w.group in BACKGROUND_GROUPS and w.is_running]
    if main._flush_timer is not None:  # pages received but not shown yet (coalesced updates)
        return False
    return not busy and (app.catalog.directory_checked or bool(app.catalog.directory))


async def loaded(pilot: Pilot) -> None:
    await wait_for(pilot, lambda: fully_loaded(pilot.app), "the demo tenant to load")
    await pilot.pause()
