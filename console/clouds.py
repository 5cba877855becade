"""Endpoints and token scopes per cloud. Sovereign clouds change every one of them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cloud:
    name: str
    arm_endpoint: str  # base URL of Azure Resource Manager
    arm_scope: str  # token scope for ARM
    authority: str  # Microsoft Entra authority host
    vault_audience: str  # resource of Key Vault tokens (the 401 challenge names it)
    vault_dns_suffix: str
    graph_endpoint: str = "https://graph.microsoft.com"

    @property
    def graph_scope(self) -> str:
        return (
            "https://graph.microsoft.com/.default"
            if self.name == "Emulator"
            else (f"{self.graph_endpoint}/.default")
        )


AZURE_PUBLIC = Cloud(
    name="AzureCloud",
    arm_endpoint="https://management.azure.com",
    arm_scope="https://management.azure.com/.default",
    authority="https://login.microsoftonline.com",
    vault_audience="https://vault.azure.net",
    vault_dns_suffix=".vault.azure.net",
)
AZURE_CHINA = Cloud(
    name="AzureChinaCloud",
    arm_endpoint="https://management.chinacloudapi.cn",
    arm_scope="https://management.chinacloudapi.cn/.default",
    authority="https://login.chinacloudapi.cn",
    vault_audience="https://vault.azure.cn",
    vault_dns_suffix=".vault.azure.cn",
    graph_endpoint="https://microsoftgraph.chinacloudapi.cn",
)
AZURE_US_GOVERNMENT = Cloud(
    name="AzureUSGovernment",
    arm_endpoint="https://management.usgovcloudapi.net",
    arm_scope="https://management.usgovcloudapi.net/.default",
    authority="https://login.microsoftonline.us",
    vault_audience="https://vault.usgovcloudapi.net",
    vault_dns_suffix=".vault.usgovcloudapi.net",
    graph_endpoint="https://graph.microsoft.us",
)

CLOUDS = {c.name: c for c in (AZURE_PUBLIC, AZURE_CHINA, AZURE_US_GOVERNMENT)}


def emulator_cloud(base_url: str) -> Cloud:
    """The emulator plays the public cloud at a local URL: same scopes, local hosts."""
    base = base_url.rstrip("/")
    return Cloud(
        name="Emulator",
        arm_endpoint=base,
        arm_scope=AZURE_PUBLIC.arm_scope,
        authority=base,
        vault_audience=AZURE_PUBLIC.vault_audience,
        vault_dns_suffix="",
        graph_endpoint=base,
    )
