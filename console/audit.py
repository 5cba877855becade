"""Posture audit: findings across everything loaded, from the chain check plus posture rules.

Pure: :func:`audit` takes what the adapters read (:class:`AuditInput`) and returns findings.
Literal values that look like secrets are flagged by *where* they are, never printed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from console.audit_options import SEVERITIES
from console.definition import find_keyvault_actions, iter_actions
from console.diagnosis import FAIL, VAULT_AUDIENCE, WARN, check_access, vaults_used_by
from console.models import (
    DirectoryObject,
    LogicApp,
    RoleAssignment,
    RoleDefinition,
    SecretProperties,
    Vault,
)


def severity_rank(level: str) -> int:
    return SEVERITIES.index(level.lower())


@dataclass(frozen=True)
class Finding:
    severity: str  # one of SEVERITIES
    rule: str  # stable id, e.g. KV001
    resource: str  # resource id (or vault URI for pinned vaults)
    title: str
    why: str
    fix: str


@dataclass(frozen=True)
class AuditInput:
    vaults: Sequence[Vault] = ()
    logic_apps: Sequence[LogicApp] = ()
    role_assignments: Mapping[str, Sequence[RoleAssignment]] = field(default_factory=dict)
    role_definitions: Mapping[str, RoleDefinition] = field(default_factory=dict)
    secrets: Mapping[str, Sequence[SecretProperties]] = field(default_factory=dict)  # by vault id
    directory: Mapping[str, DirectoryObject] | None = None  # lower object id; None: not looked up
    now: datetime | None = None
    vault_audience: str = VAULT_AUDIENCE  # the signed-in cloud's
    # Key Vault API connections (lower id) → the vault their connection resource names
    connector_vaults: Mapping[str, str | None] = field(default_factory=dict)


RULES = {
    "KV001": (
        "medium",
        "Purge protection is off",
        "A deleted vault or secret can be purged at once, by mistake or by an attacker.",
        "Enable purge protection on the vault (it cannot be turned off again).",
    ),
    "KV002": (
        "medium",
        "Firewall open to all networks",
        "Any address on the internet can reach the vault; only credentials stand in the way.",
        "Run the firewall wizard: default Deny plus the Logic Apps' outgoing addresses.",
    ),
    "KV003": (
        "high",
        "A user account holds an access policy on a vault Logic Apps use",
        "Automation that runs on a person's access breaks when they leave, and widens who "
        "can read production secrets.",
        "Grant the Logic App's managed identity instead and remove the user's entry.",
    ),
    "KV004": (
        "low",
        "Orphaned principal in a grant",
        "The principal no longer exists; its entry is dead weight that hides who has access.",
        "Remove the access policy or role assignment of the deleted principal.",
    ),
    "KV005": (
        "low",
        "Secret without an expiry date",
        "Secrets that never expire are never rotated.",
        "Set an expiry date and rotate before it.",
    ),
    "LA001": (
        "high",
        "Logic App uses Key Vault without a managed identity",
        "Without an identity the workflow needs a stored credential to reach the vault.",
        "Enable the system-assigned identity and grant it secrets Get.",
    ),
    "LA002": (
        "critical",
        "Literal value that looks like a secret in a workflow definition",
        "Anyone who can read the workflow (Reader role) can read the value; it is also in "
        "every run's inputs.",
        "Move the value into Key Vault and read it with the managed identity.",
    ),
    # One rule per link of the access chain (console.diagnosis.CHAIN), as the access check shows it.
    "CHAIN-grant": (
        "high",
        "Logic App's identity lacks (or exceeds) the permission its Key Vault step needs",
        "Without secrets Get (an access policy, or Key Vault Secrets User on RBAC vaults) the "
        "step fails with 403; more than Get widens what a leaked workflow identity can read.",
        "Open the access check of the Logic App and press Fix on the grant line (grant wizard).",
    ),
    "CHAIN-firewall": (
        "high",
        "Vault firewall refuses the Logic App's outgoing addresses",
        "With default action Deny, calls from addresses without an IP rule get "
        "ForbiddenByFirewall; Logic Apps are not a trusted service that bypasses the firewall.",
        "Run the firewall wizard: allow the Logic App's outgoing addresses.",
    ),
    "CHAIN-actions": (
        "high",
        "Workflow's Key Vault action is not set up for managed identity",
        "An HTTP action must authenticate with the managed identity and audience "
        "https://vault.azure.net (the cloud's vault audience), or Key Vault refuses the token.",
        "Open the access check and fix the action's authentication.",
    ),
    "CHAIN-secure_outputs": (
        "medium",
        "Key Vault action without Secure Outputs",
        "Without Secure Outputs the secret's value is kept in clear in the run history, readable "
        "by anyone with Reader on the Logic App.",
        "Turn on Secure Outputs (and Secure Inputs) on the action.",
    ),
    "CHAIN-secret": (
        "high",
        "Secret the workflow reads is missing, disabled or expired",
        "The Key Vault step fails at run time when the secret is missing, disabled or expired.",
        "Create the secret, or enable or rotate it (secret editor).",
    ),
}


def _finding(rule: str, resource: str, detail: str = "", severity: str | None = None) -> Finding:
    default, title, why, fix = RULES.get(rule, ("medium", rule, "", ""))
    return Finding(
        severity or default, rule, resource, f"{title}{': ' + detail if detail else ''}", why, fix
    )


# ---- hard-coded secrets in definitions -------------------------------------------------

_SECRETY_KEY = re.compile(
    r"(pass(word)?|pwd|secret|api[-_]?key|token|client[-_]?secret|"
    r"authorization|x-functions-key|sig|connection[-_]?string)",
    re.I,
)
_SECRETY_VALUE = re.compile(
    r"(^Bearer\s+\S{12,}|^Basic\s+[A-Za-z0-9+/=]{8,}|"
    r"AccountKey=|SharedAccessKey=|Password=|sig=[A-Za-z0-9%]{10,})",
    re.I,
)


def _entropy(text: str) -> float:
    counts = {c: text.count(c) for c in set(text)}
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


_NOT_SECRET_KEYS = {"identity", "audience", "type", "method", "uri", "path", "connectionid", "id"}


def _looks_secret(key: str, value: str) -> bool:
    if not value or value.startswith("@") or "@{" in value or "@parameters(" in value:
        return False  # an expression, not a literal
    if key.lower() in _NOT_SECRET_KEYS or value.startswith(("/subscriptions/", "https://")):
        return False  # resource ids and endpoints are long and random-looking, not secret
    if _SECRETY_VALUE.search(value):
        return True
    if _SECRETY_KEY.search(key) and len(value) >= 8:
        return True
    return len(value) >= 24 and " " not in value and _entropy(value) > 4.0


def _walk(prefix: str, node: object) -> Iterable[tuple[str, str]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _walk(f"{prefix}.{key}" if prefix else str(key), value)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(f"{prefix}[{i}]", value)
    elif isinstance(node, str):
        yield prefix, node


def hardcoded_secrets(logic_app: LogicApp) -> list[str]:
    """Where (action + input path) a literal looks like a secret. Never the value."""
    places = []
    for path, action in iter_actions(logic_app.definition):
        for where, value in _walk("inputs", action.get("inputs") or {}):
            last_key = re.split(r"[.\[]", where)[-1]
            if where.endswith(".uri") and not _SECRETY_VALUE.search(value):
                continue
            if _looks_secret(last_key, value):
                places.append(f"{path}: {where}")
    for name, param in (logic_app.parameters or {}).items():
        param_value = param.get("value") if isinstance(param, Mapping) else None
        if isinstance(param_value, str) and _looks_secret(name, param_value):
            places.append(f"parameter {name}")
    return places


# ---- the audit ---------------------------------------------------------------------------


def audit(data: AuditInput) -> list[Finding]:
    now = data.now or datetime.now(UTC)
    findings: list[Finding] = []
    used_by: dict[str, list[LogicApp]] = {}
    for logic_app in data.logic_apps:
        vaults = vaults_used_by(logic_app, data.vaults, data.connector_vaults)
        for vault in vaults:
            used_by.setdefault(vault.id, []).append(logic_app)
        if find_keyvault_actions(logic_app.definition, logic_app.parameters) and not (
            logic_app.identity.principal_id or logic_app.identity.user_assigned
        ):
            findings.append(_finding("LA001", logic_app.id, logic_app.name))
        for place in hardcoded_secrets(logic_app):
            findings.append(_finding("LA002", logic_app.id, f"{logic_app.name} ({place})"))
        for vault in vaults:
            report = check_access(
                logic_app,
                vault,
                role_assignments=data.role_assignments.get(vault.id, ()),
                role_definitions=data.role_definitions,
                secret=_secret(data, vault, logic_app),
                now=now,
                audience=data.vault_audience,
            )
            for check in report.checks:
                if check.key == "identity" or check.status not in (FAIL, WARN):
                    continue
                findings.append(
                    Finding(
                        "high" if check.status == FAIL else "medium",
                        f"CHAIN-{check.key}",
                        logic_app.id,
                        f"{logic_app.name} → {vault.name}: {check.title}: {check.reason}",
                        "The Logic App's Key Vault step fails or holds more access than it needs.",
                        f"Open the access check of {logic_app.name} and press Fix on this line.",
                    )
                )
    for vault in data.vaults:
        findings.extend(_vault_findings(vault, data, used_by.get(vault.id, []), now))
    findings.sort(key=lambda f: (-severity_rank(f.severity), f.rule, f.resource))
    return findings


def _secret(data: AuditInput, vault: Vault, logic_app: LogicApp) -> SecretProperties | None:
    names = {
        a.secret_name.lower()
        for a in find_keyvault_actions(logic_app.definition, logic_app.parameters, [vault.uri])
        if a.secret_name
    }
    return next((s for s in data.secrets.get(vault.id, ()) if s.name.lower() in names), None)


def _vault_findings(
    vault: Vault, data: AuditInput, logic_apps: list[LogicApp], now: datetime
) -> list[Finding]:
    out = []
    if not vault.purge_protection:
        out.append(_finding("KV001", vault.id, vault.name))
    if vault.network.default_action.lower() == "allow" and (
        vault.public_network_access.lower() != "disabled"
    ):
        out.append(_finding("KV002", vault.id, vault.name))
    directory = data.directory
    if directory is not None:
        for policy in vault.access_policies:
            entry = directory.get(policy.object_id.lower())
            if entry is None:
                out.append(_finding("KV004", vault.id, f"{policy.object_id} on {vault.name}"))
            elif entry.kind == "user" and logic_apps and not vault.rbac_authorization:
                out.append(_finding("KV003", vault.id, f"{entry.display_name} on {vault.name}"))
        for ra in data.role_assignments.get(vault.id, ()):
            if ra.principal_id.lower() not in directory:
                out.append(
                    _finding("KV004", ra.id, f"{ra.principal_id} ({ra.role_name or 'role'})")
                )
    for secret in data.secrets.get(vault.id, ()):
        if secret.expires_on is None and secret.enabled:
            out.append(_finding("KV005", vault.id, f"{secret.name} in {vault.name}"))
    return out
