"""How a Connection for Azure is put together (no request leaves the machine here)."""

from __future__ import annotations

from console.azure.connection import Connection, decode_jwt_claims
from console.clouds import AZURE_CHINA, AZURE_US_GOVERNMENT


async def test_sovereign_cloud_changes_every_endpoint_and_scope() -> None:
    conn = Connection.for_azure(AZURE_CHINA)
    try:
        for client in (
            conn.keyvault_client("s"),
            conn.logic_client("s"),
            conn.authorization_client("s"),
            conn.subscription_client(),
        ):
            assert client._config.credential_scopes == [AZURE_CHINA.arm_scope]
        assert conn.keyvault_client("s")._config.base_url == AZURE_CHINA.arm_endpoint
        assert type(conn.credential).__name__ == "DefaultAzureCredential"
    finally:
        await conn.close()


async def test_credential_follows_the_sign_in_choice() -> None:
    prompts: list[tuple[str, str]] = []
    cases = {
        "ClientSecretCredential": Connection.for_azure(
            AZURE_US_GOVERNMENT, tenant_id="t", client_id="c", client_secret="from-keyring"
        ),
        "AsyncDeviceCodeCredential": Connection.for_azure(
            use_device_code=True, device_code_prompt=lambda u, c, e: prompts.append((u, c))
        ),
        "DefaultAzureCredential": Connection.for_azure(),
    }
    for expected, conn in cases.items():
        try:
            assert type(conn.credential).__name__ == expected
        finally:
            await conn.close()
    assert "from-keyring" not in repr(vars(cases["ClientSecretCredential"]))


def test_jwt_claims_are_read_without_verification() -> None:
    token = "eyJhbGciOiJub25lIn0.eyJvaWQiOiJhYmMiLCJ0aWQiOiJ0MSJ9.sig"
    assert decode_jwt_claims(token) == {"oid": "abc", "tid": "t1"}
    assert decode_jwt_claims("not-a-jwt") == {}
