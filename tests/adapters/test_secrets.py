"""Secrets through AzureService, the real SecretClient and the emulator's data plane."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from adapter_world import CANARY

from console.errors import BadRequestError, ForbiddenError, ForbiddenKind
from console.masked import MaskedValue
from console.service import AzureService


async def test_paging_past_25_secrets_comes_in_pages(service: AzureService, uri) -> None:
    pages = [page async for page in service.iter_secret_pages(uri("kv-open"))]
    assert len(pages) >= 2 and len(pages[0]) == 25
    names = {p.name for page in pages for p in page}
    assert {f"bulk-{i:02d}" for i in range(30)} <= names
    assert len(await service.list_secrets(uri("kv-open"))) == len(names) == 32


async def test_get_secret_is_masked_until_revealed(service: AzureService, uri) -> None:
    secret = await service.get_secret(uri("kv-open"), "db-password")
    assert secret.value.reveal() == CANARY
    assert secret.properties.content_type == "text/plain"
    assert secret.properties.vault_uri == uri("kv-open")
    for shown in (repr(secret), str(secret), repr(secret.properties), f"{secret.value}"):
        assert CANARY not in shown


async def test_versions_newest_first_and_get_by_version(service: AzureService, uri) -> None:
    versions = await service.list_secret_versions(uri("kv-open"), "db-password")
    assert len(versions) == 3
    oldest = versions[-1]
    old = await service.get_secret(uri("kv-open"), "db-password", oldest.version)
    assert old.value.reveal() == "v1-old"


async def test_set_update_delete_recover_purge(service: AzureService, uri) -> None:
    vault = uri("kv-open")
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    props = await service.set_secret(
        vault,
        "api-key",
        MaskedValue("s3cr3t"),
        content_type="text/plain",
        expires_on=expires,
        tags={"owner": "ops"},
    )
    assert props.version and props.expires_on == expires and props.tags == (("owner", "ops"),)
    second = await service.set_secret(vault, "api-key", MaskedValue("rotated"))
    assert second.version != props.version
    assert (await service.get_secret(vault, "api-key")).value.reveal() == "rotated"

    updated = await service.update_secret_properties(vault, "api-key", enabled=False)
    assert updated.enabled is False
    with pytest.raises(ForbiddenError) as disabled:
        await service.get_secret(vault, "api-key")
    assert disabled.value.kind == ForbiddenKind.DISABLED

    deleted = await service.delete_secret(vault, "api-key")
    assert deleted.recovery_id and deleted.scheduled_purge_date
    assert "api-key" in {d.properties.name for d in await service.list_deleted_secrets(vault)}
    assert "api-key" not in {p.name for p in await service.list_secrets(vault)}

    recovered = await service.recover_deleted_secret(vault, "api-key")
    assert recovered.name == "api-key"
    assert "api-key" in {p.name for p in await service.list_secrets(vault)}

    await service.delete_secret(vault, "api-key")
    await service.purge_deleted_secret(vault, "api-key")
    assert "api-key" not in {d.properties.name for d in await service.list_deleted_secrets(vault)}


async def test_purge_refused_under_purge_protection(service: AzureService, uri) -> None:
    await service.delete_secret(uri("kv-guarded"), "guarded")
    with pytest.raises(ForbiddenError) as err:
        await service.purge_deleted_secret(uri("kv-guarded"), "guarded")
    assert err.value.kind == "purge_protection"
    assert "can be recovered" in err.value.message.splitlines()[0]
    recovered = await service.recover_deleted_secret(uri("kv-guarded"), "guarded")
    assert recovered.name == "guarded"


async def test_disabled_secret_is_forbidden_kind_disabled(service: AzureService, uri) -> None:
    with pytest.raises(ForbiddenError) as err:
        await service.get_secret(uri("kv-open"), "disabled-one")
    assert err.value.kind == ForbiddenKind.DISABLED
    assert "disabled secret" in err.value.message


async def test_no_access_policy_is_kind_access_policy(reader_service: AzureService, uri) -> None:
    with pytest.raises(ForbiddenError) as err:
        await reader_service.get_secret(uri("kv-open"), "db-password")
    assert err.value.kind == ForbiddenKind.ACCESS_POLICY
    assert "does not have secrets get permission" in err.value.message


async def test_rbac_vault_without_role_is_kind_rbac(service: AzureService, uri) -> None:
    with pytest.raises(ForbiddenError) as err:
        await service.get_secret(uri("kv-rbac"), "rbac-secret")
    assert err.value.kind == ForbiddenKind.RBAC


async def test_firewall_names_client_address(service: AzureService, uri) -> None:
    with pytest.raises(ForbiddenError) as err:
        await service.list_secrets(uri("kv-locked"))
    assert err.value.kind == ForbiddenKind.FIREWALL
    assert err.value.client_address == "203.0.113.10"
    assert "203.0.113.10" in err.value.message.splitlines()[0]
    assert service.client_address_hint == "203.0.113.10"


async def test_client_address_learned_from_a_successful_response(
    service: AzureService, uri
) -> None:
    assert service.client_address_hint is None
    await service.list_secrets(uri("kv-open"))
    assert service.client_address_hint == "203.0.113.10"


@pytest.mark.parametrize("name", ["bad_name", "has.dot", "x" * 128])
async def test_bad_secret_name_is_bad_request(service: AzureService, uri, name: str) -> None:
    with pytest.raises(BadRequestError):
        await service.set_secret(uri("kv-open"), name, MaskedValue("v"))


async def test_url_breaking_name_refused_before_sending(service: AzureService, uri) -> None:
    with pytest.raises(BadRequestError):
        await service.get_secret(uri("kv-open"), "a/versions")


async def test_too_large_value_is_bad_request_without_the_value(service: AzureService, uri) -> None:
    big = CANARY * 2000  # > 25 KB
    with pytest.raises(BadRequestError) as err:
        await service.set_secret(uri("kv-open"), "too-big", MaskedValue(big))
    assert CANARY not in str(err.value) and CANARY not in repr(err.value.args)


async def test_set_secret_takes_only_a_masked_value(service: AzureService, uri) -> None:
    with pytest.raises(TypeError):
        await service.set_secret(uri("kv-open"), "plain", "not-masked")  # type: ignore[arg-type]
