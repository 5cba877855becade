"""ARM's cloud metadata (`GET /metadata/endpoints`): how `az cloud register` discovers a cloud.

Azure serves it without a token. The shape is Azure's (AzureCloud's payload, as Azure PowerShell's
`Add-AzEnvironment -AutoDiscover` documents it); every endpoint a client calls points at the
emulator: ARM, the login authority and Microsoft Graph. The ARM token audiences and the Key Vault
DNS suffix stay Azure's: they are identifiers (the `aud` of a token, `https://vault.azure.net`),
and the emulator accepts tokens for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulator.http import AzureHttpError, json_response

if TYPE_CHECKING:
    from aiohttp import web

    from emulator.server import Emulator

PATH = "/metadata/endpoints"
# api-versions the endpoint answers; the oldest ones return every cloud as a list [?: which
# versions switch from the list to the single object is inferred from the clients: azure-cli
# reads 2022-09-01 as one object, Azure PowerShell's docs show the list].
LIST_VERSIONS = frozenset({"2015-01-01", "2019-05-01"})
OBJECT_VERSIONS = frozenset({"2020-06-01", "2022-09-01", "2023-11-01"})
CLOUD_NAME = "AzureCloud"


def cloud_metadata(emu: Emulator) -> dict[str, Any]:
    base = emu.base_url
    return {
        "portal": f"{base}/",
        "authentication": {
            "loginEndpoint": f"{base}/",
            "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "graphAudience": f"{base}/",
        "graph": f"{base}/",
        "microsoftGraphResourceId": f"{base}/",
        "name": CLOUD_NAME,
        "suffixes": {
            "keyVaultDns": "vault.azure.net",
            "mhsmDns": "managedhsm.azure.net",
            "storage": "core.windows.net",
            "acrLoginServer": "azurecr.io",
            "sqlServerHostname": "database.windows.net",
            "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
            "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
        },
        "resourceManager": f"{base}/",
    }


async def endpoints(request: web.Request, emu: Emulator) -> web.Response:
    version = request.query.get("api-version")
    if not version:
        raise AzureHttpError(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    if version not in LIST_VERSIONS | OBJECT_VERSIONS:
        raise AzureHttpError(
            400,
            "InvalidApiVersionParameter",
            f"The api-version '{version}' is invalid. The supported versions are "
            f"'{','.join(sorted(LIST_VERSIONS | OBJECT_VERSIONS, reverse=True))}'.",
        )
    body = cloud_metadata(emu)
    return json_response(request, [body] if version in LIST_VERSIONS else body)
