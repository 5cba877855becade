"""A small tenant from the emulator's factories: tests know which vault is in which state.

(Built here, not from the demo seed, so seed edits do not move these tests.)
"""

from __future__ import annotations

from dataclasses import dataclass

from console.azure.connection import Connection
from emulator import factories as f
from emulator.roles import OWNER, READER
from emulator.server import Emulator
from emulator.state import SecretRecord, SecretVersion, State, new_version, now_ts

SUB = "11111111-1111-4111-8111-111111111111"
SUB2 = "22222222-2222-4222-8222-222222222222"
RG = "rg-app"
CANARY = "canary-Secret-Value-7Q2x"  # must never show in a repr, message or log


@dataclass
class World:
    state: State
    admin_id: str
    reader_id: str
    secrets: dict[str, str]  # principal kind -> client secret (for sign-in only)
    app_ids: dict[str, str]

    def vault_id(self, name: str, sub: str = SUB, rg: str = RG) -> str:
        return f.resource_id(sub, rg, f.KEYVAULT, name)

    def workflow_id(self, name: str) -> str:
        return f.resource_id(SUB, RG, f.WORKFLOWS, name)


def _secret(state: State, vault: str, name: str, values: list[str], **attrs: object) -> None:
    ts = now_ts() - 3600
    versions = [
        SecretVersion(new_version(), v, ts + i, ts + i, **attrs)  # type: ignore[arg-type]
        for i, v in enumerate(values)
    ]
    state.vault_secrets(vault)[name.lower()] = SecretRecord(name, versions)


def build_world() -> World:
    state = State()
    f.add_subscription(state, SUB, "Contoso Production")
    f.add_subscription(state, SUB2, "Contoso Sandbox")
    f.add_resource_group(state, SUB, RG)
    f.add_resource_group(state, SUB, "rg-data")
    f.add_resource_group(state, SUB2, "rg-sandbox")
    admin = f.add_principal(state, "ServicePrincipal", "kvconsole-admin", client_secret="adm-pw")
    reader = f.add_principal(state, "ServicePrincipal", "kvconsole-reader", client_secret="rd-pw")
    for sub in (SUB, SUB2):
        f.add_role_assignment(state, f"/subscriptions/{sub}", OWNER, admin.object_id)
    f.add_role_assignment(state, f"/subscriptions/{SUB}", READER, reader.object_id)
    full = ["get", "list", "set", "delete", "recover", "purge", "backup", "restore"]
    policy = [f.access_policy(state, admin.object_id, full)]
    f.add_vault(state, SUB, RG, "kv-open", access_policies=policy)
    f.add_vault(
        state,
        SUB,
        RG,
        "kv-locked",
        access_policies=policy,
        default_action="Deny",
        ip_rules=["198.51.100.7"],
    )
    f.add_vault(state, SUB, RG, "kv-rbac", rbac=True)
    f.add_vault(state, SUB, "rg-data", "kv-guarded", access_policies=policy, purge_protection=True)
    f.add_vault(state, SUB2, "rg-sandbox", "kv-sandbox", access_policies=policy)
    _secret(
        state, "kv-open", "db-password", ["v1-old", "v2-old", CANARY], content_type="text/plain"
    )
    _secret(state, "kv-open", "disabled-one", ["off"], enabled=False)
    for i in range(30):
        _secret(state, "kv-open", f"bulk-{i:02d}", [f"value-{i}"])
    _secret(state, "kv-locked", "behind-firewall", ["x"])
    _secret(state, "kv-rbac", "rbac-secret", ["r"])
    _secret(state, "kv-guarded", "guarded", ["g"])
    uai = f.add_user_identity(state, SUB, RG, "uai-orders")
    f.add_workflow(state, SUB, RG, "la-none")
    f.add_workflow(
        state,
        SUB,
        RG,
        "la-user",
        identity={"type": "UserAssigned", "userAssignedIdentities": {uai["id"]: {}}},
    )
    f.add_workflow(state, SUB, RG, "la-system", identity={"type": "SystemAssigned"})
    return World(
        state,
        admin.object_id,
        reader.object_id,
        {"admin": "adm-pw", "reader": "rd-pw"},
        {"admin": admin.app_id, "reader": reader.app_id},
    )


def connect(emu: Emulator, world: World, who: str = "admin") -> Connection:
    return Connection.for_emulator(
        emu.base_url, emu.ca_path, emu.state.tenant_id, world.app_ids[who], world.secrets[who]
    )
