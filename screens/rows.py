"""What the list pane shows for a navigation node: columns, rows, title, errors. Pure functions
of the catalog (no widget is touched), so they can be tested and timed on their own."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from rich.text import Text

from console.kinds import ResourceKind
from screens.catalog import KIND_TITLES, Catalog
from screens.widgets.details import error_text
from screens.widgets.nav import NodeRef
from screens.widgets.virtual_list import Column, Row

if TYPE_CHECKING:
    from console.models import LogicApp, Vault

VAULTS, LOGIC_APPS, IDENTITIES = (
    ResourceKind.VAULTS,
    ResourceKind.LOGIC_APPS,
    ResourceKind.IDENTITIES,
)
COLUMNS = {
    "vaults": [Column("Name"), Column("Access", 8), Column("Firewall", 8), Column("Secrets", 10)],
    "logic_apps": [Column("Name"), Column("State", 8), Column("Identity", 14), Column("KV", 3)],
    "identities": [Column("Name"), Column("Kind", 20), Column("Grants", 6)],
    "principals": [Column("Name"), Column("Kind", 20), Column("Grants", 6)],
}
COLUMNS["pinned"] = COLUMNS["vaults"]
SCOPED_BY_GROUP = ("vaults", "logic_apps", "identities", "rg")  # nodes listing one group's
# The kinds whose load errors a list shows (the principals are found in all of them).
ERROR_KINDS: dict[str, tuple[ResourceKind, ...]] = {
    "vaults": (VAULTS,),
    "logic_apps": (LOGIC_APPS,),
    "identities": (IDENTITIES, LOGIC_APPS),
    "principals": (IDENTITIES, LOGIC_APPS, ResourceKind.ROLE_ASSIGNMENTS, VAULTS),
}


def columns_for(ref: NodeRef) -> list[Column]:
    return COLUMNS[ref.list_kind if ref.list_kind in COLUMNS else "vaults"]


def items_for(catalog: Catalog, ref: NodeRef) -> tuple[list[Row], str]:
    """The rows of the list under *ref*, and the list's title."""
    kind = ref.list_kind
    rg = ref.resource_group if ref.kind in SCOPED_BY_GROUP else None
    if kind == "pinned":
        return pinned_rows(catalog, ref.uri), "Pinned vaults"
    if kind == VAULTS:
        vaults = catalog.in_scope(VAULTS, ref.subscription_id, rg)
        return [vault_row(catalog, v) for v in vaults], "Key Vaults"
    if kind == LOGIC_APPS:
        logic_apps = catalog.in_scope(LOGIC_APPS, ref.subscription_id, rg)
        return [logic_app_row(catalog, a) for a in logic_apps], "Logic Apps"
    if kind == IDENTITIES:
        return principal_rows(catalog, identity_ids(catalog, ref.subscription_id, rg)), "Identities"
    return principal_rows(catalog, None), "Principals (everyone seen in this tenant)"


def pinned_rows(catalog: Catalog, uri: str | None) -> list[Row]:
    """The pinned vaults (*uri*: only that one)."""
    return [vault_row(catalog, v) for u, v in catalog.pinned.items() if uri in (None, u)]


def identity_ids(catalog: Catalog, subscription_id: str | None, rg: str | None) -> set[str]:
    """Principal ids (lower-case) of the identities in scope: user-assigned, and Logic Apps'."""
    ids = {i.principal_id.lower() for i in catalog.in_scope(IDENTITIES, subscription_id, rg)}
    ids |= {
        a.identity.principal_id.lower()
        for a in catalog.in_scope(LOGIC_APPS, subscription_id, rg)
        if a.identity.principal_id
    }
    return ids


def principal_rows(catalog: Catalog, only: set[str] | None) -> list[Row]:
    """A row per principal seen (*only*: those of these lower-cased ids); orphaned ones warn."""
    return [
        Row(
            e.object_id,
            (e.label, e.kind + (" · orphaned" if e.orphaned else ""), str(len(e.grants))),
            "warning" if e.orphaned else "",
        )
        for e in catalog.inventory()
        if only is None or e.object_id.lower() in only
    ]


def vault_row(catalog: Catalog, vault: Vault) -> Row:
    listing = catalog.secrets.get(vault.uri.rstrip("/").lower())
    if listing is None:
        secrets, tone = "…", ""
    elif listing.error is not None:
        secrets, tone = f"⚠ {listing.error.title}", "error"
    else:
        n = len(listing.items)
        secrets, tone = (str(n) if listing.done else f"{n}+"), ""
    access = "RBAC" if vault.rbac_authorization else "policies"
    firewall = "—" if vault.pinned else vault.network.default_action
    return Row(vault.uri, (vault.name, access, firewall, secrets), tone)


def logic_app_row(catalog: Catalog, logic_app: LogicApp) -> Row:
    from console.definition import find_keyvault_actions

    actions = find_keyvault_actions(
        logic_app.definition, logic_app.parameters, catalog.vault_uris()
    )
    cells = (logic_app.name, logic_app.state, logic_app.identity.type, str(len(actions)))
    return Row(logic_app.id, cells)


def scope_label(catalog: Catalog, ref: NodeRef) -> str:
    parts = []
    if ref.subscription_id and ref.subscription_id in catalog.subscriptions:
        parts.append(catalog.subscriptions[ref.subscription_id].display_name)
    if ref.resource_group:
        parts.append(ref.resource_group)
    return " / ".join(parts)


def is_loading(pending: Collection[tuple[str, str]], ref: NodeRef) -> bool:
    return any(
        ref.subscription_id in (None, s) and k in (ref.list_kind, ResourceKind.ROLE_ASSIGNMENTS)
        for s, k in pending
    )


def errors_text(catalog: Catalog, ref: NodeRef) -> Text | None:
    """What could not be loaded for the list under *ref*; None when everything was."""
    kinds = ERROR_KINDS.get(ref.list_kind, ())
    errors = [
        (s, k, e)
        for (s, k), e in catalog.errors.items()
        if k in kinds and ref.subscription_id in (None, s)
    ]
    if not errors:
        return None
    text = Text()
    for sub, kind, error in errors:
        name = catalog.subscriptions.get(sub)
        what = f"{KIND_TITLES.get(kind, kind)} in {name.display_name if name else sub}"
        text.append_text(error_text(error, what))
        text.append("\n")
    return text
