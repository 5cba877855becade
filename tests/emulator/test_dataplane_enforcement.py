"""What the vault refuses, with Azure's codes and messages: tokens, grants, firewall, bad input."""

from __future__ import annotations

import socket

import pytest
from azure.core.exceptions import HttpResponseError, ServiceRequestError
from azure.keyvault.secrets import SecretClient
from test_dataplane_kit import SUB, client, credential, raw, seed_secret, tenant, token

from emulator import factories
from emulator.roles import KV_SECRETS_OFFICER, KV_SECRETS_USER
from emulator.state import new_guid


def assign(state, scope: str, role_guid: str, principal_id: str) -> str:
    """An ARM-shaped role assignment, as the role-assignment routes store it."""
    name = new_guid()
    rid = f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"
    state.role_assignments[rid.lower()] = {
        "id": rid,
        "name": name,
        "type": "Microsoft.Authorization/roleAssignments",
        "properties": {
            "roleDefinitionId": (
                f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/"
                f"{role_guid}"
            ),
            "principalId": principal_id,
            "principalType": "ServicePrincipal",
            "scope": scope,
        },
    }
    return name


def error_of(call) -> HttpResponseError:
    with pytest.raises(HttpResponseError) as err:
        call()
    return err.value


def test_request_without_token_gets_the_challenge(run_emulator) -> None:
    t = tenant()
    emu = run_emulator(t.state)
    response = raw(emu, "GET", f"{emu.vault_uri('kv-main')}secrets/x?api-version=7.5")

    assert response.status == 401
    assert response.body["error"]["code"] == "Unauthorized"
    assert response.body["error"]["message"] == (
        "AKV10000: Request is missing a Bearer or PoP token."
    )
    challenge = response.headers["www-authenticate"]
    assert f'authorization="https://login.microsoftonline.com/{t.state.tenant_id}"' in challenge
    assert 'resource="https://vault.azure.net"' in challenge


def test_forged_token_is_refused(run_emulator) -> None:
    t = tenant()
    emu = run_emulator(t.state)
    forged = token(emu, t.owner)[:-4] + "AAAA"
    response = raw(emu, "GET", f"{emu.vault_uri('kv-main')}secrets?api-version=7.5", bearer=forged)
    assert response.status == 401
    assert response.headers["www-authenticate"].startswith("Bearer authorization=")


def test_principal_without_access_policy_is_denied(run_emulator) -> None:
    t = tenant()
    seed_secret(t.state, "db", "fake")
    emu = run_emulator(t.state)

    err = error_of(lambda: client(emu, t.stranger).get_secret("db"))
    assert err.status_code == 403
    assert err.error.code == "Forbidden"
    assert err.error.innererror["code"] == "AccessDenied"
    assert f"oid={t.stranger.object_id}" in err.error.message
    assert "does not have secrets get permission on key vault 'kv-main;location=westeurope'" in (
        err.error.message
    )


def test_access_policy_grants_only_its_permissions(run_emulator) -> None:
    t = tenant()
    vault = t.state.vault_by_name("kv-main")
    vault["properties"]["accessPolicies"].append(
        factories.access_policy(t.state, t.stranger.object_id, ["get", "list"])
    )
    seed_secret(t.state, "db", "fake")
    emu = run_emulator(t.state)
    reader = client(emu, t.stranger)

    assert reader.get_secret("db").value == "fake"
    assert [p.name for p in reader.list_properties_of_secrets()] == ["db"]
    err = error_of(lambda: reader.set_secret("db", "new"))
    assert err.error.innererror["code"] == "AccessDenied"
    assert "does not have secrets set permission" in err.error.message
    err = error_of(lambda: reader.begin_delete_secret("db"))
    assert "does not have secrets delete permission" in err.error.message


def test_rbac_secret_scope_allows_that_secret_only(run_emulator) -> None:
    t = tenant(rbac=True)
    vault = t.state.vault_by_name("kv-main")
    seed_secret(t.state, "shared", "fake-shared")
    seed_secret(t.state, "private", "fake-private")
    assignment = assign(
        t.state, f"{vault['id']}/secrets/shared", KV_SECRETS_USER, t.stranger.object_id
    )
    emu = run_emulator(t.state)
    bearer = token(emu, t.stranger)
    base = emu.vault_uri("kv-main")

    allowed = raw(emu, "GET", f"{base}secrets/shared/?api-version=7.6", bearer=bearer)
    assert allowed.status == 200 and allowed.body["value"] == "fake-shared"
    assert allowed.headers["x-ms-keyvault-rbac-assignment-id"] == assignment

    user = client(emu, t.stranger)
    assert user.get_secret("SHARED").value == "fake-shared"
    err = error_of(lambda: user.get_secret("private"))
    assert (err.status_code, err.error.code) == (403, "Forbidden")
    assert err.error.innererror["code"] == "ForbiddenByRbac"
    assert "Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'" in err.error.message
    assert f"Resource: '{vault['id'].lower()}/secrets/private'" in err.error.message
    err = error_of(lambda: list(user.list_properties_of_secrets()))
    assert err.error.innererror["code"] == "ForbiddenByRbac"
    assert "secrets/readMetadata/action" in err.error.message
    # The owner's access policy counts for nothing once the vault is in RBAC mode.
    err = error_of(lambda: client(emu, t.owner).get_secret("shared"))
    assert err.error.innererror["code"] == "ForbiddenByRbac"


def test_rbac_vault_scope_officer_can_manage_secrets(run_emulator) -> None:
    t = tenant(rbac=True)
    vault = t.state.vault_by_name("kv-main")
    assign(t.state, vault["id"], KV_SECRETS_OFFICER, t.stranger.object_id)
    emu = run_emulator(t.state)
    officer = client(emu, t.stranger)

    officer.set_secret("new", "fake")
    assert [p.name for p in officer.list_properties_of_secrets()] == ["new"]
    officer.begin_delete_secret("new", _polling_interval=0).wait()
    officer.purge_deleted_secret("new")
    assert list(officer.list_deleted_secrets()) == []


def test_firewall_names_the_client_address_until_a_rule_covers_it(run_emulator) -> None:
    t = tenant(default_action="Deny", ip_rules=["198.51.100.7"])
    seed_secret(t.state, "db", "fake")
    emu = run_emulator(t.state)
    kv = client(emu, t.owner)

    err = error_of(lambda: kv.get_secret("db"))
    assert (err.status_code, err.error.code) == (403, "Forbidden")
    assert err.error.innererror["code"] == "ForbiddenByFirewall"
    assert "Client address: 203.0.113.10" in err.error.message
    assert err.error.message.startswith(
        "Client address is not authorized and caller is not a trusted service."
    )
    assert err.response.headers["x-ms-keyvault-network-info"] == (
        "conn_type=Ipv4;addr=203.0.113.10;act_addr_fam=InterNetwork;"
    )

    acls = t.state.vault_by_name("kv-main")["properties"]["networkAcls"]
    acls["ipRules"].append({"value": "203.0.113.0/24"})
    assert kv.get_secret("db").value == "fake"


def test_firewall_comes_before_permissions(run_emulator) -> None:
    t = tenant(default_action="Deny")
    emu = run_emulator(t.state)
    err = error_of(lambda: client(emu, t.stranger).get_secret("anything"))
    assert err.error.innererror["code"] == "ForbiddenByFirewall"


def test_purge_is_refused_under_purge_protection(run_emulator) -> None:
    t = tenant(purge_protection=True)
    emu = run_emulator(t.state)
    kv = client(emu, t.owner)
    assert kv.set_secret("kept", "fake").properties.recovery_level == "Recoverable"
    kv.begin_delete_secret("kept", _polling_interval=0).wait()

    err = error_of(lambda: kv.purge_deleted_secret("kept"))
    assert (err.status_code, err.error.code) == (403, "Forbidden")
    assert err.error.message.startswith(
        'Operation "purge" is not allowed because purge protection is enabled for this vault.'
    )
    assert [d.name for d in kv.list_deleted_secrets()] == ["kept"]
    kv.begin_recover_deleted_secret("kept", _polling_interval=0).wait()
    assert kv.get_secret("kept").value == "fake"


@pytest.mark.parametrize("name", ["has_underscore", "dots.in.name", "x" * 128])
def test_bad_secret_names_are_refused(run_emulator, name: str) -> None:
    t = tenant()
    emu = run_emulator(t.state)
    err = error_of(lambda: client(emu, t.owner).set_secret(name, "fake"))
    assert (err.status_code, err.error.code) == (400, "BadParameter")
    assert err.error.message == f"The request URI contains an invalid name: {name}"


def test_longest_name_is_accepted(run_emulator) -> None:
    t = tenant()
    emu = run_emulator(t.state)
    name = "a-" + "9" * 125
    assert client(emu, t.owner).set_secret(name, "fake").name == name


def test_value_limit_is_25_kb_of_utf8(run_emulator) -> None:
    t = tenant()
    emu = run_emulator(t.state)
    kv = client(emu, t.owner)
    limit = 25 * 1024

    assert kv.set_secret("exact", "a" * limit).value == "a" * limit
    assert kv.set_secret("wide", "é" * (limit // 2)).value == "é" * (limit // 2)
    for value in ("a" * (limit + 1), "é" * (limit // 2) + "a"):
        err = error_of(lambda v=value: kv.set_secret("too-big", v))
        assert (err.status_code, err.error.code) == (400, "BadParameter")
        assert err.error.innererror["code"] == "SecretTooLarge"
        assert "beyond the maximum permitted length" in err.error.message
    assert [p.name for p in kv.list_properties_of_secrets()] == ["exact", "wide"]


def test_content_type_and_tag_limits(run_emulator) -> None:
    t = tenant()
    emu = run_emulator(t.state)
    kv = client(emu, t.owner)
    kv.set_secret(
        "ok", "fake", content_type="c" * 255, tags={f"t{i}": "v" * 512 for i in range(15)}
    )

    for kwargs in (
        {"content_type": "c" * 256},
        {"tags": {f"t{i}": "v" for i in range(16)}},
        {"tags": {"t": "v" * 513}},
    ):
        err = error_of(lambda kw=kwargs: kv.set_secret("bad", "fake", **kw))
        assert (err.status_code, err.error.code) == (400, "BadParameter")
    err = error_of(
        lambda: kv.update_secret_properties("ok", tags={f"t{i}": "v" for i in range(16)})
    )
    assert "Too many tags: 16" in err.error.message


def test_missing_secret_and_version(run_emulator) -> None:
    t = tenant()
    emu = run_emulator(t.state)
    kv = client(emu, t.owner)
    kv.set_secret("real", "fake")

    err = error_of(lambda: kv.get_secret("absent"))
    assert (err.status_code, err.error.code) == (404, "SecretNotFound")
    assert "A secret with (name/id) absent was not found in this key vault." in err.error.message
    missing = "0" * 32
    err = error_of(lambda: kv.get_secret("real", missing))
    assert f"(name/id) real/{missing} was not found" in err.error.message
    err = error_of(lambda: kv.update_secret_properties("absent", enabled=False))
    assert err.status_code == 404


def test_page_size_over_25_is_refused(run_emulator) -> None:
    t = tenant()
    emu = run_emulator(t.state)
    err = error_of(lambda: list(client(emu, t.owner).list_properties_of_secrets(max_page_size=26)))
    assert (err.status_code, err.error.code) == (400, "BadParameter")
    assert "maxresults" in err.error.message


def test_api_version_is_required_and_checked(run_emulator) -> None:
    t = tenant()
    emu = run_emulator(t.state)
    bearer = token(emu, t.owner)
    base = f"{emu.vault_uri('kv-main')}secrets"

    unknown = raw(emu, "GET", f"{base}?api-version=7.9", bearer=bearer)
    assert unknown.status == 400
    assert unknown.body["error"]["code"] == "BadParameter"
    assert unknown.body["error"]["message"].startswith(
        "The specified version (7.9) is not recognized."
    )
    missing = raw(emu, "GET", base, bearer=bearer)
    assert (missing.status, missing.body["error"]["code"]) == (400, "BadParameter")
    for version in ("7.0", "7.4", "7.6", "2025-07-01", "2026-04-01"):
        assert raw(emu, "GET", f"{base}?api-version={version}", bearer=bearer).status == 200


def test_verb_tunnelling_with_x_http_method(run_emulator) -> None:
    t = tenant()
    seed_secret(t.state, "tunnelled", "fake")
    emu = run_emulator(t.state)
    response = raw(
        emu,
        "POST",
        f"{emu.vault_uri('kv-main')}secrets/tunnelled?api-version=7.5",
        bearer=token(emu, t.owner),
        headers={"X-HTTP-METHOD": "DELETE"},
    )
    assert response.status == 200 and response.body["recoveryId"].endswith("/tunnelled")


def test_deleted_vault_and_unknown_vault_port(run_emulator) -> None:
    t = tenant()
    factories.add_vault(t.state, SUB, "rg-dataplane", "kv-other")
    emu = run_emulator(t.state)
    kv = client(emu, t.owner)
    gone = t.state.vault_by_name("kv-main")
    del t.state.vaults[gone["id"].lower()]

    err = error_of(lambda: kv.get_secret("anything"))
    assert err.status_code == 404
    assert "The vault 'kv-main' was not found" in err.error.message

    with socket.socket() as probe:  # a port nothing listens on: no vault is served there
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    stray = SecretClient(
        f"https://127.0.0.1:{free}/",
        credential(emu, t.owner),
        verify_challenge_resource=False,
        connection_verify=str(emu.ca_path),
        retry_total=0,
    )
    with pytest.raises(ServiceRequestError):
        stray.get_secret("anything")
