"""Command palette providers: quick lookup over what is loaded, and context-aware commands."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from screens.app_access import kv_app

if TYPE_CHECKING:
    from screens.app import KvConsoleApp


def _lookup_targets(app: KvConsoleApp) -> list[tuple[str, str, str, str]]:
    """(text, help, kind, key) for every vault, secret name and Logic App loaded so far."""
    catalog = app.catalog
    out: list[tuple[str, str, str, str]] = []
    for vault in (*catalog.vaults.values(), *catalog.pinned.values()):
        out.append((vault.name, f"Key Vault · {vault.uri}", "vault", vault.uri))
    for logic_app in catalog.logic_apps.values():
        out.append(
            (logic_app.name, f"Logic App · {logic_app.resource_group}", "logic_app", logic_app.id)
        )
    for uri, listing in catalog.secrets.items():
        owner = catalog.vault_by_uri(uri)
        vault_name = owner.name if owner else uri
        for name in listing.items:
            out.append((f"{name}", f"Secret in {vault_name}", "secret", f"{uri}|{name}"))
    return out


class LookupProvider(Provider):
    """Fuzzy search over every vault, secret name and Logic App loaded so far."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        app = kv_app(self)
        for text, help_, kind, key in _lookup_targets(app):
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(text),
                    partial(app.jump_to, kind, key),
                    text=text,
                    help=help_,
                )

    async def discover(self) -> Hits:
        app = kv_app(self)
        for text, help_, kind, key in _lookup_targets(app)[:200]:
            yield DiscoveryHit(text, partial(app.jump_to, kind, key), text=text, help=help_)


class ContextCommands(Provider):
    """Commands for what is on screen (the focused area and the selected item)."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = kv_app(self)
        screen = self.screen
        out: list[tuple[str, str, Callable[[], Any]]] = [
            ("Quick lookup", "Find a vault, secret or Logic App", app.action_lookup),
            ("Refresh", "Reload everything", app.action_refresh),
            ("Pin a vault by URI", "For vaults you can read but not list", app.action_pin_vault),
            ("Choose subscriptions", "Which subscriptions to show", app.action_subscriptions),
            (
                "Sign-in settings",
                "Default chain, device code, service principal",
                app.action_signin_settings,
            ),
            ("Help", "Keys and what they do", app.action_help),
        ]
        extra = getattr(screen, "context_commands", None)
        if callable(extra):
            out = list(extra()) + out
        return out

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_)

    async def discover(self) -> Hits:
        for name, help_, callback in self._commands():
            yield DiscoveryHit(name, callback, text=name, help=help_)
