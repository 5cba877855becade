"""Guided wizards: plan → preview → apply → verify → journal → undo.

``open_wizard(app, name, **prefill)`` is the one entry point for the main screen and for the
access check's Fix key. Names (``console.diagnosis.Check.fix`` values work as they are):

=================  ==========================================  =================================
name               wizard                                      prefill keys
=================  ==========================================  =================================
enable_identity    1 turn on a Logic App's managed identity    logic_app_id
grant              2 least-privilege grant, then review        logic_app_id | principal_id,
                                                               vault_id, secret_name, preset
firewall           3 deny by default + the app's addresses     vault_id, logic_app_id
secret             4 secret editor                             vault_id, secret_name, mode
setup              5 first-time setup (1 → 2 → 3 + secret)     logic_app_id, vault_id, secret_name
=================  ==========================================  =================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from screens.wizards.base import WizardContext, WizardScreen

if TYPE_CHECKING:
    from textual.app import App

ALIASES = {"identity": "enable_identity", "secret_editor": "secret", "definition": None}
NAMES = ("enable_identity", "grant", "firewall", "secret", "setup")


def build_wizard(ctx: WizardContext, name: str, **prefill: Any) -> WizardScreen:
    """The wizard screen for *name* (see the table above)."""
    key = ALIASES.get(name, name)
    if key == "enable_identity":
        from screens.wizards.identity import IdentityWizard

        return IdentityWizard(ctx, **prefill)
    if key == "grant":
        from screens.wizards.grant import GrantWizard

        return GrantWizard(ctx, **prefill)
    if key == "firewall":
        from screens.wizards.firewall import FirewallWizard

        return FirewallWizard(ctx, **prefill)
    if key == "secret":
        from screens.wizards.secret_editor import SecretEditorWizard

        return SecretEditorWizard(ctx, **prefill)
    if key == "setup":
        from screens.wizards.setup import SetupWizard

        return SetupWizard(ctx, **prefill)
    raise ValueError(f"no wizard named {name!r} (one of {', '.join(NAMES)})")


def open_wizard(app: App[object], name: str, **prefill: Any) -> None:
    """Push wizard *name* on *app* (which provides ``service``, ``who`` and ``catalog``)."""
    if ALIASES.get(name, name) is None:
        app.notify("This fix is made in the workflow definition, not by a wizard.")
        return
    ctx = WizardContext.from_app(app)
    if ctx is None:
        app.notify("Not signed in yet: the wizards need a connection.", severity="warning")
        return
    if ctx.read_only:
        app.notify(
            "Read-only mode: you can prepare and preview a plan, but applying it is refused.",
            severity="warning",
        )
    app.push_screen(build_wizard(ctx, name, **prefill))


__all__ = ["NAMES", "WizardContext", "WizardScreen", "build_wizard", "open_wizard"]
