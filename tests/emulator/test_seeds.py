"""The emulator's seeds: what the demo tenant holds, and that "large" is built from its sizes."""

from __future__ import annotations

import time

import pytest

from emulator.seeds import build_state, stable_guid
from emulator.state import State


@pytest.fixture(scope="module")
def demo() -> State:
    return build_state("demo")


def _policy_secrets(vault: dict, object_id: str) -> list[str]:
    for policy in vault["properties"]["accessPolicies"]:
        if policy["objectId"] == object_id:
            return policy["permissions"]["secrets"]
    return []


def test_sign_in_principals_in_every_seed() -> None:
    for seed in ("demo", "empty", "large"):
        state = build_state(
            seed, subscriptions=1, vaults_per_subscription=1, logic_apps=1, secrets_per_vault=1
        )
        info = state.info
        admin = state.principal_by_app_id(info["demo_client_id"])
        assert admin is not None and admin.object_id == info["demo_principal_id"]
        assert admin.client_secret == info["demo_client_secret"]
        assert "not-a-real" in info["demo_client_secret"]
        assert (
            state.principal_by_app_id(info["reader_client_id"]).display_name == "kvconsole-reader"
        )
        alice = state.principal_by_app_id(info["alice_client_id"])
        assert alice.kind == "User" and alice.display_name == "alice@contoso.example"
        roles = {
            (
                ra["properties"]["principalId"],
                ra["properties"]["scope"],
                ra["properties"]["roleDefinitionId"].rsplit("/", 1)[-1],
            )
            for ra in state.role_assignments.values()
        }
        for sid in state.subscriptions:
            assert (
                admin.object_id,
                f"/subscriptions/{sid}",
                "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
            ) in roles
            assert (
                info["reader_principal_id"],
                f"/subscriptions/{sid}",
                "acdd72a7-3385-48ef-bd42-f606fba81ae7",
            ) in roles


def test_demo_vaults_in_telling_states(demo: State) -> None:
    assert len(demo.subscriptions) == 2
    by_name = {v["name"]: v for v in demo.vaults.values()}
    locked = by_name["kv-payments-locked"]["properties"]["networkAcls"]
    assert locked["defaultAction"] == "Deny"
    assert "203.0.113.10/32" not in {r["value"] for r in locked["ipRules"]}
    assert by_name["kv-payments-open"]["properties"]["networkAcls"]["defaultAction"] == "Allow"
    assert by_name["kv-platform-rbac"]["properties"]["enableRbacAuthorization"] is True
    assert by_name["kv-payments-open"]["properties"].get("enablePurgeProtection") is True
    assert "enablePurgeProtection" not in by_name["kv-dev-nopurge"]["properties"]
    admin, alice = demo.info["demo_principal_id"], demo.info["alice_principal_id"]
    for vault in by_name.values():
        if not vault["properties"]["enableRbacAuthorization"]:
            assert {"get", "list", "set", "delete"} <= set(_policy_secrets(vault, admin))
            assert _policy_secrets(vault, alice) == ["all"]
    orphans = [p for p in demo.principals.values() if p.deleted]
    assert orphans
    assert any(_policy_secrets(by_name["kv-payments-open"], o.object_id) for o in orphans)
    assert "kv-dev-archive" in demo.deleted_vaults


def test_demo_secrets_cover_the_cases(demo: State) -> None:
    secrets = demo.vault_secrets("kv-payments-open")
    assert len(secrets["payments-api-key"].versions) == 3
    assert secrets["legacy-ftp-password"].latest.enabled is False
    assert secrets["old-signing-key"].latest.exp < time.time()
    assert "retired-token" in demo.vault_deleted_secrets("kv-payments-open")
    values = [v.value for rec in secrets.values() for v in rec.versions]
    assert values and all("demo-not-a-real-secret" in v for v in values)


def test_demo_logic_apps(demo: State) -> None:
    by_name = {w["name"]: w for w in demo.workflows.values()}
    assert "identity" not in by_name["la-no-identity"]
    no_grant = by_name["la-identity-no-grant"]["identity"]["principalId"]
    open_vault = demo.vault_by_name("kv-payments-open")
    assert _policy_secrets(open_vault, no_grant) == []
    ready = by_name["la-payments-ready"]
    assert _policy_secrets(open_vault, ready["identity"]["principalId"]) == ["get"]
    action = ready["properties"]["definition"]["actions"]["Get_api_key"]
    assert action["inputs"]["uri"] == (
        "https://{vault:kv-payments-open}/secrets/payments-api-key?api-version=7.4"
    )
    assert action["inputs"]["authentication"]["audience"] == "https://vault.azure.net"
    assert action["runtimeConfiguration"]["secureData"]["properties"] == ["outputs"]
    connector = by_name["la-connector-insecure"]["properties"]["definition"]["actions"]
    assert connector["Get_secret"]["type"] == "ApiConnection"
    assert "runtimeConfiguration" not in connector["Get_secret"]
    principal = demo.principals[by_name["la-secret-rotation"]["identity"]["principalId"]]
    assert principal.kind == "ManagedIdentity" and principal.resource_id
    assert by_name["la-user-assigned"]["identity"]["type"] == "UserAssigned"
    assert len(demo.identities) == 1


def test_empty_and_large_and_options() -> None:
    empty = build_state("empty", client_address="198.51.100.20")
    assert empty.client_address == "198.51.100.20"
    assert not empty.vaults and not empty.workflows and len(empty.subscriptions) == 1
    large = build_state(
        "large",
        subscriptions=3,
        vaults_per_subscription=4,
        logic_apps=25,
        secrets_per_vault=5,
        big_vault_secrets=300,
    )
    assert len(large.subscriptions) == 3
    assert len(large.vaults) == 3 * 4 + 1
    assert len(large.workflows) == 25
    assert len(large.vault_secrets("kv-big")) == 300
    assert all(
        len(large.vault_secrets(v["name"])) == 5
        for v in large.vaults.values()
        if v["name"] != "kv-big"
    )
    restored = State.from_json(large.to_json())
    assert len(restored.vault_secrets("kv-big")) == 300
    with pytest.raises(ValueError):
        build_state("nope")


def test_demo_ids_are_stable() -> None:
    assert stable_guid("sub-prod") in build_state("demo").subscriptions
