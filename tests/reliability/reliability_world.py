"""The tenant the reliability tests run against (built from factories, not from the demo seed)."""

from __future__ import annotations

from dataclasses import dataclass

from console.azure.connection import Connection
from emulator import factories as f
from emulator.roles import OWNER
from emulator.server import Emulator
from emulator.state import SecretRecord, SecretVersion, State, new_version, now_ts

SUB = "33333333-3333-4333-8333-333333333333"
RG = "rg-rel"
ADMIN_SECRET = "rel-admin-pw"
FULL = ["get", "list", "set", "delete", "recover", "purge", "backup", "restore"]


@dataclass
class World:
    state: State
    admin_id: str
    admin_app_id: str
    principals: list[str]  # object ids the tests grant to and revoke from

    def vault_id(self, name: str) -> str:
        return f.resource_id(SUB, RG, f.KEYVAULT, name)


def build_world(principals: int = 4) -> World:
    state = State()
    f.add_subscription(state, SUB, "Reliability")
    f.add_resource_group(state, SUB, RG)
    admin = f.add_principal(state, "ServicePrincipal", "rel-admin", client_secret=ADMIN_SECRET)
    f.add_role_assignment(state, f"/subscriptions/{SUB}", OWNER, admin.object_id)
    others = [
        f.add_principal(state, "ServicePrincipal", f"app-{i}").object_id for i in range(principals)
    ]
    policy = [f.access_policy(state, admin.object_id, FULL)]
    f.add_vault(state, SUB, RG, "kv-ap", access_policies=policy)
    f.add_vault(state, SUB, RG, "kv-rbac", rbac=True)
    ts = now_ts() - 60
    state.vault_secrets("kv-ap")["db-password"] = SecretRecord(
        "db-password", [SecretVersion(new_version(), "old-value", ts, ts)]
    )
    return World(state, admin.object_id, admin.app_id, others)


def connect(emu: Emulator, world: World, **options: object) -> Connection:
    conn = Connection.for_emulator(
        emu.base_url, emu.ca_path, emu.state.tenant_id, world.admin_app_id, ADMIN_SECRET
    )
    conn.client_options.update(options)
    return conn
