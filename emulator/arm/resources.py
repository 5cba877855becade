"""Microsoft.Resources beyond subscriptions: the generic resources list and resource providers.

Clients lean on both without naming a provider: `az keyvault list` / `show -n` (without `-g`)
read the generic list with `$filter=resourceType eq ... and name eq ...` at api-version
2015-11-01, and `az resource show --ids` reads the provider to pick an api-version (the newest
stable one it lists for the type, so `apiVersions` is newest first, as on Azure).
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from emulator import factories
from emulator.arm.common import (
    AUTHORIZATION_VERSIONS,
    KEYVAULT_VERSIONS,
    LOGIC_VERSIONS,
    MSI_VERSIONS,
    RESOURCES_VERSIONS,
    Ctx,
    Router,
    has_any_role_within,
    require_rg,
    require_subscription,
)
from emulator.http import AzureHttpError

# Vaults_List (the legacy list azure-mgmt-keyvault still calls) pins 2015-11-01.
LIST_VERSIONS = RESOURCES_VERSIONS | {"2015-11-01"}
LOCATIONS = ["West Europe", "North Europe", "East US", "East US 2", "West US", "UK South"]
CAPABILITIES = "CrossResourceGroupResourceMove, CrossSubscriptionResourceMove, SupportsTags, "
CAPABILITIES += "SupportsLocation"

LIST_FIELDS = ("id", "name", "type", "location", "tags")  # all the legacy list returns
# namespace -> resource types the emulator serves -> the api-versions it accepts for them.
PROVIDERS: dict[str, dict[str, frozenset[str]]] = {
    "Microsoft.KeyVault": {
        "vaults": KEYVAULT_VERSIONS,
        "vaults/accessPolicies": KEYVAULT_VERSIONS,
        "deletedVaults": KEYVAULT_VERSIONS,
        "locations/deletedVaults": KEYVAULT_VERSIONS,
        "locations/operationResults": KEYVAULT_VERSIONS,
        "checkNameAvailability": KEYVAULT_VERSIONS,
        "managedHSMs": KEYVAULT_VERSIONS,
    },
    "Microsoft.Logic": {"workflows": LOGIC_VERSIONS},
    "Microsoft.ManagedIdentity": {"userAssignedIdentities": MSI_VERSIONS},
    "Microsoft.Authorization": {
        "roleAssignments": AUTHORIZATION_VERSIONS,
        "roleDefinitions": AUTHORIZATION_VERSIONS,
    },
}
GLOBAL_TYPES = {"checkNameAvailability", "deletedVaults", "roleAssignments", "roleDefinitions"}


def add_routes(router: Router) -> None:
    v = RESOURCES_VERSIONS
    router.add("GET", "/subscriptions/{sid}/resources", LIST_VERSIONS, list_resources)
    router.add(
        "GET", "/subscriptions/{sid}/resourcegroups/{rg}/resources", LIST_VERSIONS, list_resources
    )
    router.add("GET", "/subscriptions/{sid}/providers", v, list_providers)
    router.add("GET", "/subscriptions/{sid}/providers/{namespace}", v, get_provider)


# ---- the generic resources list ------------------------------------------------------------

_CLAUSE = re.compile(r"^\s*(resourceType|name)\s+eq\s+'([^']*)'\s*$", re.IGNORECASE)


def _parse_filter(text: str) -> dict[str, str]:
    """``resourceType eq 'X' and name eq 'Y'`` -> {"resourcetype": "x", "name": "y"}."""
    wanted: dict[str, str] = {}
    if not text.strip():
        return wanted
    for clause in re.split(r"\s+and\s+", text, flags=re.IGNORECASE):
        m = _CLAUSE.match(clause)
        if m is None:
            # Azure knows more (tags, substringof, or); say plainly this emulator does not.
            raise AzureHttpError(
                400,
                "InvalidFilterInQueryString",
                f"The $filter '{text}' is not supported by this emulator: it filters by "
                "\"resourceType eq '...'\" and \"name eq '...'\" joined with 'and'.",
            )
        wanted[m.group(1).lower()] = m.group(2).lower()
    return wanted


async def list_resources(ctx: Ctx) -> web.StreamResponse:
    """The generic resources list (id, name, type, location, tags), filterable by type and name."""
    sid, rg = ctx.match["sid"], ctx.match.get("rg")
    scope = factories.rg_id(sid, rg) if rg else f"/subscriptions/{sid}"
    if rg:
        require_rg(ctx, sid, rg)
    else:
        require_subscription(ctx, sid)
    wanted = _parse_filter(ctx.query.get("$filter", ""))
    prefix = scope.lower() + "/"
    items = []
    for store in (ctx.state.vaults, ctx.state.workflows, ctx.state.identities):
        for key, res in store.items():
            if not key.startswith(prefix):
                continue
            if wanted.get("resourcetype", res["type"].lower()) != res["type"].lower():
                continue
            if wanted.get("name", res["name"].lower()) != res["name"].lower():
                continue
            items.append({k: res[k] for k in LIST_FIELDS if k in res})
    if not has_any_role_within(ctx.state, ctx.caller.object_id, scope):
        ctx.authorize(scope, "Microsoft.Resources/subscriptions/resources/read")
    items = [i for i in items if ctx.can(i["id"], f"{i['type']}/read")]
    return ctx.paged(items, top_param=True)


# ---- resource providers --------------------------------------------------------------------


def provider_body(sid: str, namespace: str) -> dict[str, Any]:
    types = []
    for rtype, versions in PROVIDERS[namespace].items():
        entry: dict[str, Any] = {
            "resourceType": rtype,
            "locations": [] if rtype in GLOBAL_TYPES else LOCATIONS,
            "apiVersions": sorted(versions, reverse=True),
        }
        if "/" not in rtype and rtype not in GLOBAL_TYPES:
            entry["capabilities"] = CAPABILITIES
        types.append(entry)
    return {
        "id": f"/subscriptions/{sid}/providers/{namespace}",
        "namespace": namespace,
        "registrationState": "Registered",
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": types,
    }


async def list_providers(ctx: Ctx) -> web.StreamResponse:
    sid = ctx.match["sid"]
    require_subscription(ctx, sid)
    return ctx.paged([provider_body(sid, ns) for ns in PROVIDERS])


async def get_provider(ctx: Ctx) -> web.StreamResponse:
    sid, asked = ctx.match["sid"], ctx.match["namespace"]
    require_subscription(ctx, sid)
    for namespace in PROVIDERS:
        if namespace.lower() == asked.lower():
            return ctx.json(provider_body(sid, namespace))
    # [?] Azure's code for a namespace it does not know; the message is paraphrased.
    raise AzureHttpError(
        404, "InvalidResourceNamespace", f"The resource namespace '{asked}' is invalid."
    )
