"""Seeds for the emulator: "demo" (a tenant in telling states), "empty" and "large".

Every seed has the same sign-in principals (``state.info`` lists them):
- service principal "kvconsole-demo", Owner on every subscription (client id and secret below);
- service principal "kvconsole-reader", Reader on every subscription;
- user alice@contoso.example, with a client secret so tests can sign in as a user.
All secret values are obviously fake. Workflow definitions name vaults as ``https://{vault:NAME}/``;
the ARM routes fill in the vault's local address when they serve a workflow.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from emulator import factories as f
from emulator.arm import web_connections
from emulator.roles import (
    CONTRIBUTOR,
    KV_ADMINISTRATOR,
    KV_SECRETS_OFFICER,
    OWNER,
    READER,
)
from emulator.state import (
    DeletedSecretRecord,
    SecretRecord,
    SecretVersion,
    State,
    new_version,
)

SEEDS = ("demo", "empty", "large")
DEMO_CLIENT_ID = "5e7c0de0-0000-4000-8000-00000000c11d"
DEMO_CLIENT_SECRET = "demo-not-a-real-secret-kvconsole-admin"
DEMO_PRINCIPAL_ID = "5e7c0de0-0000-4000-8000-0000000000a1"
READER_CLIENT_ID = "5e7c0de0-0000-4000-8000-00000000c12d"
READER_CLIENT_SECRET = "demo-not-a-real-secret-kvconsole-reader"
READER_PRINCIPAL_ID = "5e7c0de0-0000-4000-8000-0000000000a2"
ALICE_CLIENT_ID = "5e7c0de0-0000-4000-8000-00000000c13d"
ALICE_CLIENT_SECRET = "demo-not-a-real-secret-alice"
ALICE_PRINCIPAL_ID = "5e7c0de0-0000-4000-8000-0000000000a3"
ALICE = "alice@contoso.example"

ALL_SECRET_PERMISSIONS = ["get", "list", "set", "delete", "backup", "restore", "recover", "purge"]
_NS = uuid.UUID("5e7c0de0-0000-4000-8000-000000000000")
DAY = 86_400


def stable_guid(label: str) -> str:
    """The same GUID for the same label: demo ids stay put between runs."""
    return str(uuid.uuid5(_NS, label))


def build_state(
    seed: str = "demo",
    *,
    subscriptions: int = 2,
    vaults_per_subscription: int = 5,
    logic_apps: int = 10,
    secrets_per_vault: int = 10,
    big_vault_secrets: int = 0,
    client_address: str | None = None,
) -> State:
    """A fresh tenant. Sizes apply to "large"; "demo" has a fixed, hand-made layout."""
    if seed not in SEEDS:
        raise ValueError(f"Unknown seed {seed!r}: choose one of {', '.join(SEEDS)}.")
    state = State()
    if client_address:
        state.client_address = client_address
    _principals(state)
    if seed == "demo":
        _demo(state)
    elif seed == "empty":
        sub = f.add_subscription(state, stable_guid("sub-0"), "Contoso Empty")
        _grant_subscription(state, sub["subscriptionId"])
    else:
        _large(
            state,
            subscriptions,
            vaults_per_subscription,
            logic_apps,
            secrets_per_vault,
            big_vault_secrets,
        )
    return state


def _principals(state: State) -> None:
    f.add_principal(
        state,
        "ServicePrincipal",
        "kvconsole-demo",
        object_id=DEMO_PRINCIPAL_ID,
        app_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
    )
    f.add_principal(
        state,
        "ServicePrincipal",
        "kvconsole-reader",
        object_id=READER_PRINCIPAL_ID,
        app_id=READER_CLIENT_ID,
        client_secret=READER_CLIENT_SECRET,
    )
    f.add_principal(
        state,
        "User",
        ALICE,
        object_id=ALICE_PRINCIPAL_ID,
        app_id=ALICE_CLIENT_ID,
        client_secret=ALICE_CLIENT_SECRET,
    )
    state.info.update(
        demo_client_id=DEMO_CLIENT_ID,
        demo_client_secret=DEMO_CLIENT_SECRET,
        demo_principal_id=DEMO_PRINCIPAL_ID,
        reader_client_id=READER_CLIENT_ID,
        reader_client_secret=READER_CLIENT_SECRET,
        reader_principal_id=READER_PRINCIPAL_ID,
        alice_client_id=ALICE_CLIENT_ID,
        alice_client_secret=ALICE_CLIENT_SECRET,
        alice_principal_id=ALICE_PRINCIPAL_ID,
    )


def _grant_subscription(state: State, sid: str) -> None:
    scope = f"/subscriptions/{sid}"
    f.add_role_assignment(state, scope, OWNER, DEMO_PRINCIPAL_ID, name=stable_guid(f"owner-{sid}"))
    f.add_role_assignment(
        state, scope, READER, READER_PRINCIPAL_ID, name=stable_guid(f"reader-{sid}")
    )


# ---- secrets --------------------------------------------------------------------------------


def _secret(
    state: State,
    vault: str,
    name: str,
    values: list[str],
    *,
    enabled: bool = True,
    exp: int | None = None,
    content_type: str | None = "text/plain",
    tags: dict[str, str] | None = None,
    age_days: int = 30,
) -> SecretRecord:
    start = int(time.time()) - age_days * DAY
    versions = [
        SecretVersion(
            version=new_version(),
            value=value,
            created=start + i * DAY,
            updated=start + i * DAY,
            content_type=content_type,
            tags=dict(tags or {}),
            enabled=enabled,
            exp=exp,
        )
        for i, value in enumerate(values)
    ]
    record = SecretRecord(name, versions)
    state.vault_secrets(vault)[name.lower()] = record
    return record


def _demo_secrets(state: State, vault: str) -> None:
    slug = vault.removeprefix("kv-")
    _secret(
        state,
        vault,
        "payments-api-key",
        [f"demo-not-a-real-secret-{slug}-api-key-v{i}" for i in (1, 2, 3)],
        tags={"owner": "payments-team"},
    )
    _secret(
        state,
        vault,
        "db-connection-string",
        [f"Server=demo.invalid;Password=demo-not-a-real-secret-{slug}-db"],
        content_type="application/x-connection-string",
    )
    _secret(state, vault, "stripe-webhook-secret", [f"demo-not-a-real-secret-{slug}-webhook"])
    _secret(
        state, vault, "legacy-ftp-password", [f"demo-not-a-real-secret-{slug}-ftp"], enabled=False
    )
    _secret(
        state,
        vault,
        "old-signing-key",
        [f"demo-not-a-real-secret-{slug}-signing"],
        exp=int(time.time()) - 10 * DAY,
        age_days=400,
    )
    gone = SecretRecord(
        "retired-token",
        [
            SecretVersion(
                new_version(),
                f"demo-not-a-real-secret-{slug}-retired",
                int(time.time()) - 60 * DAY,
                int(time.time()) - 60 * DAY,
            )
        ],
    )
    now = int(time.time())
    state.vault_deleted_secrets(vault)["retired-token"] = DeletedSecretRecord(
        gone, now - 2 * DAY, now + 88 * DAY
    )


# ---- workflows ------------------------------------------------------------------------------


def _recurrence() -> dict[str, Any]:
    return {
        "Recurrence": {"type": "Recurrence", "recurrence": {"frequency": "Hour", "interval": 1}}
    }


def _definition(actions: dict[str, Any], *, connections: bool = False) -> dict[str, Any]:
    definition = f.empty_definition()
    definition["triggers"] = _recurrence()
    definition["actions"] = actions
    if connections:
        definition["parameters"] = {"$connections": {"defaultValue": {}, "type": "Object"}}
    return definition


def _http_get_secret(
    vault: str, secret: str, *, secure: bool, identity: str | None = None
) -> dict[str, Any]:
    auth: dict[str, Any] = {"type": "ManagedServiceIdentity", "audience": "https://vault.azure.net"}
    if identity:
        auth["identity"] = identity
    action: dict[str, Any] = {
        "type": "Http",
        "runAfter": {},
        "inputs": {
            "method": "GET",
            "uri": f"https://{{vault:{vault}}}/secrets/{secret}?api-version=7.4",
            "authentication": auth,
        },
    }
    if secure:
        action["runtimeConfiguration"] = {"secureData": {"properties": ["outputs"]}}
    return action


def _rotation_actions(vault: str) -> dict[str, Any]:
    base = f"https://{{vault:{vault}}}/secrets"
    auth = {"type": "ManagedServiceIdentity", "audience": "https://vault.azure.net"}
    secure = {"secureData": {"properties": ["inputs", "outputs"]}}
    return {
        "List_secrets": {
            "type": "Http",
            "runAfter": {},
            "inputs": {"method": "GET", "uri": f"{base}?api-version=7.4", "authentication": auth},
        },
        "Get_current": {
            "type": "Http",
            "runAfter": {"List_secrets": ["Succeeded"]},
            "inputs": {
                "method": "GET",
                "uri": f"{base}/payments-api-key?api-version=7.4",
                "authentication": auth,
            },
            "runtimeConfiguration": secure,
        },
        "Set_new_version": {
            "type": "Http",
            "runAfter": {"Get_current": ["Succeeded"]},
            "inputs": {
                "method": "PUT",
                "uri": f"{base}/payments-api-key?api-version=7.4",
                "body": {"value": "@{guid()}"},
                "authentication": auth,
            },
            "runtimeConfiguration": secure,
        },
    }


def _connector_workflow(state: State, sid: str, rg: str, name: str, vault: str) -> dict[str, Any]:
    conn = f"/subscriptions/{sid}/resourceGroups/{rg}/providers/Microsoft.Web/connections/keyvault"
    actions = {
        "Get_secret": {
            "type": "ApiConnection",
            "runAfter": {},
            "inputs": {
                "host": {
                    "connection": {
                        "name": "@parameters('$connections')['keyvault']['connectionId']"
                    }
                },
                "method": "get",
                "path": "/secrets/@{encodeURIComponent('stripe-webhook-secret')}/value",
            },
        }
    }
    parameters = {
        "$connections": {
            "value": {
                "keyvault": {
                    "connectionId": conn,
                    "connectionName": "keyvault",
                    "connectionProperties": {"authentication": {"type": "ManagedServiceIdentity"}},
                    "id": f"/subscriptions/{sid}/providers/Microsoft.Web/locations/westeurope"
                    "/managedApis/keyvault",
                }
            }
        }
    }
    # Azure keeps the connector's vault on the connection resource (managed identity auth).
    web_connections.add_connection(
        state, sid, rg, "keyvault", api="keyvault", location="westeurope",
        alternative={"vaultName": vault},
    )  # fmt: skip
    return f.add_workflow(
        state,
        sid,
        rg,
        name,
        definition=_definition(actions, connections=True),
        parameters=parameters,
        identity={"type": "SystemAssigned"},
        tags={"vault": vault},
    )


# ---- demo -----------------------------------------------------------------------------------


def _demo(state: State) -> None:
    prod = f.add_subscription(state, stable_guid("sub-prod"), "Contoso Production")[
        "subscriptionId"
    ]
    dev = f.add_subscription(state, stable_guid("sub-dev"), "Contoso Development")["subscriptionId"]
    for sid in (prod, dev):
        _grant_subscription(state, sid)
    f.add_role_assignment(
        state,
        f"/subscriptions/{prod}",
        CONTRIBUTOR,
        ALICE_PRINCIPAL_ID,
        name=stable_guid("alice-contributor"),
    )
    f.add_role_assignment(
        state,
        f"/subscriptions/{dev}",
        OWNER,
        ALICE_PRINCIPAL_ID,
        name=stable_guid("alice-owner-dev"),
    )
    for sid, rg in (
        (prod, "rg-payments"),
        (prod, "rg-integration"),
        (prod, "rg-platform"),
        (dev, "rg-dev-sandbox"),
    ):
        f.add_resource_group(state, sid, rg)

    uai = f.add_user_identity(state, prod, "rg-integration", "id-integration-shared")
    orphan = f.add_principal(state, "ManagedIdentity", "la-decommissioned")
    orphan.deleted = True

    def policies(*extra: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            f.access_policy(state, DEMO_PRINCIPAL_ID, list(ALL_SECRET_PERMISSIONS)),
            f.access_policy(state, ALICE_PRINCIPAL_ID, ["all"], keys=["all"], certificates=["all"]),
            *extra,
        ]

    connector_ips = [
        e["address"]
        for e in f.endpoints_configuration("westeurope")["connector"]["outgoingIpAddresses"]
    ]
    vaults = {
        "kv-payments-open": f.add_vault(
            state,
            prod,
            "rg-payments",
            "kv-payments-open",
            purge_protection=True,
            created_by=ALICE,
            tags={"env": "prod", "firewall": "open"},
        ),
        "kv-payments-locked": f.add_vault(
            state,
            prod,
            "rg-payments",
            "kv-payments-locked",
            purge_protection=True,
            default_action="Deny",
            ip_rules=["198.51.100.0/24", "192.0.2.15", connector_ips[2]],
            created_by=ALICE,
            tags={"env": "prod", "firewall": "locked"},
        ),
        "kv-platform-rbac": f.add_vault(
            state,
            prod,
            "rg-platform",
            "kv-platform-rbac",
            rbac=True,
            purge_protection=True,
            created_by=ALICE,
            tags={"env": "prod", "permissions": "rbac"},
        ),
        "kv-dev-nopurge": f.add_vault(
            state,
            dev,
            "rg-dev-sandbox",
            "kv-dev-nopurge",
            retention_days=7,
            created_by=ALICE,
            tags={"env": "dev"},
        ),
    }
    for name, vault in vaults.items():
        if not vault["properties"]["enableRbacAuthorization"]:
            vault["properties"]["accessPolicies"] = policies()
        _demo_secrets(state, name)
    rbac_id = vaults["kv-platform-rbac"]["id"]
    f.add_role_assignment(
        state, rbac_id, KV_SECRETS_OFFICER, DEMO_PRINCIPAL_ID, name=stable_guid("rbac-admin")
    )
    f.add_role_assignment(
        state, rbac_id, KV_ADMINISTRATOR, ALICE_PRINCIPAL_ID, name=stable_guid("rbac-alice")
    )

    open_policies = vaults["kv-payments-open"]["properties"]["accessPolicies"]
    open_policies.append(f.access_policy(state, orphan.object_id, ["get", "list"]))
    open_policies.append(f.access_policy(state, uai["properties"]["principalId"], ["get"]))

    rg = "rg-integration"
    f.add_workflow(
        state,
        prod,
        rg,
        "la-no-identity",
        definition=_definition(
            {
                "Call_partner": {
                    "type": "Http",
                    "runAfter": {},
                    # A credential pasted into the definition: the audit flags where, never what.
                    "inputs": {
                        "method": "GET",
                        "uri": "https://partner.example/status",
                        "headers": {"x-api-key": "demo-not-a-real-secret-partner-key"},
                    },
                }
            }
        ),
    )
    f.add_workflow(
        state,
        prod,
        rg,
        "la-identity-no-grant",
        identity={"type": "SystemAssigned"},
        definition=_definition(
            {
                "Get_secret": _http_get_secret(
                    "kv-payments-open", "db-connection-string", secure=True
                )
            }
        ),
    )
    ready = f.add_workflow(
        state,
        prod,
        rg,
        "la-payments-ready",
        identity={"type": "SystemAssigned"},
        definition=_definition(
            {"Get_api_key": _http_get_secret("kv-payments-open", "payments-api-key", secure=True)}
        ),
    )
    open_policies.append(f.access_policy(state, ready["identity"]["principalId"], ["get"]))
    connector = _connector_workflow(state, prod, rg, "la-connector-insecure", "kv-payments-open")
    open_policies.append(
        f.access_policy(state, connector["identity"]["principalId"], ["get", "list"])
    )
    rotation = f.add_workflow(
        state,
        prod,
        rg,
        "la-secret-rotation",
        identity={"type": "SystemAssigned"},
        definition=_definition(_rotation_actions("kv-payments-locked")),
    )
    # Needs get/list/set; only get/list granted so far.
    vaults["kv-payments-locked"]["properties"]["accessPolicies"].append(
        f.access_policy(state, rotation["identity"]["principalId"], ["get", "list"])
    )
    f.add_workflow(
        state,
        prod,
        rg,
        "la-user-assigned",
        identity={"type": "UserAssigned", "userAssignedIdentities": {uai["id"]: {}}},
        definition=_definition(
            {
                "Get_secret": _http_get_secret(
                    "kv-payments-open", "stripe-webhook-secret", secure=True, identity=uai["id"]
                )
            }
        ),
    )
    f.add_workflow(
        state,
        dev,
        "rg-dev-sandbox",
        "la-dev-disabled",
        state_value="Disabled",
        definition=_definition(
            {"Get_secret": _http_get_secret("kv-dev-nopurge", "payments-api-key", secure=False)}
        ),
    )

    # A vault deleted last week: soft-deleted, recoverable, still holding its secrets.
    archive = f.add_vault(state, dev, "rg-dev-sandbox", "kv-dev-archive", created_by=ALICE)
    _demo_secrets(state, "kv-dev-archive")
    _soft_delete(state, dev, archive)


def _soft_delete(state: State, sid: str, vault: dict[str, Any]) -> None:
    del state.vaults[vault["id"].lower()]
    loc = f.region_key(vault["location"])
    deleted_at = time.gmtime(time.time() - 7 * DAY)
    purge_at = time.gmtime(time.time() + 83 * DAY)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    state.deleted_vaults[vault["name"].lower()] = {
        "id": f"/subscriptions/{sid}/providers/Microsoft.KeyVault/locations/{loc}/deletedVaults/"
        f"{vault['name']}",
        "name": vault["name"],
        "type": "Microsoft.KeyVault/deletedVaults",
        "properties": {
            "vaultId": vault["id"],
            "location": loc,
            "tags": vault.get("tags") or {},
            "deletionDate": time.strftime(fmt, deleted_at),
            "scheduledPurgeDate": time.strftime(fmt, purge_at),
        },
        "_vault": vault,
    }


# ---- large ----------------------------------------------------------------------------------


def _load_vault(state: State, sid: str, name: str, prefix: str, count: int, now: int) -> None:
    """A vault of the large seed: the demo admin may do anything, *count* one-version secrets."""
    f.add_vault(
        state,
        sid,
        "rg-load",
        name,
        access_policies=[f.access_policy(state, DEMO_PRINCIPAL_ID, list(ALL_SECRET_PERMISSIONS))],
    )
    secrets = state.vault_secrets(name)
    for i in range(count):
        secret = f"{prefix}-{i:06d}"
        value = f"demo-not-a-real-secret-{prefix}-{i}"
        secrets[secret] = SecretRecord(secret, [SecretVersion(new_version(), value, now, now)])


def _large(
    state: State,
    subscriptions: int,
    vaults_per_subscription: int,
    logic_apps: int,
    secrets_per_vault: int,
    big_vault_secrets: int,
) -> None:
    """Sizes for benchmarks; cheap per item (no copies of big structures, no crypto)."""
    now = int(time.time())
    sids = []
    for s in range(subscriptions):
        sid = f.add_subscription(state, stable_guid(f"large-sub-{s}"), f"Contoso Load {s:03d}")[
            "subscriptionId"
        ]
        sids.append(sid)
        _grant_subscription(state, sid)
        f.add_resource_group(state, sid, "rg-load")
        for v in range(vaults_per_subscription):
            _load_vault(state, sid, f"kv-s{s:03d}-v{v:05d}", "secret", secrets_per_vault, now)
    if big_vault_secrets and sids:
        _load_vault(state, sids[0], "kv-big", "big", big_vault_secrets, now)
    for w in range(logic_apps if sids else 0):
        sid = sids[w % len(sids)]
        f.add_workflow(
            state,
            sid,
            "rg-load",
            f"la-load-{w:05d}",
            identity={"type": "SystemAssigned"} if w % 3 == 0 else None,
            definition=_definition({}),
        )
