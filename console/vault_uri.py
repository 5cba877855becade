"""Which vault URIs the console may talk to: the signed-in cloud's vault and managed-HSM hosts.

A pinned URI decides where a Key Vault token is sent, so it is checked before it is stored: a
host outside the cloud (or, in the demo, outside the local emulator) would make the console ask
for a token for whatever resource and tenant that host's 401 challenge names.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from console.clouds import Cloud

# Managed HSM hosts per cloud (Microsoft Learn: "Azure Key Vault Managed HSM" endpoints).
MANAGED_HSM_SUFFIXES = {
    "AzureCloud": ".managedhsm.azure.net",
    "AzureChinaCloud": ".managedhsm.azure.cn",
    "AzureUSGovernment": ".managedhsm.usgovcloudapi.net",
}
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
_VAULT_NAME = re.compile(r"^[a-z][a-z0-9-]{1,22}[a-z0-9]$")


def check_vault_uri(uri: str, cloud: Cloud) -> str:
    """The normalised URI (``https://host/``), or ValueError saying what to type instead."""
    text = uri.strip()
    parts = urlsplit(text)
    example = f"https://NAME{cloud.vault_dns_suffix or '.vault.azure.net'}/"
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise ValueError(f"A vault URI starts with https:// and names a host, e.g. {example}")
    if parts.username is not None or parts.password is not None:
        raise ValueError("A vault URI has no user name or password in it (nothing before '@').")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"Give the vault's address only, without a path, e.g. {example}")
    host = parts.hostname.lower()
    if cloud.name == "Emulator":
        if host not in _LOCAL_HOSTS or parts.port is None:
            raise ValueError(
                "In the demo only the emulator's vaults can be pinned "
                "(https://127.0.0.1:PORT/): nothing leaves this machine."
            )
        return f"https://{parts.netloc.lower()}/"
    suffixes = [cloud.vault_dns_suffix, MANAGED_HSM_SUFFIXES.get(cloud.name, "")]
    suffix = next((s for s in suffixes if s and host.endswith(s)), None)
    if suffix is None:
        raise ValueError(
            f"{host} is not a Key Vault or Managed HSM host of {cloud.name} "
            f"(*{cloud.vault_dns_suffix}). Sign in to the vault's cloud, or check the address."
        )
    if not _VAULT_NAME.match(host[: -len(suffix)]):
        raise ValueError(f"{host} does not start with a vault name (3-24 letters, digits, '-').")
    if parts.port not in (None, 443):
        raise ValueError("Key Vault listens on port 443 only: leave the port out.")
    return f"https://{host}/"
