"""Grant wizard plans: presets, warnings, idempotency, RBAC, review of over-privileged entries."""

from __future__ import annotations

from dataclasses import replace

import pytest

from console.models import (
    AccessPolicy,
    LogicApp,
    Permissions,
    RoleAssignment,
    Vault,
    WorkflowIdentity,
)
from console.plans.base import (
    ACCESS_POLICY_ADD,
    ACCESS_POLICY_REMOVE,
    ROLE_ASSIGNMENT_CREATE,
    ROLE_ASSIGNMENT_DELETE,
)
from console.plans.grant import (
    KV_ADMINISTRATOR,
    KV_SECRETS_OFFICER,
    KV_SECRETS_USER,
    READ,
    ROTATE,
    PrincipalRef,
    plan_grant,
    plan_remove_over_privileged,
    principal_for_logic_app,
    review_over_privileged,
)

SUB = "00000000-0000-0000-0000-0000000000aa"
VAULT_ID = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1"
TENANT = "00000000-0000-0000-0000-000000000077"
APP_OID = "11111111-1111-1111-1111-111111111111"
ADMIN_OID = "22222222-2222-2222-2222-222222222222"
CREATOR_OID = "33333333-3333-3333-3333-333333333333"
APP = PrincipalRef(APP_OID, "la-orders (system-assigned identity)", "managed_identity")


def vault(*policies: AccessPolicy, rbac: bool = False) -> Vault:
    return Vault(
        id=VAULT_ID,
        name="kv1",
        subscription_id=SUB,
        resource_group="rg",
        location="westus",
        uri="https://127.0.0.1:4443/",
        tenant_id=TENANT,
        rbac_authorization=rbac,
        access_policies=policies,
    )


def policy(oid: str, **perms: tuple[str, ...]) -> AccessPolicy:
    return AccessPolicy(TENANT, oid, Permissions(**perms))


def assignment(
    principal: str, role: str, scope: str = VAULT_ID, name: str = "a1"
) -> RoleAssignment:
    return RoleAssignment(
        id=f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}",
        name=name,
        scope=scope,
        role_definition_id=f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}",
        principal_id=principal,
    )


# ---- access-policy vaults -----------------------------------------------------------------


def test_read_preset_adds_get_only() -> None:
    plan = plan_grant(vault(), APP)
    assert plan.can_apply and plan.warnings == ()
    (change,) = plan.changes
    assert change.kind == ACCESS_POLICY_ADD
    assert change.params.permissions == {"secrets": ["get"]}
    assert change.params.object_id == APP_OID and change.params.vault_id == VAULT_ID
    assert change.before is None
    assert change.after == {"object_id": APP_OID, "permissions": {"secrets": ["get"]}}
    assert "+ object id: " + APP_OID in plan.render_diff()
    assert "+ permissions › secrets: get" in plan.render_diff()


def test_only_missing_permissions_are_added() -> None:
    plan = plan_grant(vault(policy(APP_OID, secrets=("get",))), APP, "rotate")
    (change,) = plan.changes
    assert change.params.permissions == {"secrets": ["list", "set"]}
    assert change.before == {"object_id": APP_OID, "permissions": {"secrets": ["get"]}}
    assert change.after["permissions"] == {"secrets": ["get", "list", "set"]}
    # undo removes exactly what was added, not the pre-existing get
    assert change.undo is not None and change.undo.kind == ACCESS_POLICY_REMOVE
    assert change.undo.params.permissions == {"secrets": ["list", "set"]}
    assert change.undo.after == change.before


@pytest.mark.parametrize(
    "existing",
    [("get",), ("Get",), ("get", "list"), ("all",)],
)
def test_grant_is_idempotent(existing: tuple[str, ...]) -> None:
    plan = plan_grant(vault(policy(APP_OID, secrets=existing)), APP, READ)
    assert plan.is_empty and not plan.can_apply
    assert "already has" in plan.notes[0]
    assert "Nothing to change." in plan.render_diff()


def test_rotate_preset_is_not_flagged_per_permission() -> None:
    plan = plan_grant(vault(), APP, ROTATE)
    assert plan.warnings == ()
    assert plan.changes[0].params.permissions == {"secrets": ["get", "list", "set"]}


def test_custom_permissions_warn_once_per_permission_beyond_get() -> None:
    custom = Permissions(secrets=("get", "list", "delete"), keys=("get",))
    plan = plan_grant(vault(), APP, custom)
    assert plan.needs_acknowledgement
    assert len(plan.warnings) == 3
    assert [w.split(".")[0] for w in plan.warnings] == [
        "Beyond Get: secrets list",
        "Beyond Get: secrets delete",
        "Beyond Get: keys get",
    ]


def test_custom_get_only_is_not_flagged() -> None:
    assert plan_grant(vault(), APP, Permissions(secrets=("get",))).warnings == ()


def test_user_principal_warns() -> None:
    user = PrincipalRef(APP_OID, "alice@contoso.com", "user")
    plan = plan_grant(vault(), user)
    assert len(plan.warnings) == 1 and "user account" in plan.warnings[0]


@pytest.mark.parametrize(
    ("principal", "perms", "expected"),
    [
        (PrincipalRef("la-orders", "la-orders", "managed_identity"), READ, "GUID"),
        (APP, Permissions(secrets=("read",)), "not a secrets permission"),
        (APP, Permissions(), "at least one permission"),
    ],
)
def test_bad_grant_inputs_block_the_plan(principal, perms, expected: str) -> None:
    plan = plan_grant(vault(), principal, perms)
    assert not plan.can_apply and plan.changes == ()
    assert expected in (plan.blocked or "")


def test_pinned_vault_cannot_be_granted() -> None:
    plan = plan_grant(replace(vault(), id=""), APP)
    assert not plan.can_apply and "URI" in (plan.blocked or "")


def test_principal_for_logic_app() -> None:
    app = LogicApp(
        id="/x/la",
        name="la-orders",
        subscription_id=SUB,
        resource_group="rg",
        location="westus",
        state="Enabled",
        identity=WorkflowIdentity("SystemAssigned", APP_OID, TENANT),
    )
    ref = principal_for_logic_app(app)
    assert ref == PrincipalRef(APP_OID, "la-orders (system-assigned identity)", "managed_identity")
    assert principal_for_logic_app(replace(app, identity=WorkflowIdentity())) is None


# ---- RBAC vaults ----------------------------------------------------------------------------


def test_rbac_read_creates_secrets_user_at_vault_scope() -> None:
    plan = plan_grant(vault(rbac=True), APP, role_assignments=[])
    (change,) = plan.changes
    assert change.kind == ROLE_ASSIGNMENT_CREATE
    assert change.params.to_dict() == {
        "scope": VAULT_ID,
        "role_definition_guid": KV_SECRETS_USER,
        "principal_id": APP_OID,
        "principal_type": "ServicePrincipal",
    }
    assert change.after["role"] == "Key Vault Secrets User"
    assert change.undo is not None and change.undo.kind == ROLE_ASSIGNMENT_DELETE


def test_rbac_secret_scope() -> None:
    plan = plan_grant(vault(rbac=True), APP, secret_name="db-password")
    assert plan.changes[0].params.scope == f"{VAULT_ID}/secrets/db-password"
    blocked = plan_grant(vault(rbac=True), APP, secret_name="db_password")
    assert not blocked.can_apply and "'_'" in (blocked.blocked or "")


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (KV_SECRETS_USER, VAULT_ID),
        (KV_SECRETS_USER, VAULT_ID.lower()),  # Azure echoes scopes in other casings
        (KV_SECRETS_OFFICER, VAULT_ID),
        (KV_ADMINISTRATOR, f"/subscriptions/{SUB}/resourceGroups/rg"),
        (KV_SECRETS_USER, f"{VAULT_ID}/secrets/db-password"),
    ],
)
def test_rbac_grant_is_idempotent(role: str, scope: str) -> None:
    existing = [assignment(APP_OID, role, scope)]
    plan = plan_grant(vault(rbac=True), APP, role_assignments=existing, secret_name="db-password")
    assert plan.is_empty and "already has" in plan.notes[0]


def test_rbac_assignment_to_another_secret_or_principal_does_not_count() -> None:
    existing = [
        assignment(APP_OID, KV_SECRETS_USER, f"{VAULT_ID}/secrets/other"),
        assignment(ADMIN_OID, KV_SECRETS_USER, VAULT_ID, "a2"),
    ]
    plan = plan_grant(vault(rbac=True), APP, role_assignments=existing)
    assert len(plan.changes) == 1


def test_rbac_rotate_needs_officer_with_a_warning() -> None:
    plan = plan_grant(vault(rbac=True), APP, ROTATE)
    assert plan.changes[0].params.role_definition_guid == KV_SECRETS_OFFICER
    assert any("Secrets Officer" in w for w in plan.warnings)


def test_rbac_refuses_key_permissions() -> None:
    plan = plan_grant(vault(rbac=True), APP, Permissions(keys=("get",)))
    assert not plan.can_apply and "secrets only" in (plan.blocked or "")


# ---- review of over-privileged entries -------------------------------------------------------


def test_review_lists_entries_beyond_get_list_except_the_admin() -> None:
    v = vault(
        policy(ADMIN_OID, secrets=("all",), keys=("all",)),
        policy(CREATOR_OID, secrets=("get", "list", "set", "delete"), certificates=("all",)),
        policy(APP_OID, secrets=("get", "list")),
    )
    entries = review_over_privileged(v, keep_object_id=ADMIN_OID)
    assert [e.object_id for e in entries] == [CREATOR_OID]
    assert entries[0].excess == Permissions(secrets=("set", "delete"), certificates=("all",))
    assert entries[0].description == "secrets set, delete; certificates all"


def test_removal_plan_lists_exactly_what_is_removed_and_can_be_undone() -> None:
    v = vault(policy(CREATOR_OID, secrets=("get", "list", "set", "purge"), keys=("all",)))
    entries = review_over_privileged(v, keep_object_id=ADMIN_OID)
    plan = plan_remove_over_privileged(v, entries, names={CREATOR_OID: "bob@contoso.com"})
    (change,) = plan.changes
    assert change.kind == ACCESS_POLICY_REMOVE
    assert change.params.permissions == {"secrets": ["set", "purge"], "keys": ["all"]}
    assert change.summary == (
        "Remove from bob@contoso.com: secrets set, purge; keys all; keeps secrets get, list"
    )
    assert change.after == {"object_id": CREATOR_OID, "permissions": {"secrets": ["get", "list"]}}
    diff = plan.render_diff()
    assert "- permissions › secrets: set" in diff and "- permissions › keys: all" in diff
    assert change.undo is not None and change.undo.kind == ACCESS_POLICY_ADD
    assert change.undo.params.permissions == change.params.permissions
    assert plan.warnings


def test_removal_of_a_full_entry_removes_it() -> None:
    v = vault(policy(CREATOR_OID, secrets=("all",)))
    plan = plan_remove_over_privileged(v, review_over_privileged(v, None))
    assert plan.changes[0].after is None and "entry removed" in plan.changes[0].summary


def test_rbac_review_only_lists_assignments_on_this_vault() -> None:
    assignments = [
        assignment(CREATOR_OID, KV_ADMINISTRATOR, VAULT_ID, "x1"),
        assignment(CREATOR_OID, KV_ADMINISTRATOR, f"/subscriptions/{SUB}", "x2"),
        assignment(ADMIN_OID, KV_ADMINISTRATOR, VAULT_ID, "x3"),
        assignment(APP_OID, KV_SECRETS_USER, VAULT_ID, "x4"),
    ]
    v = vault(rbac=True)
    entries = review_over_privileged(v, ADMIN_OID, assignments)
    assert [e.assignment.name for e in entries if e.assignment] == ["x1"]
    plan = plan_remove_over_privileged(v, entries, role_assignments=assignments)
    (change,) = plan.changes
    assert change.kind == ROLE_ASSIGNMENT_DELETE and change.params.id.endswith("/x1")
    assert change.undo is not None and change.undo.kind == ROLE_ASSIGNMENT_CREATE
    assert change.undo.params.role_definition_guid == KV_ADMINISTRATOR


def test_a_new_entry_on_a_vault_at_the_1024_policy_limit_is_blocked_with_what_to_do() -> None:
    full = [policy(f"00000000-0000-4000-8000-{i:012d}", secrets=("get",)) for i in range(1024)]
    assert plan_grant(vault(*full[:10]), APP).can_apply
    plan = plan_grant(vault(*full), APP)
    assert not plan.can_apply and "limit (1024)" in (plan.blocked or "")
    widened = vault(*full[:-1], policy(APP_OID, secrets=("list",)))
    assert plan_grant(widened, APP).can_apply  # widening an existing entry adds none
