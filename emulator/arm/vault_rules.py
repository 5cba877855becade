"""What Key Vault's resource provider validates: names, network rules, access policies, flags."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from emulator.http import AzureHttpError

MAX_IP_RULES = 1000
MAX_VNET_RULES = 200
MAX_ACCESS_POLICIES = 1024
SECRET_PERMISSIONS = frozenset(
    {"all", "get", "list", "set", "delete", "backup", "restore", "recover", "purge"}
)
_NAME = re.compile(r"^[a-zA-Z0-9-]{3,24}$")
# Azure refuses private (RFC 1918) ranges in vault IP rules.
_PRIVATE = (
    (ipaddress.ip_network("10.0.0.0/8"), "10.0.0.0–10.255.255.255"),
    (ipaddress.ip_network("172.16.0.0/12"), "172.16.0.0–172.31.255.255"),
    (ipaddress.ip_network("192.168.0.0/16"), "192.168.0.0–192.168.255.255"),
)


def name_problem(name: str) -> str | None:
    """Why *name* is not a valid vault name, or None."""
    if not _NAME.match(name) or not name[0].isalpha() or not name[-1].isalnum() or "--" in name:
        return (
            f"The vault name '{name}' is invalid. A vault's name must be between 3-24 "
            "alphanumeric characters. The name must begin with a letter, end with a letter or "
            "digit, and not contain consecutive hyphens."
        )
    return None


def check_name(name: str) -> None:
    problem = name_problem(name)
    if problem:
        raise AzureHttpError(400, "VaultNameNotValid", problem)


def already_exists_message(name: str) -> str:
    return (
        f"The vault name '{name}' is already in use. Vault names are globaly unique so it is "
        "possible that the name is already taken. If you are sure that the vault name was not "
        "taken then it is possible that a vault with the same name was recently deleted but not "
        "purged after being placed in a recoverable state. If the vault is in a recoverable state "
        "then the vault will need to be purged before reusing the name. For more information on "
        "soft delete and purging a vault follow this link "
        "https://go.microsoft.com/fwlink/?linkid=2147740."
    )


def _bad(message: str) -> AzureHttpError:
    return AzureHttpError(400, "BadRequest", message)


def normalise_ip_rule(value: Any, index: int) -> str:
    """A bare IPv4 address becomes /32; IPv6, malformed and private ranges are refused."""
    where = f"Invalid value found at properties.networkAcls.ipRules[{index}].value"
    text = str(value or "").strip()
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise _bad(f"{where}: '{text}' is not a valid IPv4 address or CIDR range.") from exc
    if net.version != 4:
        raise _bad(
            f"{where}: '{text}' is an IPv6 address; only IPv4 addresses and CIDR ranges are "
            "supported."
        )
    # 0.0.0.0/0 ("allow everyone") is accepted: the console warns and asks before sending it.
    # Azure's handling of other supernets of RFC 1918 ranges is not documented [?]: refused here.
    for private, label in _PRIVATE:
        if net.prefixlen > 0 and net.overlaps(private):
            raise _bad(
                f"{where}: {text} belongs to forbidden range {label} (private IP addresses)."
            )
    return text if "/" in text else f"{text}/32"


def normalise_network_acls(acls: Any) -> dict[str, Any]:
    if not isinstance(acls, dict):
        raise _bad("The property 'networkAcls' must be an object.")
    bypass = acls.get("bypass") or "AzureServices"
    if str(bypass).lower() not in ("azureservices", "none"):
        raise _bad(
            f"The value '{bypass}' of 'networkAcls.bypass' is not valid. "
            "Valid values are 'AzureServices' and 'None'."
        )
    default_action = acls.get("defaultAction") or "Allow"
    if str(default_action).lower() not in ("allow", "deny"):
        raise _bad(
            f"The value '{default_action}' of 'networkAcls.defaultAction' is not valid. "
            "Valid values are 'Allow' and 'Deny'."
        )
    ip_rules = acls.get("ipRules") or []
    if len(ip_rules) > MAX_IP_RULES:
        raise _bad(
            f"The number of IP rules ({len(ip_rules)}) exceeds the limit of "
            f"{MAX_IP_RULES} rules per key vault."
        )
    vnet_rules = acls.get("virtualNetworkRules") or []
    if len(vnet_rules) > MAX_VNET_RULES:
        raise _bad(
            f"The number of virtual network rules ({len(vnet_rules)}) exceeds the limit "
            f"of {MAX_VNET_RULES} rules per key vault."
        )
    seen: set[str] = set()
    rules = []
    for i, rule in enumerate(ip_rules):
        value = normalise_ip_rule((rule or {}).get("value") if isinstance(rule, dict) else rule, i)
        if value not in seen:
            seen.add(value)
            rules.append({"value": value})
    return {
        "bypass": bypass,
        "defaultAction": default_action,
        "ipRules": rules,
        "virtualNetworkRules": [
            {
                "id": str(r.get("id", "")).lower(),
                "ignoreMissingVnetServiceEndpoint": bool(r.get("ignoreMissingVnetServiceEndpoint")),
            }
            for r in vnet_rules
        ],
    }


# ---- access policies ------------------------------------------------------------------------


def normalise_policies(policies: Any) -> list[dict[str, Any]]:
    if not isinstance(policies, list):
        raise _bad("The property 'accessPolicies' must be an array.")
    if len(policies) > MAX_ACCESS_POLICIES:
        raise _bad(
            f"The number of access policies ({len(policies)}) exceeds the limit of "
            f"{MAX_ACCESS_POLICIES}."
        )
    out = []
    for i, policy in enumerate(policies):
        if not isinstance(policy, dict) or not policy.get("objectId") or not policy.get("tenantId"):
            raise _bad(
                f"Invalid value found at properties.accessPolicies[{i}]: 'tenantId' and "
                "'objectId' are required."
            )
        perms = policy.get("permissions") or {}
        for perm in perms.get("secrets") or []:
            if str(perm).lower() not in SECRET_PERMISSIONS:
                raise _bad(
                    f"Invalid value found at properties.accessPolicies[{i}].permissions.secrets: "
                    f"'{perm}' is not a valid secret permission. Valid values are: "
                    f"{', '.join(sorted(SECRET_PERMISSIONS))}."
                )
        entry = {"tenantId": policy["tenantId"], "objectId": policy["objectId"]}
        if policy.get("applicationId"):
            entry["applicationId"] = policy["applicationId"]
        entry["permissions"] = {k: list(v or []) for k, v in perms.items()}
        out.append(entry)
    return out


def _same_principal(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        a["objectId"].lower() == b["objectId"].lower()
        and (a.get("applicationId") or "").lower() == (b.get("applicationId") or "").lower()
    )


def _union(old: list[str], new: list[str]) -> list[str]:
    out, seen = list(old), {p.lower() for p in old}
    for perm in new:
        if perm.lower() not in seen:
            seen.add(perm.lower())
            out.append(perm)
    return out


def update_policies(
    current: list[dict[str, Any]], changes: list[dict[str, Any]], kind: str
) -> list[dict[str, Any]]:
    """add merges permissions per principal; replace overwrites its entry; remove subtracts the
    names that match exactly (case-sensitive)."""
    result = [dict(p, permissions=dict(p.get("permissions") or {})) for p in current]
    for change in changes:
        index = next((i for i, p in enumerate(result) if _same_principal(p, change)), None)
        if kind == "replace" or (kind == "add" and index is None):
            if index is None:
                result.append(change)
            else:
                result[index] = change
        elif kind == "add":
            assert index is not None  # the branch above took a missing principal
            perms = result[index]["permissions"]
            for cat, values in change["permissions"].items():
                perms[cat] = _union(list(perms.get(cat) or []), values)
        elif index is not None:  # remove
            # Azure matches names exactly here: "get" does not remove a stored "Get", and the
            # answer is still 200 [issue 12; seen on real vaults]. add de-duplicates without
            # regard to case [? whether Azure keeps both casings].
            perms = result[index]["permissions"]
            for cat, values in change["permissions"].items():
                drop = set(values)
                perms[cat] = [p for p in perms.get(cat) or [] if p not in drop]
            if not any(perms.values()):
                result.pop(index)
    if len(result) > MAX_ACCESS_POLICIES:
        raise _bad(f"The number of access policies exceeds the limit of {MAX_ACCESS_POLICIES}.")
    return result


# ---- irreversible flags ---------------------------------------------------------------------


def check_flags(props: dict[str, Any], existing: dict[str, Any] | None) -> None:
    """Purge protection cannot be switched off, soft delete neither; retention is set once."""
    if props.get("enablePurgeProtection") is False:
        raise _bad(
            'The property "enablePurgeProtection" cannot be set to false. Enabling the '
            "purge protection for a vault is an irreversible action."
        )
    if props.get("enableSoftDelete") is False:
        raise _bad(
            'The property "enableSoftDelete" cannot be set to false. Soft delete is '
            "always on for key vaults and cannot be disabled."
        )
    days = props.get("softDeleteRetentionInDays")
    if days is None:
        return
    if existing is not None:
        if days != existing.get("softDeleteRetentionInDays", 90):
            raise _bad(
                'The property "softDeleteRetentionInDays" has been set already and it '
                "can't be modified."
            )
    elif not isinstance(days, int) or not 7 <= days <= 90:
        raise _bad('The property "softDeleteRetentionInDays" must be between 7 and 90.')
