"""What has been loaded so far: the handlers' single store (no widgets, no Azure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from console.errors import ConsoleError
from console.kinds import LISTED_KINDS, ResourceKind

if TYPE_CHECKING:  # the models load after the first paint, with the data (start-up time)
    from console.inventory import PrincipalEntry
    from console.models import (
        DirectoryObject,
        LogicApp,
        ResourceGroup,
        RoleAssignment,
        SecretProperties,
        Subscription,
        UserAssignedIdentity,
        Vault,
    )

KINDS = LISTED_KINDS
KIND_TITLES: dict[str, str] = {
    ResourceKind.VAULTS: "Key Vaults",
    ResourceKind.LOGIC_APPS: "Logic Apps",
    ResourceKind.IDENTITIES: "Identities",
}


@dataclass
class SecretListing:
    items: dict[str, SecretProperties] = field(default_factory=dict)  # by name, insertion order
    done: bool = False
    error: ConsoleError | None = None


@dataclass
class Catalog:
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    resource_groups: dict[str, list[ResourceGroup]] = field(default_factory=dict)
    vaults: dict[str, Vault] = field(default_factory=dict)  # by lower-cased id
    logic_apps: dict[str, LogicApp] = field(default_factory=dict)
    identities: dict[str, UserAssignedIdentity] = field(default_factory=dict)
    role_assignments: dict[str, list[RoleAssignment]] = field(default_factory=dict)  # by sub
    vault_roles: dict[str, list[RoleAssignment]] = field(default_factory=dict)  # by vault id
    errors: dict[tuple[str, str], ConsoleError] = field(default_factory=dict)  # (sub, kind)
    secrets: dict[str, SecretListing] = field(default_factory=dict)  # by vault uri
    pinned: dict[str, Vault] = field(default_factory=dict)  # by uri
    directory: dict[str, DirectoryObject] = field(default_factory=dict)  # by lower-cased id
    directory_checked: bool = False
    _inventory: list[PrincipalEntry] | None = None

    def add(self, subscription_id: str, kind: ResourceKind, items: list) -> None:
        if not items:
            return  # a "done" or an error: nothing to merge (and 200 subscriptions send many)
        self._inventory = None
        match kind:
            case ResourceKind.RESOURCE_GROUPS:  # by id: a retried listing may send one again
                known = {g.id.lower(): g for g in self.resource_groups.get(subscription_id, [])}
                known.update({g.id.lower(): g for g in items})
                self.resource_groups[subscription_id] = list(known.values())
            case ResourceKind.VAULTS:
                self.vaults = self._merged(self.vaults, items)
            case ResourceKind.LOGIC_APPS:
                self.logic_apps = self._merged(self.logic_apps, items)
            case ResourceKind.IDENTITIES:
                self.identities = self._merged(self.identities, items)
            case ResourceKind.ROLE_ASSIGNMENTS:
                self.role_assignments.setdefault(subscription_id, []).extend(items)

    def _merged(self, known: dict, items: list) -> dict:
        """*known* with *items*, in subscription order whatever order the answers came in
        (each subscription keeps Azure's order), so what is "first" does not depend on timing."""
        known.update({item.id.lower(): item for item in items})
        rank = {sub: i for i, sub in enumerate(self.subscriptions)}
        subs = [rank.get(item.subscription_id, len(rank)) for item in known.values()]
        if all(a <= b for a, b in zip(subs, subs[1:], strict=False)):
            return known
        order = sorted(range(len(subs)), key=subs.__getitem__)
        pairs = list(known.items())
        return dict(pairs[i] for i in order)

    def of_kind(self, kind: ResourceKind) -> dict:
        """Everything loaded of one of KINDS, by lower-cased id."""
        listed: dict[ResourceKind, dict] = {
            ResourceKind.VAULTS: self.vaults,
            ResourceKind.LOGIC_APPS: self.logic_apps,
            ResourceKind.IDENTITIES: self.identities,
        }
        return listed[kind]

    def in_scope(
        self, kind: ResourceKind, subscription_id: str | None, resource_group: str | None
    ) -> list:
        out = [
            item
            for item in self.of_kind(kind).values()
            if (subscription_id is None or item.subscription_id == subscription_id)
            and (resource_group is None or item.resource_group.lower() == resource_group.lower())
        ]
        return sorted(out, key=lambda i: i.name.lower())

    def principal_ids(self) -> set[str]:
        ids = {p.object_id for v in self.vaults.values() for p in v.access_policies}
        ids |= {r.principal_id for rs in self.role_assignments.values() for r in rs}
        ids |= {r.principal_id for rs in self.vault_roles.values() for r in rs}
        return ids

    def vault_by_uri(self, uri: str) -> Vault | None:
        low = uri.rstrip("/").lower()
        for vault in (*self.vaults.values(), *self.pinned.values()):
            if vault.uri.rstrip("/").lower() == low:
                return vault
        return None

    def vault_uris(self) -> list[str]:
        return [v.uri for v in (*self.vaults.values(), *self.pinned.values())]

    def listing(self, uri: str) -> SecretListing:
        return self.secrets.setdefault(uri.rstrip("/").lower(), SecretListing())

    def inventory(self) -> list[PrincipalEntry]:
        if self._inventory is None:
            from console.inventory import (
                GROUP,
                SERVICE_PRINCIPAL,
                USER,
                KnownPrincipal,
                build_inventory,
            )

            kinds = {
                "user": USER,
                "group": GROUP,
                "service_principal": SERVICE_PRINCIPAL,
                "managed_identity": "Managed identity",
            }
            # Subscriptions, then vaults, in catalog order, not in the order the answers came
            # in: a principal's grants are listed in this order and must not change run to run.
            rank = {sub: i for i, sub in enumerate(self.subscriptions)}
            subs = sorted(self.role_assignments, key=lambda s: rank.get(s, len(rank)))
            roles = [r for sub in subs for r in self.role_assignments[sub]]
            vault_rank = {vault_id: i for i, vault_id in enumerate(self.vaults)}
            vault_ids = sorted(self.vault_roles, key=lambda v: vault_rank.get(v, len(vault_rank)))
            roles += [r for vault_id in vault_ids for r in self.vault_roles[vault_id]]
            unique = {r.id.lower(): r for r in roles}
            known = {
                key: KnownPrincipal(obj.object_id, obj.display_name, kinds.get(obj.kind, obj.kind))
                for key, obj in self.directory.items()
            }
            self._inventory = build_inventory(
                vaults=self.vaults.values(),
                logic_apps=self.logic_apps.values(),
                identities=self.identities.values(),
                role_assignments=unique.values(),
                known=known,
                directory_checked=self.directory_checked,
            )
        return self._inventory

    def principal_label(self, object_id: str) -> tuple[str, str]:
        """(name, kind) for an access list; the id itself when nothing better is known."""
        for entry in self.inventory():
            if entry.object_id.lower() == object_id.lower():
                kind = entry.kind + (" · orphaned" if entry.orphaned else "")
                return entry.display_name or object_id, kind
        return object_id, "Unknown"
