"""Every principal seen and what it can reach; orphans only when the directory said so."""

from __future__ import annotations

from console.inventory import LOGIC_APP, USER_ASSIGNED, KnownPrincipal, build_inventory
from console.models import (
    AccessPolicy,
    LogicApp,
    Permissions,
    RoleAssignment,
    UserAssignedIdentity,
    Vault,
    WorkflowIdentity,
)

SUB = "/subscriptions/s1"
VAULT_ID = f"{SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1"


def vault(policies=()) -> Vault:
    return Vault(
        id=VAULT_ID,
        name="kv1",
        subscription_id="s1",
        resource_group="rg",
        location="westeurope",
        uri="https://kv1.vault.azure.net/",
        tenant_id="t",
        access_policies=tuple(policies),
    )


def policy(oid: str, *secrets: str) -> AccessPolicy:
    return AccessPolicy("t", oid, Permissions(secrets=secrets))


def test_inventory_names_kinds_grants_and_orphans() -> None:
    ident = WorkflowIdentity("SystemAssigned", "p-la", "t")
    app = LogicApp(
        id=f"{SUB}/resourceGroups/rg/providers/Microsoft.Logic/workflows/la1",
        name="la1",
        subscription_id="s1",
        resource_group="rg",
        location="w",
        state="Enabled",
        identity=ident,
    )
    uai = UserAssignedIdentity(
        id="uai-id",
        name="id-shared",
        subscription_id="s1",
        resource_group="rg",
        location="w",
        principal_id="p-uai",
        client_id="c",
        tenant_id="t",
    )
    role = RoleAssignment(
        id="ra1",
        name="ra1",
        scope=SUB,
        role_definition_id="rd",
        principal_id="p-user",
        principal_type="User",
        role_name="Key Vault Secrets User",
    )
    vaults = [
        vault([policy("p-la", "get"), policy("p-uai", "get", "list"), policy("p-gone", "get")])
    ]
    known = {"p-user": KnownPrincipal("p-user", "alice@contoso.example", "User")}
    entries = {
        e.object_id: e
        for e in build_inventory(
            vaults=vaults,
            logic_apps=[app],
            identities=[uai],
            role_assignments=[role],
            known=known,
            directory_checked=True,
        )
    }
    assert entries["p-la"].display_name == "la1" and entries["p-la"].kind == LOGIC_APP
    assert entries["p-la"].grants[0].detail == "secrets: get"
    assert entries["p-uai"].kind == USER_ASSIGNED
    assert entries["p-user"].label == "alice@contoso.example"
    assert entries["p-user"].grants[0].via == "role assignment"
    assert "Key Vault Secrets User" in entries["p-user"].grants[0].detail
    assert entries["p-gone"].orphaned and not entries["p-la"].orphaned
    # Orphans sort last.
    ordered = build_inventory(
        vaults=vaults, logic_apps=[app], identities=[uai], known=known, directory_checked=True
    )
    assert ordered[-1].object_id == "p-gone"


def test_without_a_directory_answer_nobody_is_called_orphaned() -> None:
    entries = build_inventory(vaults=[vault([policy("p-x", "get")])])
    assert [e.orphaned for e in entries] == [False]
    assert entries[0].kind == "Unknown"
