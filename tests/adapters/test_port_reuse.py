"""A new emulator (another tenant) on a port an earlier one used: the console still signs in.

The Key Vault SDK caches a vault's challenge (its tenant) per host:port for the whole process.
"""

from __future__ import annotations

import socket

from adapter_world import build_world, connect

from console.service import AzureService
from emulator.server import EmulatorThread


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_a_second_tenant_on_the_same_vault_port_is_not_confused() -> None:
    port = free_port()
    names = []
    for _ in range(2):
        world = build_world()
        vault = next(iter(world.state.vaults.values()))["name"]
        world.state.vault_ports[vault.lower()] = port
        thread = EmulatorThread(world.state)
        emu = thread.start()
        try:
            assert emu.vault_uri(vault) == f"https://127.0.0.1:{port}/"
            service = AzureService(connect(emu, world))
            try:
                names.append([s.name for s in await service.list_secrets(emu.vault_uri(vault))])
            finally:
                await service.close()
        finally:
            thread.stop()
    assert names[0] == names[1] and names[0]
