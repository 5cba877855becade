""" "Why can't this Logic App read that secret?" — one pure function over what the adapters read.

:func:`check_access` walks the chain Logic App → identity → grant → firewall → action → secret and
returns a checklist; each line is pass / warn / fail with a one-line reason and the wizard that
fixes it. The screen only draws it.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from console.definition import KeyVaultAction, find_keyvault_actions, iter_actions
from console.models import LogicApp, RoleAssignment, RoleDefinition, SecretProperties, Vault
from console.roles import BUILTIN_ROLES, KV_SECRETS_USER, action_matches

PASS, WARN, FAIL, SKIP = "pass", "warn", "fail", "skip"
VAULT_AUDIENCE = "https://vault.azure.net"  # the public cloud's; others: Cloud.vault_audience
# Key Vault's own application id: a token for it is a Key Vault token in every cloud [?].
VAULT_APP_ID = "cfa8b339-82a2-471a-a3c9-0fc0be7a4093"
# The data-plane versions Key Vault serves (azure-keyvault-secrets' ApiVersion list, which
# keeps 2016-10-01, the version many Logic Apps samples use).
VAULT_API_VERSIONS = frozenset(
    ("2016-10-01", "7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01", "2026-04-01")
)
_PREVIEW = re.compile(r"^(7\.\d+)-preview(\.\d+)?$")


def audience_matches(given: str | None, expected: str) -> bool:
    """Key Vault accepts a token for its resource URI, with or without the trailing slash
    (Entra normalises it [?]), or for its application id."""
    if not given:
        return False
    text = given.strip()
    return text.rstrip("/").lower() == expected.rstrip("/").lower() or text == VAULT_APP_ID


def known_api_version(version: str | None) -> bool:
    if version is None:
        return False
    preview = _PREVIEW.match(version)
    return version in VAULT_API_VERSIONS or preview is not None


GET_SECRET_ACTION = "Microsoft.KeyVault/vaults/secrets/getSecret/action"
SECRETS_USER_GUID = KV_SECRETS_USER
CHAIN = ("identity", "grant", "firewall", "actions", "secure_outputs", "secret")
TRUSTED_SERVICES_NOTE = (
    "The 'trusted Azure services' bypass does not cover a Logic App's outgoing calls: Logic Apps "
    "is not in Key Vault's trusted services list, so its addresses need IP rules."
)


@dataclass(frozen=True)
class Check:
    key: str  # one of CHAIN
    title: str
    status: str  # pass | warn | fail | skip
    reason: str
    fix: str | None = None  # wizard id: enable_identity | grant | firewall | secret | definition
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class AccessReport:
    logic_app: str
    vault: str
    secret_name: str | None
    checks: tuple[Check, ...]
    actions: tuple[KeyVaultAction, ...] = field(default=(), compare=False)

    @property
    def ok(self) -> bool:
        return all(c.status in (PASS, WARN, SKIP) for c in self.checks)

    @property
    def first_failure(self) -> Check | None:
        return next((c for c in self.checks if c.status == FAIL), None)

    def check(self, key: str) -> Check:
        return next(c for c in self.checks if c.key == key)

    def chain(self) -> list[tuple[str, str]]:
        """(label, status) for the diagram: Logic App → identity → … → secret."""
        labels = {
            "identity": "identity",
            "grant": "grant",
            "firewall": "firewall",
            "actions": "action",
            "secure_outputs": "secure outputs",
            "secret": "secret",
        }
        return [(self.logic_app, PASS)] + [(labels[c.key], c.status) for c in self.checks]


# ---- the checks ---------------------------------------------------------------------------


def _principals(logic_app: LogicApp) -> list[str]:
    ident = logic_app.identity
    ids = [ident.principal_id] if ident.principal_id else []
    ids += [ref.principal_id for ref in ident.user_assigned if ref.principal_id]
    return ids


def check_identity(logic_app: LogicApp) -> Check:
    ident = logic_app.identity
    if "systemassigned" in ident.type.lower() and ident.principal_id:
        return Check(
            "identity", "Managed identity", PASS, f"System-assigned identity {ident.principal_id}."
        )
    if ident.user_assigned:
        names = ", ".join(r.resource_id.rsplit("/", 1)[-1] for r in ident.user_assigned)
        return Check("identity", "Managed identity", PASS, f"User-assigned identity {names}.")
    return Check(
        "identity",
        "Managed identity",
        FAIL,
        "The Logic App has no managed identity, so it cannot sign in to Key Vault.",
        fix="enable_identity",
    )


def needed_permissions(actions: Iterable[KeyVaultAction]) -> set[str]:
    """Secret permissions the workflow's Key Vault actions use (at least get)."""
    needed = {"get"}
    for action in actions:
        target = action.target.split("?", 1)[0].rstrip("/").lower()
        if action.method in ("PUT", "POST", "PATCH") and "/secrets" in target:
            needed.add("set")
        elif action.method == "GET" and (
            target.endswith("/secrets") or target.endswith("/versions")
        ):
            needed.add("list")
    return needed


def _role_permissions(
    ra: RoleAssignment, definitions: Mapping[str, RoleDefinition]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(dataActions, notDataActions) of the assignment's role: the definition Azure returned
    (custom roles, every built-in), else our table of built-ins."""
    guid = ra.role_definition_id.rstrip("/").rsplit("/", 1)[-1].lower()
    definition = definitions.get(guid)
    if definition is not None:
        return definition.data_actions, definition.not_data_actions
    role = BUILTIN_ROLES.get(guid)  # when the role definitions were not read
    return (role.data_actions, ()) if role is not None else ((), ())


def _allows(permissions: tuple[tuple[str, ...], tuple[str, ...]], action: str) -> bool:
    granted, denied = permissions
    return any(action_matches(p, action) for p in granted) and not any(
        action_matches(p, action) for p in denied
    )


def _covers(scope: str, resource: str) -> bool:
    """Does an assignment at *scope* apply to *resource*? Scopes are a hierarchy: the root
    ``/`` and management groups sit above every subscription (Azure lists such inherited
    assignments for the vault's scope, so one returned here applies), then subscription →
    resource group → vault → secret."""
    scope, resource = scope.rstrip("/").lower(), resource.rstrip("/").lower()
    if scope == "" or scope.startswith("/providers/microsoft.management/managementgroups/"):
        return True
    return resource == scope or resource.startswith(scope + "/")


def check_grant(
    logic_app: LogicApp,
    vault: Vault,
    actions: Sequence[KeyVaultAction],
    assignments: Sequence[RoleAssignment],
    definitions: Mapping[str, RoleDefinition],
    secret_name: str | None,
) -> Check:
    principals = {p.lower() for p in _principals(logic_app)}
    if not principals:
        return Check("grant", "Permission on the vault", SKIP, "No identity to grant yet.")
    needed = needed_permissions(actions)
    if vault.rbac_authorization:
        target = vault.id + (f"/secrets/{secret_name}" if secret_name else "")
        usable = [
            ra
            for ra in assignments
            if ra.principal_id.lower() in principals and _covers(ra.scope, target)
        ]
        granting = [
            ra for ra in usable if _allows(_role_permissions(ra, definitions), GET_SECRET_ACTION)
        ]
        if not granting:
            return Check(
                "grant",
                "Permission on the vault",
                FAIL,
                "RBAC vault: no role assignment with secrets/getSecret/action covers "
                f"{'the secret' if secret_name else 'the vault'} for this identity.",
                fix="grant",
            )
        broad = [
            ra
            for ra in granting
            if ra.role_definition_id.rstrip("/").rsplit("/", 1)[-1].lower() != SECRETS_USER_GUID
            and "set" not in needed
        ]
        names = ", ".join(
            ra.role_name or ra.role_definition_id.rsplit("/", 1)[-1] for ra in granting
        )
        if broad:
            return Check(
                "grant",
                "Permission on the vault",
                WARN,
                f"Reads secrets through {names}: more than it needs; "
                "Key Vault Secrets User is enough.",
                fix="grant",
            )
        return Check("grant", "Permission on the vault", PASS, f"Role assignment: {names}.")
    policies = [p for p in vault.access_policies if p.object_id.lower() in principals]
    granted = {s.lower() for p in policies for s in p.permissions.secrets}
    if not ({"get", "all"} & granted):
        return Check(
            "grant",
            "Permission on the vault",
            FAIL,
            "No access policy gives this identity secrets Get on the vault.",
            fix="grant",
        )
    extra = ({"all"} & granted) | (granted - needed - {"all"})
    other = [
        kind
        for p in policies
        for kind in ("keys", "certificates", "storage")
        if getattr(p.permissions, kind)
    ]
    if extra or other:
        what = sorted(extra) + sorted(set(other))
        return Check(
            "grant",
            "Permission on the vault",
            WARN,
            f"Access policy holds more than it needs ({', '.join(what)}); "
            f"needs only {', '.join(sorted(needed))}.",
            fix="grant",
        )
    missing = needed - granted
    if missing and "all" not in granted:
        return Check(
            "grant",
            "Permission on the vault",
            WARN,
            f"Access policy lacks {', '.join(sorted(missing))}, which the workflow uses.",
            fix="grant",
        )
    return Check(
        "grant",
        "Permission on the vault",
        PASS,
        f"Access policy: secrets {', '.join(sorted(granted))}.",
    )


def _inside(address: str, rules: Iterable[str]) -> bool:
    try:
        net = ipaddress.ip_network(address, strict=False)
    except ValueError:
        return False
    for rule in rules:
        try:
            rule_net = ipaddress.ip_network(rule, strict=False)
        except ValueError:
            continue
        if isinstance(net, ipaddress.IPv4Network) and isinstance(rule_net, ipaddress.IPv4Network):
            if net.subnet_of(rule_net):
                return True
        elif (
            isinstance(net, ipaddress.IPv6Network)
            and isinstance(rule_net, ipaddress.IPv6Network)
            and net.subnet_of(rule_net)
        ):
            return True
    return False


def check_firewall(logic_app: LogicApp, vault: Vault, actions: Sequence[KeyVaultAction]) -> Check:
    if vault.public_network_access.lower() == "disabled":
        return Check(
            "firewall",
            "Vault firewall",
            FAIL,
            "Public network access is disabled: a Consumption Logic App cannot reach the vault.",
            fix="firewall",
        )
    net = vault.network
    if net.default_action.lower() != "deny":
        return Check("firewall", "Vault firewall", PASS, "Default action Allow: every network.")
    kinds = {a.kind for a in actions} or {"http"}
    addresses: list[str] = []
    if "http" in kinds:
        addresses += list(logic_app.workflow_outgoing_ips)
    if "connector" in kinds:
        addresses += list(logic_app.connector_outgoing_ips)
    if not addresses:
        return Check(
            "firewall",
            "Vault firewall",
            WARN,
            "Default action Deny and the Logic App's outgoing addresses are unknown.",
            fix="firewall",
        )
    missing = [a for a in dict.fromkeys(addresses) if not _inside(a, net.ip_rules)]
    note = (TRUSTED_SERVICES_NOTE,) if net.bypass.lower() == "azureservices" else ()
    if missing:
        return Check(
            "firewall",
            "Vault firewall",
            FAIL,
            f"Default action Deny and {len(missing)} outgoing address(es) of the Logic "
            "App are in no IP rule.",
            fix="firewall",
            details=(f"missing: {', '.join(missing)}", *note),
        )
    return Check(
        "firewall",
        "Vault firewall",
        PASS,
        "Default action Deny; every outgoing address is allowed by an IP rule.",
    )


def _on_vault(action: KeyVaultAction, vault: Vault) -> bool:
    target = action.target.lower()
    host = vault.uri.lower().rstrip("/")
    return target.startswith(host) or f"//{vault.name.lower()}." in target


def check_actions(
    actions: Sequence[KeyVaultAction], vault: Vault | None, audience: str = VAULT_AUDIENCE
) -> Check:
    if not actions:
        return Check(
            "actions",
            "Key Vault actions",
            WARN,
            "No Key Vault action found in the workflow definition.",
            fix="definition",
        )
    problems: list[str] = []
    for action in actions:
        if action.kind == "http":
            if action.auth_type != "ManagedServiceIdentity":
                problems.append(
                    f"{action.name}: authentication is {action.auth_type}, "
                    "not ManagedServiceIdentity"
                )
            if not audience_matches(action.audience, audience):
                problems.append(
                    f"{action.name}: audience {action.audience!r} is not Key Vault's "
                    f"({audience!r} in this cloud)"
                )
            version = action.api_version
            if not known_api_version(version):
                problems.append(
                    f"{action.name}: api-version {version or '(missing)'} is not a "
                    "Key Vault api-version"
                )
            if vault is not None and not _on_vault(action, vault):
                problems.append(f"{action.name}: the URL is not on vault {vault.name}")
        elif action.auth_type != "ManagedServiceIdentity":
            problems.append(
                f"{action.name}: the Key Vault connection uses {action.auth_type}, "
                "not a managed identity"
            )
    if problems:
        return Check(
            "actions",
            "Key Vault actions",
            FAIL,
            problems[0],
            fix="definition",
            details=tuple(problems),
        )
    return Check(
        "actions",
        "Key Vault actions",
        PASS,
        f"{len(actions)} action(s) use the managed identity with the right audience.",
    )


def _fetches_secret(action: KeyVaultAction) -> bool:
    return action.method == "GET" and action.secret_name is not None


def _consumers(definition: Mapping[str, Any], producer: str) -> list[tuple[str, bool]]:
    """Actions whose inputs use *producer*'s output, with their Secure Inputs setting."""
    short = producer.rsplit("/", 1)[-1]
    needles = (f"body('{short}')", f"outputs('{short}')")
    out = []
    for path, action in iter_actions(definition):
        text = json.dumps(action.get("inputs") or {})
        if any(n in text for n in needles):
            props = ((action.get("runtimeConfiguration") or {}).get("secureData") or {}).get(
                "properties"
            ) or []
            out.append((path, "inputs" in {str(p).lower() for p in props}))
    return out


def check_secure_outputs(logic_app: LogicApp, actions: Sequence[KeyVaultAction]) -> Check:
    fetching = [a for a in actions if _fetches_secret(a)]
    if not fetching:
        return Check("secure_outputs", "Secure Outputs", SKIP, "No action fetches a secret.")
    open_outputs = [a.name for a in fetching if not a.secure_outputs]
    if open_outputs:
        return Check(
            "secure_outputs",
            "Secure Outputs",
            FAIL,
            f"{open_outputs[0]} fetches a secret without Secure Outputs: the value is "
            "kept in run history.",
            fix="definition",
            details=tuple(open_outputs),
        )
    exposed = [
        path
        for a in fetching
        for path, secure in _consumers(logic_app.definition, a.name)
        if not secure
    ]
    if exposed:
        return Check(
            "secure_outputs",
            "Secure Outputs",
            WARN,
            f"{exposed[0]} receives the secret without Secure Inputs.",
            fix="definition",
            details=tuple(exposed),
        )
    return Check(
        "secure_outputs",
        "Secure Outputs",
        PASS,
        "Every action that fetches a secret hides its outputs.",
    )


def check_secret(
    name: str | None, secret: SecretProperties | None, *, missing: bool, now: datetime
) -> Check:
    if name is None:
        return Check("secret", "Secret", SKIP, "No secret named in the workflow.")
    if missing or secret is None:
        if missing:
            return Check(
                "secret",
                "Secret",
                FAIL,
                f"Secret {name} does not exist in the vault.",
                fix="secret",
            )
        return Check("secret", "Secret", SKIP, f"Secret {name} could not be read to check it.")
    if not secret.enabled:
        return Check("secret", "Secret", FAIL, f"Secret {name} is disabled.", fix="secret")
    if secret.expires_on and secret.expires_on <= now:
        return Check(
            "secret",
            "Secret",
            FAIL,
            f"Secret {name} expired on {secret.expires_on:%Y-%m-%d %H:%M} UTC.",
            fix="secret",
        )
    if secret.not_before and secret.not_before > now:
        return Check(
            "secret",
            "Secret",
            FAIL,
            f"Secret {name} is not active before {secret.not_before:%Y-%m-%d %H:%M} UTC.",
            fix="secret",
        )
    return Check("secret", "Secret", PASS, f"Secret {name} exists and is enabled.")


def keyvault_connection_ids(logic_app: LogicApp) -> list[str]:
    """The ``connectionId`` of each Key Vault entry in the workflow's ``$connections``."""
    conns = ((logic_app.parameters or {}).get("$connections") or {}).get("value") or {}
    out = []
    for key, conn in conns.items():
        if not isinstance(conn, Mapping):
            continue
        api = str(conn.get("id") or "").lower().rstrip("/")
        if (api.endswith("/managedapis/keyvault") or "keyvault" in key.lower()) and conn.get(
            "connectionId"
        ):
            out.append(str(conn["connectionId"]))
    return out


def vaults_used_by(
    logic_app: LogicApp, vaults: Sequence[Vault], connector_vaults: Mapping[str, str | None] = {}
) -> list[Vault]:
    """The loaded vaults the workflow's Key Vault actions point at: by vaultUri or vault name,
    and for connector actions by the vault their connection resource is bound to
    (*connector_vaults*: connection id, lower case → vault name, read from Azure)."""
    actions = find_keyvault_actions(
        logic_app.definition, logic_app.parameters, [v.uri for v in vaults if v.uri]
    )
    used = [v for v in vaults if v.uri and v.uri in {a.vault_uri for a in actions}]
    for action in actions:
        for vault in vaults:
            if vault not in used and _on_vault(action, vault):
                used.append(vault)
    if any(a.kind == "connector" for a in actions):
        names = {
            str(connector_vaults.get(cid.lower()) or "").lower()
            for cid in keyvault_connection_ids(logic_app)
        }
        used += [v for v in vaults if v not in used and v.name.lower() in names]
    return used


def check_without_vault(logic_app: LogicApp) -> AccessReport:
    """The chain for an app whose Key Vault actions point at no vault the console knows."""
    actions = find_keyvault_actions(logic_app.definition, logic_app.parameters)
    skip = "No vault to check: no Key Vault action points at a vault the console has loaded."
    checks = (
        check_identity(logic_app),
        Check("grant", "Permission on the vault", SKIP, skip),
        Check("firewall", "Vault firewall", SKIP, skip),
        check_actions(actions, None),
        check_secure_outputs(logic_app, actions),
        Check("secret", "Secret", SKIP, skip),
    )
    return AccessReport(logic_app.name, "", None, checks, tuple(actions))


def check_access(
    logic_app: LogicApp,
    vault: Vault,
    *,
    role_assignments: Sequence[RoleAssignment] = (),
    role_definitions: Mapping[str, RoleDefinition] | None = None,
    secret_name: str | None = None,
    secret: SecretProperties | None = None,
    secret_missing: bool = False,
    now: datetime | None = None,
    audience: str = VAULT_AUDIENCE,
) -> AccessReport:
    """The whole chain for *app* reading *secret_name* (default: the first one it reads here)."""
    all_actions = find_keyvault_actions(logic_app.definition, logic_app.parameters, [vault.uri])
    actions = [
        a for a in all_actions if a.kind == "connector" or _on_vault(a, vault)
    ] or all_actions
    if secret_name is None:
        secret_name = next((a.secret_name for a in actions if a.secret_name), None)
    checks = (
        check_identity(logic_app),
        check_grant(
            logic_app, vault, actions, role_assignments, role_definitions or {}, secret_name
        ),
        check_firewall(logic_app, vault, actions),
        check_actions(actions, vault, audience),
        check_secure_outputs(logic_app, actions),
        check_secret(secret_name, secret, missing=secret_missing, now=now or datetime.now(UTC)),
    )
    return AccessReport(logic_app.name, vault.name, secret_name, checks, tuple(actions))
