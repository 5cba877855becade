"""Detail panes: a vault (tabs), a Logic App, an identity. They render what they are given."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Static, TabbedContent, TabPane

from console.definition import find_keyvault_actions
from console.errors import ConsoleError
from screens.catalog import Catalog, SecretListing
from screens.text import Plain, day, kv_table, yes_no
from screens.widgets.filter_input import FilterInput
from screens.widgets.virtual_list import Column, Row, VirtualList

if TYPE_CHECKING:
    from console.inventory import PrincipalEntry
    from console.models import LogicApp, RoleAssignment, Vault

# The name is what people scan for: the other columns stay narrow (dates without times here;
# the secret view shows them in full).
SECRET_COLUMNS = [
    Column("Name"),
    Column("On", 3),
    Column("Content type", 12),
    Column("Updated", 10),
    Column("Expires", 10),
]
ACCESS_COLUMNS = [Column("Principal", 24), Column("Kind", 22), Column("Permissions / role")]


def error_text(error: ConsoleError, what: str) -> Plain:
    out = Plain()
    out.append(f"⚠ {error.title}", style="bold red")
    out.append(f" ({what})\n", style="dim")
    out.append(error.message)
    return out


class VaultDetail(Vertical):
    """Tabs of one vault. Secrets fill in progressively; values are never fetched here."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.vault: Vault | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="vault-title", classes="pane-title")
        with TabbedContent(id="vault-tabs"):
            with TabPane("Secrets", id="tab-secrets"):
                yield FilterInput(
                    "#secrets", placeholder="Filter secrets (type to filter)", id="secret-filter"
                )
                yield Static("", id="secrets-status", classes="status")
                yield VirtualList(SECRET_COLUMNS, empty_text="No secrets loaded yet.", id="secrets")
            with TabPane("Access", id="tab-access"):
                yield Static("", id="access-mode", classes="status")
                yield VirtualList(ACCESS_COLUMNS, empty_text="Nobody has access.", id="access")
            with TabPane("Networking", id="tab-network"):
                yield VerticalScroll(Static("", id="network-body"))
            with TabPane("Properties", id="tab-properties"):
                yield VerticalScroll(Static("", id="properties-body"))

    def show(self, vault: Vault, catalog: Catalog) -> None:
        self.vault = vault
        title = Plain(vault.name, style="bold")
        if vault.pinned:
            title.append("  ★ pinned", style="yellow")
        title.append(f"  {vault.uri}", style="dim")
        self.query_one("#vault-title", Static).update(title)
        self.query_one("#secret-filter", Input).value = ""
        self.query_one("#secrets", VirtualList).clear("Loading secrets…")
        self.show_secrets(catalog.listing(vault.uri))
        self.show_access(catalog)
        self.query_one("#network-body", Static).update(self._network(vault))
        self.query_one("#properties-body", Static).update(self._properties(vault))

    def show_secrets(self, listing: SecretListing, new: list | None = None) -> None:
        table = self.query_one("#secrets", VirtualList)
        status = self.query_one("#secrets-status", Static)
        if new is None:
            table.set_rows([self.secret_row(p) for p in listing.items.values()])
        else:
            table.add_rows([self.secret_row(p) for p in new])
        if listing.error is not None:
            status.update(error_text(listing.error, "listing secrets"))
            status.add_class("error")
            table.empty_text = "Secrets could not be listed."
            table.refresh()
        else:
            was_error = status.has_class("error")
            status.remove_class("error")
            n = len(listing.items)
            text = Plain(f"{n} secrets" if listing.done else f"Loading… {n} secrets so far")
            # One line replacing one line: no need to lay out the screen again (~15 ms a batch).
            status.update(text, layout=was_error or new is None)
            if listing.done:
                table.empty_text = "This vault has no secrets."
                table.refresh()

    @staticmethod
    def secret_row(p) -> Row:
        tone = "" if p.enabled else "dim"
        return Row(
            p.name,
            (p.name, yes_no(p.enabled), p.content_type or "", day(p.updated_on), day(p.expires_on)),
            tone,
        )

    def show_access(self, catalog: Catalog) -> None:
        vault = self.vault
        if vault is None:
            return
        mode = self.query_one("#access-mode", Static)
        table = self.query_one("#access", VirtualList)
        rows: list[Row] = []
        if vault.rbac_authorization:
            roles = catalog.vault_roles.get(vault.id.lower())
            mode.update(Plain("RBAC mode: Azure role assignments on this vault and above it."))
            if roles is None:
                table.clear("Loading role assignments…")
                return
            for ra in roles:
                rows.append(self._role_row(ra, catalog))
        else:
            mode.update(Plain("Access policies (this vault does not use RBAC)."))
            for policy in vault.access_policies:
                name, kind = catalog.principal_label(policy.object_id)
                p = policy.permissions
                perms = (
                    "; ".join(
                        f"{k}: {', '.join(v)}"
                        for k, v in (
                            ("secrets", p.secrets),
                            ("keys", p.keys),
                            ("certificates", p.certificates),
                        )
                        if v
                    )
                    or "(none)"
                )
                rows.append(
                    Row(
                        policy.object_id,
                        (name, kind, perms),
                        "warning" if "orphaned" in kind else "",
                    )
                )
        table.set_rows(rows, "Nobody has access.")

    @staticmethod
    def _role_row(ra: RoleAssignment, catalog: Catalog) -> Row:
        name, kind = catalog.principal_label(ra.principal_id)
        if kind == "Unknown":
            kind = ra.principal_type
        scope = ra.scope.rsplit("/", 2)[-1] if "/" in ra.scope else ra.scope
        role = ra.role_name or ra.role_definition_id.rsplit("/", 1)[-1]
        return Row(
            ra.id, (name, kind, f"{role} @ {scope}"), "warning" if "orphaned" in kind else ""
        )

    def show_access_error(self, error: ConsoleError) -> None:
        self.query_one("#access-mode", Static).update(error_text(error, "role assignments"))
        self.query_one("#access", VirtualList).clear("Role assignments could not be listed.")

    @staticmethod
    def _network(vault: Vault) -> Plain:
        n = vault.network
        out = kv_table(
            [
                ("Public network access", vault.public_network_access),
                ("Default action", n.default_action),
                ("Bypass", n.bypass),
            ],
            title="Firewall",
        )
        out.append("\nIP rules\n", style="bold")
        for rule in n.ip_rules or ("(none)",):
            out.append(f"  {rule}\n")
        out.append("\nVirtual network rules\n", style="bold")
        for vnet in n.virtual_network_rules:
            out.append(f"  {vnet.id}\n")
        if not n.virtual_network_rules:
            out.append("  (none)\n")
        if n.default_action.lower() == "deny":
            out.append(
                "\nOnly the addresses above (and trusted services, if bypass allows) get in. "
                "Logic Apps are not a trusted service: their outgoing IPs must be listed.\n",
                style="dim",
            )
        return out

    @staticmethod
    def _properties(vault: Vault) -> Plain:
        return kv_table(
            [
                ("Name", vault.name),
                ("URI", vault.uri),
                ("SKU", vault.sku),
                ("Soft delete", yes_no(vault.soft_delete)),
                ("Retention (days)", str(vault.retention_days)),
                ("Purge protection", yes_no(vault.purge_protection)),
                ("RBAC authorization", yes_no(vault.rbac_authorization)),
                ("Location", vault.location or "—"),
                ("Resource group", vault.resource_group or "—"),
                ("Subscription", vault.subscription_id or "—"),
                ("Tenant", vault.tenant_id or "—"),
                ("Resource id", vault.id or "— (pinned by URI)"),
                *((f"tag {k}", v) for k, v in vault.tags),
            ]
        )


def logic_app_text(app: LogicApp, catalog: Catalog) -> Plain:
    ident = app.identity
    out = Plain()
    out.append(app.name + "\n", style="bold")
    out.append(
        kv_table(
            [
                ("State", app.state),
                ("Resource group", app.resource_group),
                ("Location", app.location),
                ("Changed", app.changed_time or "—"),
            ]
        )
    )
    out.append("\nIdentity\n", style="bold")
    pairs = [("Type", ident.type)]
    if ident.principal_id:
        pairs += [("Principal id", ident.principal_id), ("Tenant id", ident.tenant_id or "—")]
    for ref in ident.user_assigned:
        pairs += [
            ("User-assigned", ref.resource_id.rsplit("/", 1)[-1]),
            ("  principal id", ref.principal_id),
        ]
    out.append(kv_table(pairs))
    if ident.type == "None":
        out.append(
            "No managed identity: it cannot authenticate to Key Vault by itself.\n", style="yellow"
        )
    out.append("\nOutgoing IPs\n", style="bold")
    out.append(
        kv_table(
            [
                ("Workflow", ", ".join(app.workflow_outgoing_ips) or "—"),
                ("Connector", ", ".join(app.connector_outgoing_ips) or "—"),
            ]
        )
    )
    actions = find_keyvault_actions(app.definition, app.parameters, catalog.vault_uris())
    out.append(f"\nKey Vault actions ({len(actions)})\n", style="bold")
    if not actions:
        out.append("  none found in the definition\n", style="dim")
    for action in actions:
        vault = catalog.vault_by_uri(action.vault_uri) if action.vault_uri else None
        out.append(f"  {action.name}", style="bold")
        out.append(f"  [{action.kind}] {action.method} ", style="dim")
        out.append(action.target + "\n")
        if action.kind == "connector":
            out.append(f"    via API connection {action.connection}")
        else:
            out.append(f"    vault: {vault.name if vault else action.vault_uri or 'unknown'}")
        out.append(f"   secret: {action.secret_name or '?'}\n")
        out.append(f"    auth: {action.auth_type}")
        if action.audience:
            out.append(f" (audience {action.audience})")
        out.append("\n    ")
        for label, on in (
            ("Secure inputs", action.secure_inputs),
            ("Secure outputs", action.secure_outputs),
        ):
            out.append(f"{label}: ")
            out.append("on" if on else "OFF", style="green" if on else "bold red")
            out.append("   ")
        out.append("\n")
    if ident.principal_id:
        entry = next(
            (e for e in catalog.inventory() if e.object_id.lower() == ident.principal_id.lower()),
            None,
        )
        out.append("\nCan reach\n", style="bold")
        out.append(grants_text(entry))
    return out


def grants_text(entry: PrincipalEntry | None) -> Plain:
    out = Plain()
    if entry is None or not entry.grants:
        out.append("  no vault grants found\n", style="dim")
        return out
    for grant in entry.grants:
        out.append(f"  {grant.vault_name}", style="bold")
        out.append(f"  {grant.via}: ", style="dim")
        out.append(grant.detail + "\n")
    return out


def identity_text(entry: PrincipalEntry) -> Plain:
    out = Plain()
    out.append(entry.label + "\n", style="bold")
    if entry.orphaned:
        out.append(
            "⚠ Orphaned: named in a grant but not found as a Logic App identity, a user-assigned "
            "identity or a known principal. It was probably deleted; its grants can go.\n",
            style="bold yellow",
        )
    out.append(
        kv_table(
            [
                ("Kind", entry.kind),
                ("Object id", entry.object_id),
                ("Seen in", ", ".join(entry.sources) or "—"),
            ]
        )
    )
    out.append("\nCan reach\n", style="bold")
    out.append(grants_text(entry))
    return out
