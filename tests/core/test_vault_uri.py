"""Pinned vault URIs: only the signed-in cloud's vault and managed-HSM hosts (the emulator's in
the demo), never userinfo; the message says what to type instead."""

from __future__ import annotations

import pytest

from console.clouds import AZURE_CHINA, AZURE_PUBLIC, emulator_cloud
from console.vault_uri import check_vault_uri

DEMO = emulator_cloud("https://127.0.0.1:8443")


@pytest.mark.parametrize(
    ("uri", "cloud", "expected"),
    [
        ("https://kv-orders.vault.azure.net", AZURE_PUBLIC, "https://kv-orders.vault.azure.net/"),
        (
            " https://KV-Orders.Vault.Azure.Net/ ",
            AZURE_PUBLIC,
            "https://kv-orders.vault.azure.net/",
        ),
        (
            "https://hsm-1.managedhsm.azure.net/",
            AZURE_PUBLIC,
            "https://hsm-1.managedhsm.azure.net/",
        ),
        ("https://kv-cn.vault.azure.cn/", AZURE_CHINA, "https://kv-cn.vault.azure.cn/"),
        ("https://127.0.0.1:28811/", DEMO, "https://127.0.0.1:28811/"),
    ],
)
def test_accepted(uri, cloud, expected) -> None:
    assert check_vault_uri(uri, cloud) == expected


@pytest.mark.parametrize(
    ("uri", "cloud", "says"),
    [
        ("http://kv.vault.azure.net/", AZURE_PUBLIC, "https://"),
        ("https://user:pw@kv-a.vault.azure.net/", AZURE_PUBLIC, "no user name or password"),
        ("https://kv-a.vault.azure.net.evil.example/", AZURE_PUBLIC, "not a Key Vault"),
        ("https://evil.example/", AZURE_PUBLIC, "not a Key Vault"),
        ("https://kv-a.vault.azure.cn/", AZURE_PUBLIC, "not a Key Vault"),
        ("https://kv-a.vault.azure.net/secrets/x", AZURE_PUBLIC, "without a path"),
        ("https://kv-a.vault.azure.net:8443/", AZURE_PUBLIC, "port 443"),
        ("https://-x.vault.azure.net/", AZURE_PUBLIC, "vault name"),
        ("https://kv-a.vault.azure.net/", DEMO, "only the emulator"),
        ("https://127.0.0.1/", DEMO, "only the emulator"),
    ],
)
def test_refused_with_a_reason(uri, cloud, says) -> None:
    with pytest.raises(ValueError, match=says):
        check_vault_uri(uri, cloud)
