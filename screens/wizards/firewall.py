"""Wizard 3: vault firewall — deny by default, allow the Logic App's outgoing addresses, and
never lock this console out without a typed confirmation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from console.errors import ConsoleError, NotFoundError
from console.plans.base import Plan, PlanResult
from console.plans.firewall import FirewallProposal, admin_address_from_error, propose_firewall
from console.validation import parse_ip_rule
from screens.wizards.base import WizardScreen, find_by_id, selected

if TYPE_CHECKING:
    from console.ports import VaultService


async def learn_client_address(service: VaultService, vault_uri: str) -> str | None:
    """This console's public address as Key Vault sees it: the service's hint, else one cheap
    data-plane call (the answer, or its ForbiddenByFirewall refusal, carries it)."""
    if service.client_address_hint:
        return service.client_address_hint
    if not vault_uri:
        return None
    try:
        await service.list_secret_versions(vault_uri, "kvconsole-address-probe")
    except NotFoundError:
        pass
    except ConsoleError as exc:
        return admin_address_from_error(exc) or service.client_address_hint
    return service.client_address_hint


class FirewallWizard(WizardScreen):
    WIZARD_TITLE = "3 · Vault firewall: deny by default, allow the Logic App"

    def compose_steps(self) -> ComposeResult:
        with Vertical(id="step-choose", classes="step"):
            yield Label("Vault")
            yield Select([], prompt="Choose a vault", id="vault")
            yield Static("", id="vault-error", classes="field-error")
            yield Label("Logic App whose outgoing addresses to allow (workflow and connector)")
            yield Select([], prompt="(none: only the addresses you type)", id="la")
            yield Label("Other addresses to allow (IPv4 or CIDR, separated by commas)")
            yield Input(placeholder="e.g. 20.1.2.3, 20.1.4.0/24", id="extra")
            yield Static("", id="extra-error", classes="field-error")
            yield Label("This console's public address (lock-out guard)")
            yield Input(placeholder="learned from Azure when possible; else type it", id="admin")
            yield Static("", id="admin-error", classes="field-error")
            yield Checkbox("Include this console's address, so it keeps access", True, id="guard")
            yield Static(
                "Existing rules, virtual network rules and the trusted-services bypass are kept.",
                classes="hint",
            )
            with Horizontal(classes="buttons"):
                yield Button("Next: preview", id="next", variant="primary")

    def choices_ready(self) -> None:
        vault = self.query_one("#vault", Select)
        vault.set_options(
            (f"{v.name}  ·  default {v.network.default_action}", v.id) for v in self.vaults
        )
        if chosen := find_by_id(self.vaults, self.prefill.get("vault_id")):
            vault.value = chosen.id
        la = self.query_one("#la", Select)
        la.set_options((a.name, a.id) for a in self.logic_apps)
        if app := find_by_id(self.logic_apps, self.prefill.get("logic_app_id")):
            la.value = app.id
        hint = self.ctx.service.client_address_hint
        if hint:
            self.query_one("#admin", Input).value = hint

    def _collect(self) -> tuple[str, str | None, list[str], str | None, bool] | None:
        vault_id = selected(self.query_one("#vault", Select))
        self.field_error("vault", None if vault_id else "Choose the vault.")
        extra_text = self.query_one("#extra", Input).value
        extras = [p.strip() for p in extra_text.replace(";", ",").split(",") if p.strip()]
        errors = [err for e in extras if (err := parse_ip_rule(e)[1])]
        self.field_error("extra", " ".join(errors) or None)
        admin = self.query_one("#admin", Input).value.strip() or None
        admin_error = parse_ip_rule(admin)[1] if admin else None
        self.field_error("admin", admin_error)
        if not vault_id or errors or admin_error:
            return None
        guard = self.query_one("#guard", Checkbox).value
        return vault_id, selected(self.query_one("#la", Select)), extras, admin, guard

    def _factory(
        self, vault_id: str, app_id: str | None, extras: list[str], admin: str | None, guard: bool
    ):
        service = self.ctx.service

        async def make() -> tuple[Plan, Any]:
            vault = await service.get_vault(vault_id)
            app = await service.get_logic_app(app_id) if app_id else None
            address = admin or await learn_client_address(service, vault.uri)
            proposal = propose_firewall(
                vault,
                app,
                extra_addresses=extras,
                admin_address=address,
                include_admin_address=guard and address is not None,
            )
            return proposal.plan, proposal

        return make

    def after_plan(self, plan: Plan, extra: Any) -> str | None:
        proposal: FirewallProposal = extra
        address = proposal.lockout.admin_address
        admin = self.query_one("#admin", Input)
        if address and not admin.value:
            admin.value = address  # learned from Azure: shown, and kept for a re-plan
        if proposal.errors:  # the Logic App's own addresses may be refused too
            self.field_error("extra", "; ".join(f"{t}: {m}" for t, m in proposal.errors))
            self.set_status("Fix the addresses first: nothing was sent.", error=True)
            return "step-choose"
        return None

    async def verify(self, plan: Plan, result: PlanResult, state: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        for snap in state.values():
            net = snap["network"]
            lines.append(
                f"Vault {snap['name']}: default action {net['default_action']}, "
                f"bypass {net['bypass']}"
            )
            lines += [f"  allow {rule}" for rule in net["ip_rules"]] or ["  (no IP rules)"]
        return lines

    async def on_wizard_button(self, event: Button.Pressed) -> None:
        if event.button.id == "next" and (choice := self._collect()) is not None:
            self.start_plan(self._factory(*choice))
