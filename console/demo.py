"""The demo: the embedded emulator in this process, and a connection signed in to it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from console.azure.connection import Connection
from console.errors import ConsoleError
from emulator.server import Emulator, EmulatorThread
from emulator.state import State, StateFileError


@dataclass
class DemoSession:
    """A running demo tenant. ``connection()`` signs in as the demo service principal."""

    thread: EmulatorThread

    @property
    def emulator(self) -> Emulator:
        return self.thread.emulator

    def connection(self) -> Connection:
        """A new Connection (close it yourself) for the demo principal; never a real credential."""
        emu = self.emulator
        info = emu.state.info
        return Connection.for_emulator(
            emu.base_url,
            emu.ca_path,
            emu.state.tenant_id,
            info["demo_client_id"],
            info["demo_client_secret"],
            subscription_ids=tuple(emu.state.subscriptions),
        )

    def stop(self) -> None:
        self.thread.stop()


def start_demo(seed: str = "demo", state_path: Path | None = None) -> DemoSession:
    """Start the emulator on its own thread: from *state_path* if it exists, else from *seed*."""
    from emulator.seeds import build_state

    state: State
    if state_path is not None and Path(state_path).exists():
        try:
            state = State.load(Path(state_path))
        except StateFileError as exc:
            raise ConsoleError(str(exc), code="StateFileError") from exc
    else:
        state = build_state(seed)
    thread = EmulatorThread(state, state_path=Path(state_path) if state_path else None)
    thread.start()
    return DemoSession(thread)
