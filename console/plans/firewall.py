"""Firewall wizard: deny by default, allow the Logic App's outgoing addresses, never lock the
admin out without a typed confirmation."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

from console.errors import ForbiddenError
from console.models import LogicApp, NetworkRules, Vault
from console.plans.base import (
    Change,
    Plan,
    network_to_dict,
    source_key,
    vault_snapshot,
)
from console.plans.changes import NetworkRulesSet
from console.validation import parse_ip_rule, parse_ip_rules

_CLIENT_ADDRESS = re.compile(r"Client address:\s*([0-9.]+)")


@dataclass(frozen=True)
class LockoutCheck:
    admin_address: str | None
    locked_out: bool | None  # None: unknown (this console's address is not known)
    message: str


def admin_address_from_error(error: BaseException) -> str | None:
    """This console's address as the vault saw it, from a ForbiddenByFirewall refusal."""
    if isinstance(error, ForbiddenError) and error.client_address:
        return error.client_address
    match = _CLIENT_ADDRESS.search(str(error))
    return match.group(1) if match else None


def _covered(address: str, rules: Iterable[str]) -> str | None:
    ip = ipaddress.IPv4Address(address.split("/")[0])
    for rule in rules:
        try:
            if ip in ipaddress.IPv4Network(rule, strict=False):
                return rule
        except ValueError:
            continue
    return None


def lockout_check(
    rules: NetworkRules, admin_address: str | None, public_network_access: str = "Enabled"
) -> LockoutCheck:
    """Would this console keep reaching the vault's data plane under *rules*?"""
    if public_network_access.lower() == "disabled":
        return LockoutCheck(
            admin_address,
            True,
            "Public network access is disabled on this "
            "vault: only private endpoints reach it, whatever the rules.",
        )
    if rules.default_action.lower() != "deny":
        return LockoutCheck(admin_address, False, "The firewall allows every address.")
    if admin_address is None:
        return LockoutCheck(
            None,
            None,
            "This console's public address is unknown: if it is not in the rules, the console "
            "loses access to the vault's secrets. Enter it to check (or read it from a "
            "'Client address' in a firewall refusal).",
        )
    try:
        rule = _covered(admin_address, rules.ip_rules)
    except ValueError:
        return LockoutCheck(admin_address, None, f"'{admin_address}' is not an IPv4 address.")
    if rule:
        return LockoutCheck(
            admin_address,
            False,
            f"This console ({admin_address}) keeps access through the rule {rule}.",
        )
    return LockoutCheck(
        admin_address,
        True,
        f"This console ({admin_address}) would be locked out: its address is in no rule. "
        "Include it, or confirm by typing the vault name.",
    )


@dataclass(frozen=True)
class FirewallProposal:
    before: NetworkRules
    after: NetworkRules
    added: tuple[str, ...]  # rules the plan adds
    errors: tuple[tuple[str, str], ...]  # (address as typed, message): the plan is blocked
    lockout: LockoutCheck  # under the proposed rules
    plan: Plan


def _needed_addresses(logic_app: LogicApp) -> tuple[list[str], str]:
    """The outgoing addresses the workflow's Key Vault calls come from: HTTP actions run on the
    Logic Apps runtime (workflow addresses), managed connectors on the connector service
    (connector addresses). Both lists are regional and shared by every Logic App in the region,
    whichever tenant owns it."""
    from console.definition import find_keyvault_actions

    kinds = {a.kind for a in find_keyvault_actions(logic_app.definition, logic_app.parameters)}
    region = logic_app.location or "its region"
    shared = (
        f" These addresses are Logic Apps' outgoing addresses in {region}"
        ", shared by every Logic App there (any tenant's): they open the vault's network edge, "
        "not its data, which the identity's grant still guards."
    )
    if kinds == {"http"}:
        return list(logic_app.workflow_outgoing_ips), (
            "Only the workflow (runtime) addresses: the Key Vault calls are HTTP actions." + shared
        )
    if kinds == {"connector"}:
        return list(logic_app.connector_outgoing_ips), (
            "Only the connector addresses: the Key Vault calls go through the managed Key Vault "
            "connector." + shared
        )
    return [*logic_app.workflow_outgoing_ips, *logic_app.connector_outgoing_ips], (
        "Workflow and connector addresses: "
        + (
            "the workflow uses HTTP actions and the connector."
            if kinds
            else "no Key Vault action was found to tell which it needs."
        )
        + shared
    )


def propose_firewall(
    vault: Vault,
    logic_app: LogicApp | None = None,
    *,
    extra_addresses: Iterable[str] = (),
    admin_address: str | None = None,
    include_admin_address: bool = False,
) -> FirewallProposal:
    """Default action Deny plus the missing addresses: the Logic App's workflow and connector
    outgoing IPs, *extra_addresses* typed by the user, and (opt-in) this console's address.
    Bypass, existing IP rules and virtual network rules are kept."""
    before = vault.network
    title = f"Firewall of vault {vault.name}: deny by default"
    warnings: list[str] = []
    notes: list[str] = []
    errors: list[tuple[str, str]] = []
    candidates: list[str] = []
    if logic_app is not None:
        title += f", allow Logic App {logic_app.name}"
        app_ips, why = _needed_addresses(logic_app)
        notes.append(why)
        if not app_ips:
            warnings.append(
                f"{logic_app.name} reported no outgoing addresses: with Deny, its calls to the "
                "vault will be refused."
            )
        candidates += app_ips
    candidates += [a for a in extra_addresses if a.strip()]
    if include_admin_address:
        if admin_address is None:
            errors.append(("(this console)", "This console's address is unknown: enter it."))
        else:
            net, error, _ = parse_ip_rule(admin_address)
            if error:
                errors.append((admin_address, error))
            else:
                candidates.append(admin_address)
                notes.append(f"This console's address {net} is included.")
    parsed = parse_ip_rules(candidates, existing=before.ip_rules)
    errors += parsed.errors
    warnings += parsed.warnings
    notes += parsed.notes
    if any(r.strip().startswith("0.0.0.0/0") for r in before.ip_rules):
        warnings.append(
            "The existing rule 0.0.0.0/0 lets every address through: Deny changes nothing "
            "until that rule is removed."
        )
    after = NetworkRules(
        default_action="Deny",
        bypass=before.bypass,
        ip_rules=(*before.ip_rules, *parsed.networks),
        virtual_network_rules=before.virtual_network_rules,
    )
    if len(after.ip_rules) > 1000:
        errors.append(("(all)", "Azure allows at most 1000 IP rules per vault: use CIDR blocks."))
    lockout = lockout_check(after, admin_address, vault.public_network_access)
    snapshot = {source_key("vault", vault.id): vault_snapshot(vault)}
    if errors:
        listed = "; ".join(f"{text}: {msg}" for text, msg in errors)
        plan = Plan(title, blocked=f"Fix these addresses first. {listed}", snapshot=snapshot)
        return FirewallProposal(before, after, parsed.networks, tuple(errors), lockout, plan)
    if vault.public_network_access.lower() == "disabled":
        notes.append("Public network access is disabled: these rules apply once it is enabled.")
    if after == before:
        notes.insert(0, "The firewall already denies by default and allows these addresses.")
        plan = Plan(title, notes=tuple(notes), snapshot=snapshot)
        return FirewallProposal(before, after, (), (), lockout, plan)
    confirm = None
    if lockout.locked_out is not False and vault.public_network_access.lower() != "disabled":
        warnings.append(lockout.message)
        confirm = vault.name
    elif lockout.locked_out is False:
        notes.append(lockout.message)
    undo = Change(
        vault.id,
        f"Restore the previous firewall of vault {vault.name}",
        before=network_to_dict(after),
        after=network_to_dict(before),
        params=NetworkRulesSet(vault_id=vault.id, network=network_to_dict(before)),
    )
    added = ", ".join(parsed.networks) or "no new address"
    change = Change(
        vault.id,
        f"Firewall of vault {vault.name}: default action Deny; allow {added}",
        before=network_to_dict(before),
        after=network_to_dict(after),
        params=NetworkRulesSet(vault_id=vault.id, network=network_to_dict(after)),
        undo=undo,
    )
    plan = Plan(title, (change,), tuple(warnings), tuple(notes), confirm, snapshot=snapshot)
    return FirewallProposal(before, after, parsed.networks, (), lockout, plan)
