"""Microsoft.KeyVault/vaults: vaults, access policies, soft delete and purge, name checks."""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from emulator import factories
from emulator.arm import vault_rules
from emulator.arm.common import (
    KEYVAULT_VERSIONS,
    Ctx,
    Router,
    now_iso,
    public,
    require_rg,
    require_subscription,
    resource_not_found,
    version_at_least,
    visible,
)
from emulator.http import ARM_NOT_FOUND_FIX, AzureHttpError, read_json

VAULTS = factories.KEYVAULT
READ, WRITE, DELETE = f"{VAULTS}/read", f"{VAULTS}/write", f"{VAULTS}/delete"
RBAC_DEFAULT_FROM = "2026-02-01"  # from this api-version on, new vaults default to RBAC mode
KV = r"providers/Microsoft\.KeyVault"


def add_routes(router: Router) -> None:
    v = KEYVAULT_VERSIONS
    sub = "/subscriptions/{sid}"
    vault = f"{sub}/resourcegroups/{{rg}}/{KV}/vaults/{{name}}"
    router.add("GET", f"{sub}/{KV}/vaults", v, list_by_subscription)
    router.add("GET", f"{sub}/resourcegroups/{{rg}}/{KV}/vaults", v, list_by_resource_group)
    router.add("GET", vault, v, get_vault)
    router.add("PUT", vault, v, put_vault)
    router.add("PATCH", vault, v, patch_vault)
    router.add("DELETE", vault, v, delete_vault)
    router.add("PUT", f"{vault}/accessPolicies/{{kind}}", v, update_access_policy)
    router.add("GET", f"{sub}/{KV}/deletedVaults", v, list_deleted)
    router.add("GET", f"{sub}/{KV}/locations/{{loc}}/deletedVaults/{{name}}", v, get_deleted)
    router.add("POST", f"{sub}/{KV}/locations/{{loc}}/deletedVaults/{{name}}/purge", v, purge)
    router.add("GET", f"{sub}/{KV}/locations/{{loc}}/operationResults/{{op}}", v, operation)
    router.add("POST", f"{sub}/{KV}/checkNameAvailability", v, check_name_availability)


def _ids(ctx: Ctx) -> tuple[str, str, str, str]:
    sid, rg, name = ctx.match["sid"], ctx.match["rg"], ctx.match["name"]
    return sid, rg, name, factories.resource_id(sid, rg, VAULTS, name)


def _find(ctx: Ctx) -> dict[str, Any]:
    sid, rg, name, vid = _ids(ctx)
    require_rg(ctx, sid, rg)
    vault = ctx.state.vaults.get(vid.lower())
    if vault is None:
        raise resource_not_found(VAULTS, name, rg)
    return vault


def _actor(ctx: Ctx) -> tuple[str, str]:
    """Who systemData names as creator / last modifier."""
    principal = ctx.state.principals.get(ctx.caller.object_id)
    if principal is None:
        return ctx.caller.object_id, "Application"
    kind = {"User": "User", "ManagedIdentity": "ManagedIdentity"}.get(principal.kind, "Application")
    return principal.display_name if kind == "User" else principal.app_id, kind


def _touch(ctx: Ctx, vault: dict[str, Any], *, created: bool) -> None:
    who, kind = _actor(ctx)
    stamp = now_iso()
    data = vault.setdefault("systemData", {})
    if created or not data:
        data.update(createdBy=who, createdByType=kind, createdAt=stamp)
    data.update(lastModifiedBy=who, lastModifiedByType=kind, lastModifiedAt=stamp)


# ---- lists and get ------------------------------------------------------------------------


async def list_by_subscription(ctx: Ctx) -> web.StreamResponse:
    sid = ctx.match["sid"]
    require_subscription(ctx, sid)
    prefix = f"/subscriptions/{sid}/".lower()
    items = [v for k, v in ctx.state.vaults.items() if k.startswith(prefix)]
    return ctx.paged(visible(ctx, f"/subscriptions/{sid}", items, READ), top_param=True)


async def list_by_resource_group(ctx: Ctx) -> web.StreamResponse:
    sid, rg = ctx.match["sid"], ctx.match["rg"]
    require_rg(ctx, sid, rg)
    scope = factories.rg_id(sid, rg)
    prefix = scope.lower() + "/"
    items = [v for k, v in ctx.state.vaults.items() if k.startswith(prefix)]
    return ctx.paged(visible(ctx, scope, items, READ), top_param=True)


async def get_vault(ctx: Ctx) -> web.StreamResponse:
    ctx.authorize(_ids(ctx)[3], READ)
    return ctx.json(_find(ctx))


# ---- create, update, delete ---------------------------------------------------------------


def _check_rbac_switch(ctx: Ctx, vault_id: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Switching the permission model changes who can read secrets: it needs role-assignment
    write rights, as the portal and newer api-versions require."""
    if bool(old.get("enableRbacAuthorization")) != bool(new.get("enableRbacAuthorization")):
        ctx.authorize(vault_id, "Microsoft.Authorization/roleAssignments/write")


def _build_properties(
    ctx: Ctx, given: dict[str, Any], old: dict[str, Any] | None
) -> dict[str, Any]:
    vault_rules.check_flags(given, old)
    sku = given.get("sku")
    if not isinstance(sku, dict) or not sku.get("name"):
        raise AzureHttpError(400, "BadRequest", "The property 'sku' is required.")
    if str(sku["name"]).lower() not in ("standard", "premium"):
        raise AzureHttpError(
            400,
            "BadRequest",
            f"The sku name '{sku['name']}' is not valid. "
            "Valid values are 'standard' and 'premium'.",
        )
    if not given.get("tenantId"):
        raise AzureHttpError(400, "BadRequest", "The property 'tenantId' is required.")
    old = old or {}
    if given.get("enableRbacAuthorization") is not None:
        rbac = bool(given["enableRbacAuthorization"])
    elif old:
        rbac = bool(old.get("enableRbacAuthorization"))
    else:
        rbac = version_at_least(ctx.api_version, RBAC_DEFAULT_FROM)
    access = given.get("publicNetworkAccess") or old.get("publicNetworkAccess") or "Enabled"
    if str(access).lower() not in ("enabled", "disabled", "securedbyperimeter"):
        raise AzureHttpError(
            400, "BadRequest", f"The value '{access}' of 'publicNetworkAccess' is not valid."
        )
    props: dict[str, Any] = {
        "sku": {"family": sku.get("family") or "A", "name": sku["name"]},
        "tenantId": given["tenantId"],
        "accessPolicies": vault_rules.normalise_policies(given.get("accessPolicies") or []),
        "enabledForDeployment": bool(given.get("enabledForDeployment")),
        "enabledForDiskEncryption": bool(given.get("enabledForDiskEncryption")),
        "enabledForTemplateDeployment": bool(given.get("enabledForTemplateDeployment")),
        "enableSoftDelete": True,
        "softDeleteRetentionInDays": given.get("softDeleteRetentionInDays")
        or old.get("softDeleteRetentionInDays", 90),
        "enableRbacAuthorization": rbac,
    }
    if given.get("enablePurgeProtection") or old.get("enablePurgeProtection"):
        props["enablePurgeProtection"] = True
    if given.get("networkAcls") is not None:
        props["networkAcls"] = vault_rules.normalise_network_acls(given["networkAcls"])
    props["publicNetworkAccess"] = access
    props["vaultUri"] = old.get("vaultUri", "")
    props["provisioningState"] = "Succeeded"
    return props


def _location_conflict(existing: dict[str, Any], location: str, rg: str) -> AzureHttpError:
    return AzureHttpError(
        400,
        "InvalidResourceLocation",
        f"The resource '{existing['name']}' already exists in location "
        f"'{existing['location']}' in resource group '{rg}'. A resource with the same name "
        f"cannot be created in location '{location}'. Please select a new resource name.",
    )


async def put_vault(ctx: Ctx) -> web.StreamResponse:
    sid, rg, name, vid = _ids(ctx)
    ctx.authorize(vid, WRITE)
    require_rg(ctx, sid, rg)
    body = await read_json(ctx.request)
    location = body.get("location")
    if not location:
        raise AzureHttpError(
            400, "LocationRequired", "The location property is required for this definition."
        )
    given = body.get("properties")
    if not isinstance(given, dict):
        raise AzureHttpError(400, "BadRequest", "The property 'properties' is required.")
    state = ctx.state
    existing = state.vaults.get(vid.lower())
    if existing is None:
        vault_rules.check_name(name)
        if state.vault_by_name(name) is not None:
            raise AzureHttpError(
                409, "VaultAlreadyExists", vault_rules.already_exists_message(name)
            )
        deleted = state.deleted_vaults.get(name.lower())
        if str(given.get("createMode") or "default").lower() == "recover":
            return await _recover(ctx, deleted, vid, location)
        if deleted is not None:
            raise AzureHttpError(
                409, "ConflictError", "Exist soft deleted vault with the same name."
            )
        vault = {
            "id": vid,
            "name": name,
            "type": VAULTS,
            "location": location,
            "tags": body.get("tags") or {},
            "systemData": {},
            "properties": _build_properties(ctx, given, None),
        }
        _touch(ctx, vault, created=True)
    else:
        if factories.region_key(existing["location"]) != factories.region_key(location):
            raise _location_conflict(existing, location, rg)
        props = _build_properties(ctx, given, existing["properties"])
        _check_rbac_switch(ctx, vid, existing["properties"], props)
        vault = existing
        vault["properties"] = props
        vault["tags"] = body.get("tags") or {}
        _touch(ctx, vault, created=False)
    state.vaults[vid.lower()] = vault
    state.vault_secrets(name)
    vault["properties"]["vaultUri"] = await ctx.emu.ensure_vault_site(name)
    return ctx.json(vault, 200)


async def _recover(
    ctx: Ctx, deleted: dict[str, Any] | None, vid: str, location: str
) -> web.StreamResponse:
    name = ctx.match["name"]
    if deleted is None or factories.region_key(
        deleted["properties"]["location"]
    ) != factories.region_key(location):
        raise AzureHttpError(
            404,
            "ResourceNotFound",
            f"No deleted vault named '{name}' was found in location '{location}' to recover. "
            f"{ARM_NOT_FOUND_FIX}",
        )
    vault = copy.deepcopy(deleted["_vault"])
    vault["id"] = vid
    _touch(ctx, vault, created=False)
    del ctx.state.deleted_vaults[name.lower()]
    ctx.state.vaults[vid.lower()] = vault
    vault["properties"]["vaultUri"] = await ctx.emu.ensure_vault_site(vault["name"])
    return ctx.json(vault, 200)


async def patch_vault(ctx: Ctx) -> web.StreamResponse:
    vid = _ids(ctx)[3]
    ctx.authorize(vid, WRITE)
    vault = _find(ctx)
    body = await read_json(ctx.request)
    given = body.get("properties") or {}
    old = vault["properties"]
    vault_rules.check_flags(given, old)
    merged = {**old, **{k: v for k, v in given.items() if v is not None}}
    merged.pop("createMode", None)
    if given.get("accessPolicies") is not None:
        merged["accessPolicies"] = vault_rules.normalise_policies(given["accessPolicies"])
    if given.get("networkAcls") is not None:
        merged["networkAcls"] = vault_rules.normalise_network_acls(given["networkAcls"])
    merged["enableSoftDelete"] = True
    if old.get("enablePurgeProtection"):
        merged["enablePurgeProtection"] = True
    _check_rbac_switch(ctx, vid, old, merged)
    vault["properties"] = merged
    if body.get("tags") is not None:
        vault["tags"] = body["tags"]
    _touch(ctx, vault, created=False)
    return ctx.json(vault, 200)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


async def delete_vault(ctx: Ctx) -> web.StreamResponse:
    sid, rg, name, vid = _ids(ctx)
    ctx.authorize(vid, DELETE)
    require_rg(ctx, sid, rg)
    vault = ctx.state.vaults.pop(vid.lower(), None)
    if vault is None:
        return ctx.empty(204)
    props = vault["properties"]
    loc = factories.region_key(vault["location"])
    now = datetime.now(UTC)
    deleted: dict[str, Any] = {
        "id": f"/subscriptions/{sid}/providers/Microsoft.KeyVault/locations/{loc}"
        f"/deletedVaults/{vault['name']}",
        "name": vault["name"],
        "type": "Microsoft.KeyVault/deletedVaults",
        "properties": {
            "vaultId": vault["id"],
            "location": loc,
            "tags": vault.get("tags") or {},
            "deletionDate": _stamp(now),
            "scheduledPurgeDate": _stamp(
                now + timedelta(days=props.get("softDeleteRetentionInDays", 90))
            ),
        },
        "_vault": vault,  # kept for createMode=recover; never served
    }
    if props.get("enablePurgeProtection"):
        deleted["properties"]["purgeProtectionEnabled"] = True
    ctx.state.deleted_vaults[name.lower()] = deleted
    await ctx.emu.drop_vault_site(name)
    return ctx.empty(200)


# ---- access policies ----------------------------------------------------------------------


async def update_access_policy(ctx: Ctx) -> web.StreamResponse:
    vid = _ids(ctx)[3]
    ctx.authorize(vid, f"{VAULTS}/accessPolicies/write")
    vault = _find(ctx)
    kind = ctx.match["kind"].lower()
    if kind not in ("add", "replace", "remove"):
        raise AzureHttpError(
            400,
            "BadRequest",
            f"The operation kind '{ctx.match['kind']}' is not valid. "
            "Valid values are 'add', 'replace' and 'remove'.",
        )
    body = await read_json(ctx.request)
    given = (body.get("properties") or {}).get("accessPolicies")
    if given is None:
        raise AzureHttpError(
            400, "BadRequest", "The property 'properties.accessPolicies' is required."
        )
    changes = vault_rules.normalise_policies(given)
    props = vault["properties"]
    props["accessPolicies"] = vault_rules.update_policies(
        props.get("accessPolicies") or [], changes, kind
    )
    _touch(ctx, vault, created=False)
    return ctx.json(
        {
            "id": f"{vault['id']}/accessPolicies/",
            "type": f"{VAULTS}/accessPolicies",
            "properties": {"accessPolicies": props["accessPolicies"]},
        }
    )


# ---- deleted vaults and purge -------------------------------------------------------------


def _deleted_in(ctx: Ctx, sid: str) -> list[dict[str, Any]]:
    prefix = f"/subscriptions/{sid}/".lower()
    return [
        d
        for d in ctx.state.deleted_vaults.values()
        if d["properties"]["vaultId"].lower().startswith(prefix)
    ]


async def list_deleted(ctx: Ctx) -> web.StreamResponse:
    sid = ctx.match["sid"]
    require_subscription(ctx, sid)
    ctx.authorize(f"/subscriptions/{sid}", "Microsoft.KeyVault/deletedVaults/read")
    return ctx.paged([public(d) for d in _deleted_in(ctx, sid)])


def _find_deleted(ctx: Ctx) -> dict[str, Any]:
    sid, loc, name = ctx.match["sid"], ctx.match["loc"], ctx.match["name"]
    require_subscription(ctx, sid)
    found = ctx.state.deleted_vaults.get(name.lower())
    if (
        found is None
        or found not in _deleted_in(ctx, sid)
        or found["properties"]["location"] != factories.region_key(loc)
    ):
        raise AzureHttpError(
            404,
            "ResourceNotFound",
            f"The Resource 'Microsoft.KeyVault/locations/{loc}/deletedVaults/{name}' under "
            f"resource group '<null>' was not found. {ARM_NOT_FOUND_FIX}",
        )
    return found


async def get_deleted(ctx: Ctx) -> web.StreamResponse:
    ctx.authorize(f"/subscriptions/{ctx.match['sid']}", "Microsoft.KeyVault/deletedVaults/read")
    return ctx.json(public(_find_deleted(ctx)))


async def purge(ctx: Ctx) -> web.StreamResponse:
    sid, loc = ctx.match["sid"], ctx.match["loc"]
    ctx.authorize(
        f"/subscriptions/{sid}", "Microsoft.KeyVault/locations/deletedVaults/purge/action"
    )
    found = _find_deleted(ctx)
    props = found["properties"]
    if (
        props.get("purgeProtectionEnabled")
        and _stamp(datetime.now(UTC)) < props["scheduledPurgeDate"]
    ):
        raise AzureHttpError(
            409, "InvalidOperation", "Operation 'DeletedVaultPurge' is not allowed."
        )
    key = found["name"].lower()
    state = ctx.state
    del state.deleted_vaults[key]
    for store in (state.secrets, state.deleted_secrets, state.vault_ports):
        store.pop(key, None)
    started = now_iso()
    token = (
        base64.urlsafe_b64encode(
            json.dumps({"op": "purge", "vault": found["name"], "created": started}).encode()
        )
        .decode()
        .rstrip("=")
    )
    origin = f"{ctx.request.scheme}://{ctx.request.host}"
    location = (
        f"{origin}/subscriptions/{sid}/providers/Microsoft.KeyVault/locations/"
        f"{factories.region_key(loc)}/operationResults/{token}"
        f"?api-version={ctx.api_version}"
    )
    # The purge is done at once; the operation reports it on the first poll.
    return ctx.empty(202, {"Location": location})


async def operation(ctx: Ctx) -> web.StreamResponse:
    token = ctx.match["op"]
    try:
        info = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        created = str(info["created"])
    except (ValueError, KeyError, TypeError) as exc:
        raise AzureHttpError(
            404, "OperationNotFound", f"The operation '{token}' was not found."
        ) from exc
    return ctx.json(
        {"createdDateTime": created, "lastActionDateTime": now_iso(), "status": "Succeeded"}
    )


# ---- name availability --------------------------------------------------------------------


async def check_name_availability(ctx: Ctx) -> web.StreamResponse:
    sid = ctx.match["sid"]
    require_subscription(ctx, sid)
    ctx.authorize(f"/subscriptions/{sid}", "Microsoft.KeyVault/checkNameAvailability/read")
    body = await read_json(ctx.request)
    name = str(body.get("name") or "")
    if str(body.get("type") or "").lower() != VAULTS.lower():
        raise AzureHttpError(
            400,
            "BadRequest",
            f"The resource type '{body.get('type')}' is not valid. Expected '{VAULTS}'.",
        )
    problem = vault_rules.name_problem(name)
    if problem:
        return ctx.json(
            {"nameAvailable": False, "reason": "AccountNameInvalid", "message": problem}
        )
    taken = ctx.state.vault_by_name(name) is not None or name.lower() in ctx.state.deleted_vaults
    if taken:
        return ctx.json(
            {
                "nameAvailable": False,
                "reason": "AlreadyExists",
                "message": vault_rules.already_exists_message(name),
            }
        )
    return ctx.json({"nameAvailable": True})
