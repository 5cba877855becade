"""The Key Vault secrets data plane, driven by the real SecretClient (sync and aio)."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.keyvault.secrets.aio import SecretClient as AioSecretClient
from test_dataplane_kit import client, raw, seed_secret, tenant, token

from tests.conftest import AZURE_API

EXAMPLES = AZURE_API / "keyvault-secrets"
HEX32 = re.compile(r"^[0-9a-f]{32}$")


def test_set_then_get_latest_and_by_version(run_emulator) -> None:
    t = tenant()
    emu = run_emulator(t.state)
    kv = client(emu, t.owner)
    expires = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    first = kv.set_secret("db-password", "first-fake-value")
    second = kv.set_secret(
        "db-password",
        "second-fake-value",
        content_type="text/plain",
        tags={"owner": "team-a"},
        expires_on=expires,
    )

    assert HEX32.match(first.properties.version) and HEX32.match(second.properties.version)
    assert first.properties.version != second.properties.version
    assert second.id == f"{emu.vault_uri('kv-main')}secrets/db-password/{second.properties.version}"
    latest = kv.get_secret("db-password")
    assert latest.value == "second-fake-value"
    assert latest.properties.version == second.properties.version
    assert latest.properties.content_type == "text/plain"
    assert latest.properties.tags == {"owner": "team-a"}
    assert latest.properties.expires_on == expires
    assert latest.properties.enabled is True
    assert latest.properties.recovery_level == "Recoverable+Purgeable"
    assert latest.properties.recoverable_days == 90
    assert latest.properties.vault_url.rstrip("/") == emu.vault_uri("kv-main").rstrip("/")
    older = kv.get_secret("db-password", first.properties.version)
    assert older.value == "first-fake-value"
    assert older.properties.content_type is None


def test_names_are_case_insensitive_and_keep_their_case(run_emulator) -> None:
    t = tenant()
    emu = run_emulator(t.state)
    kv = client(emu, t.owner)
    kv.set_secret("ApiKey", "v1")
    kv.set_secret("APIKEY", "v2")  # the same secret: a new version

    got = kv.get_secret("apikey")
    assert (got.name, got.value) == ("ApiKey", "v2")
    assert [p.name for p in kv.list_properties_of_secrets()] == ["ApiKey"]


def test_expired_and_not_yet_valid_secrets_are_still_readable(run_emulator) -> None:
    t = tenant()
    emu = run_emulator(t.state)
    kv = client(emu, t.owner)
    past = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)
    future = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    kv.set_secret("expired", "old", expires_on=past)
    kv.set_secret("later", "new", not_before=future)

    assert kv.get_secret("expired").properties.expires_on == past
    assert kv.get_secret("later").properties.not_before == future


def test_list_pages_past_25_in_name_order(run_emulator) -> None:
    t = tenant()
    names = [f"Secret-{i:02d}" for i in range(60)]
    for name in reversed(names):
        seed_secret(t.state, name, "fake")
    emu = run_emulator(t.state)
    kv = client(emu, t.owner)

    pages = [list(page) for page in kv.list_properties_of_secrets().by_page()]
    assert [len(p) for p in pages] == [25, 25, 10]
    assert [p.name for page in pages for p in page] == names
    small = [len(list(p)) for p in kv.list_properties_of_secrets(max_page_size=7).by_page()]
    assert small == [7] * 8 + [4]


def test_next_link_is_absolute_on_the_vault_origin_like_azure(run_emulator) -> None:
    t = tenant()
    for i in range(3):
        seed_secret(t.state, f"s{i}", "fake")
    emu = run_emulator(t.state)
    bearer = token(emu, t.owner)
    url = f"{emu.vault_uri('kv-main')}secrets?api-version=7.5&maxresults=2"

    first = raw(emu, "GET", url, bearer=bearer)
    example = json.loads((EXAMPLES / "GetSecrets-example.json").read_text())
    example_link = example["responses"]["200"]["body"]["nextLink"]
    ours = urlsplit(first.body["nextLink"])
    assert f"{ours.scheme}://{ours.netloc}/" == emu.vault_uri("kv-main")
    assert ours.path == urlsplit(example_link).path == "/secrets"
    keys = [k for k, _ in parse_qsl(ours.query)]
    assert keys == [k for k, _ in parse_qsl(urlsplit(example_link).query)]
    assert dict(parse_qsl(ours.query))["maxresults"] == "2"
    second = raw(emu, "GET", first.body["nextLink"], bearer=bearer)
    assert [i["id"].rsplit("/", 1)[1] for i in second.body["value"]] == ["s2"]
    assert second.body["nextLink"] is None


def test_versions_are_listed_with_their_ids(run_emulator) -> None:
    t = tenant()
    emu = run_emulator(t.state)
    kv = client(emu, t.owner)
    made = [kv.set_secret("rotated", f"v{i}").properties.version for i in range(30)]
    kv.set_secret("other", "x")

    listed = list(kv.list_properties_of_secret_versions("rotated"))
    assert sorted(p.version for p in listed) == sorted(made)
    assert all(p.name == "rotated" and p.id.endswith(p.version) for p in listed)


def test_update_changes_attributes_but_never_the_value(run_emulator) -> None:
    t = tenant()
    emu = run_emulator(t.state)
    kv = client(emu, t.owner)
    first = kv.set_secret("conn", "value-one", content_type="text/plain")
    kv.set_secret("conn", "value-two")

    updated = kv.update_secret_properties(
        "conn", first.properties.version, content_type="application/json", tags={"env": "dev"}
    )
    assert updated.version == first.properties.version
    assert (updated.content_type, updated.tags) == ("application/json", {"env": "dev"})
    assert kv.get_secret("conn", first.properties.version).value == "value-one"

    disabled = kv.update_secret_properties("conn", enabled=False)  # no version: the latest
    assert disabled.enabled is False
    with pytest.raises(HttpResponseError) as err:
        kv.get_secret("conn")
    assert err.value.status_code == 403
    assert err.value.error.code == "Forbidden"
    assert err.value.error.innererror["code"] == "SecretDisabled"
    assert err.value.error.message == "Operation get is not allowed on a disabled secret."
    assert kv.get_secret("conn", first.properties.version).value == "value-one"
    kv.update_secret_properties("conn", enabled=True)
    assert kv.get_secret("conn").value == "value-two"


def test_delete_list_deleted_recover_and_purge(run_emulator) -> None:
    t = tenant()
    emu = run_emulator(t.state)
    kv = client(emu, t.owner)
    kv.set_secret("temp", "fake", tags={"k": "v"})
    kv.set_secret("keep", "fake")

    deleted = kv.begin_delete_secret("temp", _polling_interval=0).result()
    assert deleted.recovery_id == f"{emu.vault_uri('kv-main')}deletedsecrets/temp"
    assert deleted.scheduled_purge_date - deleted.deleted_date == dt.timedelta(days=90)
    assert deleted.properties.tags == {"k": "v"}
    assert [p.name for p in kv.list_properties_of_secrets()] == ["keep"]
    with pytest.raises(ResourceNotFoundError) as err:
        kv.get_secret("temp")
    assert err.value.error.code == "SecretNotFound"
    assert "A secret with (name/id) temp was not found in this key vault" in err.value.message
    assert [d.name for d in kv.list_deleted_secrets()] == ["temp"]
    assert kv.get_deleted_secret("TEMP").name == "temp"

    with pytest.raises(ResourceExistsError) as err:
        kv.set_secret("temp", "again")
    assert err.value.status_code == 409
    assert err.value.error.innererror["code"] == "ObjectIsDeletedButRecoverable"
    assert "is currently in a deleted but recoverable state" in err.value.message

    recovered = kv.begin_recover_deleted_secret("temp", _polling_interval=0).result()
    assert recovered.name == "temp"
    assert kv.get_secret("temp").value == "fake"

    kv.begin_delete_secret("temp", _polling_interval=0).wait()
    kv.purge_deleted_secret("temp")
    assert list(kv.list_deleted_secrets()) == []
    with pytest.raises(ResourceNotFoundError) as err:
        kv.get_deleted_secret("temp")
    assert err.value.error.message == "Deleted Secret not found: temp"
    kv.set_secret("temp", "reused")  # the name is free again
    assert kv.get_secret("temp").value == "reused"


def test_short_retention_is_a_customized_recovery_level(run_emulator) -> None:
    t = tenant(retention_days=7)
    emu = run_emulator(t.state)
    kv = client(emu, t.owner)
    made = kv.set_secret("short", "fake")
    assert made.properties.recovery_level == "CustomizedRecoverable+Purgeable"
    assert made.properties.recoverable_days == 7

    deleted = kv.begin_delete_secret("short", _polling_interval=0).result()
    assert deleted.scheduled_purge_date - deleted.deleted_date == dt.timedelta(days=7)


def test_vault_without_soft_delete_deletes_for_good(run_emulator) -> None:
    t = tenant()
    t.state.vault_by_name("kv-main")["properties"]["enableSoftDelete"] = False
    emu = run_emulator(t.state)
    kv = client(emu, t.owner)
    assert kv.set_secret("gone", "fake").properties.recovery_level == "Purgeable"

    poller = kv.begin_delete_secret("gone")
    assert poller.done()  # no recoveryId: the SDK knows there is nothing to wait for
    assert poller.result().recovery_id is None
    assert list(kv.list_deleted_secrets()) == []
    kv.set_secret("gone", "new")


async def test_aio_client_sets_lists_and_reads(run_emulator) -> None:
    from azure.identity.aio import ClientSecretCredential as AioCredential

    t = tenant()
    emu = run_emulator(t.state)
    ca = str(emu.ca_path)
    cred = AioCredential(
        t.state.tenant_id,
        t.owner.app_id,
        t.owner.client_secret,
        authority=emu.base_url,
        disable_instance_discovery=True,
        connection_verify=ca,
    )
    async with (
        cred,
        AioSecretClient(
            emu.vault_uri("kv-main"), cred, verify_challenge_resource=False, connection_verify=ca
        ) as kv,
    ):
        for i in range(27):
            await kv.set_secret(f"async-{i:02d}", f"fake-{i}")
        names = [p.name async for p in kv.list_properties_of_secrets()]
        got = await kv.get_secret("async-26")
    assert names == [f"async-{i:02d}" for i in range(27)]
    assert got.value == "fake-26"


# ---- shapes against Azure's published examples ---------------------------------------------

SPEC_BUNDLE_KEYS = {"value", "id", "contentType", "attributes", "tags", "kid", "managed"}
SPEC_DELETED_KEYS = {"recoveryId", "deletedDate", "scheduledPurgeDate"}
SPEC_ATTRIBUTE_KEYS = {
    "enabled",
    "nbf",
    "exp",
    "created",
    "updated",
    "recoveryLevel",
    "recoverableDays",
}


def _example(name: str) -> dict:
    body = json.loads((EXAMPLES / f"{name}-example.json").read_text())["responses"]["200"]["body"]
    return body["value"][0] if isinstance(body.get("value"), list) else body


def _assert_shape(ours: dict, example: dict) -> None:
    assert set(example) <= set(ours), f"missing {set(example) - set(ours)}"
    assert set(ours) <= SPEC_BUNDLE_KEYS | SPEC_DELETED_KEYS
    assert set(example["attributes"]) <= set(ours["attributes"]) <= SPEC_ATTRIBUTE_KEYS
    for key in ("deletedDate", "scheduledPurgeDate"):
        assert key not in ours or isinstance(ours[key], int)
    assert all(isinstance(ours["attributes"][k], int) for k in ("created", "updated"))


def test_bodies_have_the_keys_of_azures_examples(run_emulator) -> None:
    t = tenant()
    emu = run_emulator(t.state)
    base = emu.vault_uri("kv-main")
    bearer = token(emu, t.owner)

    def call(method: str, path: str, body: dict | None = None) -> dict:
        response = raw(emu, method, f"{base}{path}?api-version=7.5", bearer=bearer, body=body)
        assert response.status == 200, response.body
        return response.body

    made = call("PUT", "secrets/crpsecret", {"value": "mysecretvalue", "contentType": "plainText"})
    version = made["id"].rsplit("/", 1)[1]
    _assert_shape(made, _example("SetSecret"))
    _assert_shape(call("GET", f"secrets/crpsecret/{version}"), _example("GetSecret"))
    _assert_shape(call("GET", "secrets/crpsecret/"), _example("GetSecret"))
    _assert_shape(call("GET", "secrets")["value"][0], _example("GetSecrets"))
    _assert_shape(
        call("GET", "secrets/crpsecret/versions")["value"][0], _example("GetSecretVersions")
    )
    updated = call(
        "PATCH",
        f"secrets/crpsecret/{version}",
        {
            "tags": {"mytag": "myvalue"},
            "contentType": "myContentType",
            "attributes": {"enabled": True},
        },
    )
    assert "value" not in updated
    _assert_shape(updated, _example("UpdateSecret"))
    deleted = call("DELETE", "secrets/crpsecret")
    assert "value" not in deleted
    _assert_shape(deleted, _example("DeleteSecret"))
    _assert_shape(call("GET", "deletedsecrets/crpsecret"), _example("GetDeletedSecret"))
    _assert_shape(call("GET", "deletedsecrets")["value"][0], _example("GetDeletedSecrets"))
    recovered = call("POST", "deletedsecrets/crpsecret/recover")
    assert "value" not in recovered
    _assert_shape(recovered, _example("RecoverDeletedSecret"))


def test_every_response_carries_key_vault_headers(run_emulator) -> None:
    t = tenant()
    emu = run_emulator(t.state)
    url = f"{emu.vault_uri('kv-main')}secrets?api-version=2026-04-01"
    network = "conn_type=Ipv4;addr=203.0.113.10;act_addr_fam=InterNetwork;"

    for bearer in (None, token(emu, t.stranger), token(emu, t.owner)):  # 401, 403, 200
        response = raw(emu, "GET", url, bearer=bearer, headers={"x-ms-client-request-id": "c-1"})
        assert response.headers["x-ms-keyvault-network-info"] == network
        assert response.headers["x-ms-keyvault-region"] == "westeurope"
        assert response.headers["x-ms-keyvault-service-version"]
        assert response.headers["x-ms-request-id"]
        assert response.headers["x-ms-client-request-id"] == "c-1"
        assert "x-ms-keyvault-rbac-assignment-id" not in response.headers
    assert response.status == 200
