"""Verification: the re-read after applying, compared with the plan's intended after-state.

"Verified" is what this says, field by field, and nothing else: an apply that succeeded while
another write landed right after it (the vault firewall has no ETag) shows up here as a
difference that names the field, not as "applied and verified".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from console.errors import ConsoleError
from console.plans import changes as c
from console.plans.apply import took_effect
from console.plans.base import Change, PlanResult


def _net(rule: str) -> str:
    """An IP rule as Azure stores it (a bare address becomes /32)."""
    try:
        return str(ipaddress.ip_network(rule.strip(), strict=False))
    except ValueError:
        return rule.strip().lower()


def network_differences(vault_name: str, wanted: dict[str, Any], actual: Any) -> list[str]:
    """What the vault's firewall shows that the plan did not set, one line per field."""
    out: list[str] = []
    for field, label in (("default_action", "default action"), ("bypass", "bypass")):
        have, want = str(getattr(actual, field)), str(wanted.get(field))
        if have.lower() != want.lower():
            out.append(f"vault {vault_name}: {label} is {have}; the plan set {want}")
    have_ips = {_net(r) for r in actual.ip_rules}
    want_ips = {_net(r) for r in wanted.get("ip_rules") or ()}
    out += [f"vault {vault_name}: IP rule {r} is missing" for r in sorted(want_ips - have_ips)]
    out += [
        f"vault {vault_name}: IP rule {r} is there but not in the plan (someone else's change?)"
        for r in sorted(have_ips - want_ips)
    ]
    have_vnets = {r.id.lower() for r in actual.virtual_network_rules}
    want_vnets = {str(r["id"]).lower() for r in wanted.get("virtual_network_rules") or ()}
    if have_vnets != want_vnets:
        out.append(f"vault {vault_name}: virtual network rules differ from the plan")
    return out


async def _change_differences(service: Any, change: Change) -> list[str]:
    match change.params:
        case c.NetworkRulesSet(vault_id=vault_id, network=network):
            vault = await service.get_vault(vault_id)
            return network_differences(vault.name, dict(network), vault.network)
        case (
            c.SecretSet()
            | c.SecretUpdate()
            | c.SecretDelete()
            | c.SecretRecover()
            | c.SecretPurge()
        ):
            # A secret version cannot be told apart from someone else's by a re-read; the
            # secret editor shows the version it wrote instead.
            return []
        case _:
            if await took_effect(service, change):
                return []
            return [f"{change.summary}: Azure does not show it after applying"]


async def differences(service: Any, applied: Iterable[Change]) -> list[str]:
    """Every difference between what the applied changes meant and what Azure shows now.
    Empty: verified. A re-read that fails is a difference too (nothing is taken on trust)."""
    out: list[str] = []
    for change in applied:
        try:
            out += await _change_differences(service, change)
        except ConsoleError as exc:
            out.append(f"{change.summary}: could not re-read to verify ({exc.message})")
    return out


def verified(result: PlanResult, found: list[str]) -> bool:
    return result.ok and not result.drift and not found
