"""Role assignments/definitions, subscriptions, resource groups and user-assigned identities."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from azure.core.exceptions import HttpResponseError
from azure.identity import ClientSecretCredential
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.authorization.models import RoleAssignmentCreateParameters
from azure.mgmt.msi import ManagedServiceIdentityClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.subscriptions import SubscriptionClient

from emulator import factories
from emulator.roles import BUILTIN_ROLES, KV_SECRETS_USER, OWNER, role_definition_body
from emulator.seeds import build_state, stable_guid
from emulator.server import Emulator, EmulatorThread
from tests.conftest import AZURE_API

API = AZURE_API
PROD = stable_guid("sub-prod")
DEV = stable_guid("sub-dev")


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    state = build_state("demo")
    factories.add_principal(
        state,
        "ServicePrincipal",
        "no-roles",
        app_id="nobody-app",
        client_secret="demo-not-a-real-secret-nobody",
    )
    state.info.update(
        nobody_client_id="nobody-app", nobody_client_secret="demo-not-a-real-secret-nobody"
    )
    with EmulatorThread(state) as running:
        yield running


def _cred(emu: Emulator, who: str = "demo") -> ClientSecretCredential:
    info = emu.state.info
    return ClientSecretCredential(
        emu.state.tenant_id,
        info[f"{who}_client_id"],
        info[f"{who}_client_secret"],
        authority=emu.base_url,
        disable_instance_discovery=True,
        connection_verify=str(emu.ca_path),
    )


def _kw(emu: Emulator) -> dict:
    return {"base_url": emu.base_url, "connection_verify": str(emu.ca_path)}


def _auth(emu: Emulator, who: str = "demo") -> AuthorizationManagementClient:
    return AuthorizationManagementClient(_cred(emu, who), PROD, **_kw(emu))


def _vault_scope(emu: Emulator, name: str) -> str:
    return emu.state.vault_by_name(name)["id"]


def _role(guid: str) -> str:
    return f"/subscriptions/{PROD}/providers/Microsoft.Authorization/roleDefinitions/{guid}"


def test_role_assignment_lifecycle(emu: Emulator) -> None:
    auth = _auth(emu)
    scope = _vault_scope(emu, "kv-platform-rbac")
    target = emu.state.info["reader_principal_id"]
    name = str(uuid.uuid4())
    params = RoleAssignmentCreateParameters(
        role_definition_id=_role(KV_SECRETS_USER), principal_id=target
    )
    made = auth.role_assignments.create(scope, name, params)
    assert made.principal_type == "ServicePrincipal"
    assert made.scope == scope and made.name == name
    assert made.role_definition_id == _role(KV_SECRETS_USER)
    with pytest.raises(HttpResponseError) as exc:
        auth.role_assignments.create(scope, str(uuid.uuid4()), params)
    assert exc.value.status_code == 409 and exc.value.error.code == "RoleAssignmentExists"
    assert auth.role_assignments.get(scope, name).principal_id == target

    at_scope = list(auth.role_assignments.list_for_scope(scope, filter="atScope()"))
    assert name in {ra.name for ra in at_scope}
    assert any(ra.scope == f"/subscriptions/{PROD}" for ra in at_scope)  # above counts
    mine = list(
        auth.role_assignments.list_for_scope(
            f"/subscriptions/{PROD}", filter=f"principalId eq '{target}'"
        )
    )
    assert {ra.principal_id for ra in mine} == {target}
    assert name in {ra.name for ra in mine}  # below the subscription counts without atScope()
    assert name not in {
        ra.name
        for ra in auth.role_assignments.list_for_scope(f"/subscriptions/{PROD}", filter="atScope()")
    }

    deleted = auth.role_assignments.delete(scope, name)
    assert deleted.name == name
    with pytest.raises(HttpResponseError) as exc:
        auth.role_assignments.get(scope, name)
    assert exc.value.status_code == 404


def test_role_assignment_body_matches_example(emu: Emulator) -> None:
    example = json.loads(
        (API / "authorization/RoleAssignments_CreateForResource.json").read_text()
    )["responses"]["201"]["body"]
    ra = next(iter(emu.state.role_assignments.values()))
    assert set(example) == set(ra)
    assert set(example["properties"]) <= set(ra["properties"])


def test_role_assignment_refusals(emu: Emulator) -> None:
    scope = _vault_scope(emu, "kv-platform-rbac")
    params = RoleAssignmentCreateParameters(
        role_definition_id=_role(KV_SECRETS_USER), principal_id=emu.state.info["demo_principal_id"]
    )
    for who in ("reader", "alice"):  # Reader, and Contributor on this subscription
        with pytest.raises(HttpResponseError) as exc:
            _auth(emu, who).role_assignments.create(scope, str(uuid.uuid4()), params)
        assert exc.value.error.code == "AuthorizationFailed"
        assert "Microsoft.Authorization/roleAssignments/write" in exc.value.error.message
    auth = _auth(emu)
    bad_role = RoleAssignmentCreateParameters(
        role_definition_id=_role(str(uuid.uuid4())),
        principal_id=emu.state.info["demo_principal_id"],
    )
    with pytest.raises(HttpResponseError) as exc:
        auth.role_assignments.create(scope, str(uuid.uuid4()), bad_role)
    assert exc.value.error.code == "RoleDefinitionDoesNotExist"
    ghost = RoleAssignmentCreateParameters(
        role_definition_id=_role(KV_SECRETS_USER), principal_id=str(uuid.uuid4())
    )
    with pytest.raises(HttpResponseError) as exc:
        auth.role_assignments.create(scope, str(uuid.uuid4()), ghost)
    assert exc.value.error.code == "PrincipalNotFound"


def test_role_definitions(emu: Emulator) -> None:
    auth = _auth(emu)
    scope = f"/subscriptions/{PROD}"
    owner = auth.role_definitions.get(scope, OWNER)
    assert owner.role_name == "Owner" and owner.permissions[0].actions == ["*"]
    example = json.loads((API / "authorization/GetRoleDefinitionById.json").read_text())
    body = example["responses"]["200"]["body"]
    ours = role_definition_body(BUILTIN_ROLES[OWNER], PROD)
    assert set(body) == set(ours) and set(body["properties"]) <= set(ours["properties"])
    found = list(auth.role_definitions.list(scope, filter="roleName eq 'Key Vault Secrets User'"))
    assert [d.name for d in found] == [KV_SECRETS_USER]


def test_subscriptions_visible_only_with_a_role(emu: Emulator) -> None:
    subs = SubscriptionClient(_cred(emu), **_kw(emu))
    listed = list(subs.subscriptions.list())
    assert {s.subscription_id for s in listed} == {PROD, DEV}
    assert {s.display_name for s in listed} == {"Contoso Production", "Contoso Development"}
    assert subs.subscriptions.get(PROD).state == "Enabled"
    example = json.loads((API / "arm/GetSubscriptions.json").read_text())
    ours = emu.state.subscriptions[PROD]
    assert set(example["responses"]["200"]["body"]["value"][0]) == set(ours)
    nobody = SubscriptionClient(_cred(emu, "nobody"), **_kw(emu))
    assert list(nobody.subscriptions.list()) == []
    with pytest.raises(HttpResponseError) as exc:
        nobody.subscriptions.get(PROD)
    assert exc.value.error.code == "SubscriptionNotFound"


def test_resource_groups(emu: Emulator) -> None:
    rm = ResourceManagementClient(_cred(emu), PROD, **_kw(emu))
    names = {rg.name for rg in rm.resource_groups.list()}
    assert {"rg-payments", "rg-integration", "rg-platform"} <= names
    assert rm.resource_groups.get("rg-payments").properties.provisioning_state == "Succeeded"
    assert rm.resource_groups.check_existence("rg-payments") is True
    assert rm.resource_groups.check_existence("rg-nope") is False
    with pytest.raises(HttpResponseError) as exc:
        rm.resource_groups.get("rg-nope")
    assert exc.value.error.code == "ResourceGroupNotFound"
    made = rm.resource_groups.create_or_update("rg-test-new", {"location": "westeurope"})
    assert made.name == "rg-test-new"
    reader = ResourceManagementClient(_cred(emu, "reader"), PROD, **_kw(emu))
    with pytest.raises(HttpResponseError) as exc:
        reader.resource_groups.create_or_update("rg-test-reader", {"location": "westeurope"})
    assert exc.value.error.code == "AuthorizationFailed"
    typed = list(rm.resources.list(filter="resourceType eq 'Microsoft.KeyVault/vaults'"))
    assert typed and {r.type for r in typed} == {"Microsoft.KeyVault/vaults"}


def test_paging_with_a_small_page_size(emu: Emulator) -> None:
    rm = ResourceManagementClient(_cred(emu), PROD, **_kw(emu))
    emu.arm_page_size = 1
    try:
        pages = list(rm.resource_groups.list().by_page())
    finally:
        del emu.arm_page_size
    assert len(pages) >= 3 and all(len(list(p)) == 1 for p in pages)


def test_user_assigned_identities(emu: Emulator) -> None:
    msi = ManagedServiceIdentityClient(_cred(emu), PROD, **_kw(emu))
    listed = list(msi.user_assigned_identities.list_by_subscription())
    assert [i.name for i in listed] == ["id-integration-shared"]
    one = msi.user_assigned_identities.get("rg-integration", "id-integration-shared")
    assert one.principal_id in emu.state.principals and one.client_id
    made = msi.user_assigned_identities.create_or_update(
        "rg-integration", "id-test-new", {"location": "westeurope"}
    )
    principal = emu.state.principals[made.principal_id]
    assert principal.kind == "ManagedIdentity" and principal.app_id == made.client_id
    assert {
        i.name for i in msi.user_assigned_identities.list_by_resource_group("rg-integration")
    } == {"id-integration-shared", "id-test-new"}
