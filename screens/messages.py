"""Messages workers post to the UI. Workers never touch widgets; handlers own the state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

from console.errors import ConsoleError
from console.kinds import ResourceKind

if TYPE_CHECKING:
    from console.models import (
        DirectoryObject,
        RoleAssignment,
        SecretProperties,
        SignedIn,
        Subscription,
    )
    from console.ports import VaultService


class ForMainScreen(Message):
    """What a loading worker tells the main screen: handled there, not queued again at the app
    (a large tenant sends thousands)."""

    bubble = False


class Connected(Message):
    """Signed in: the service (console.service.AzureService) and what it can see."""

    def __init__(
        self, service: VaultService, subscriptions: list[Subscription], who: SignedIn | None
    ) -> None:
        super().__init__()
        self.service = service
        self.subscriptions = subscriptions
        self.who = who


class SignInProblem(Message):
    """Could not sign in or see anything: say what is wrong and how to fix it."""

    def __init__(self, problem: str, error: ConsoleError | None = None) -> None:
        super().__init__()
        self.problem = problem
        self.error = error


class KindLoaded(ForMainScreen):
    """One kind of resource of one subscription arrived (or failed: ``error`` set)."""

    def __init__(
        self,
        subscription_id: str,
        kind: ResourceKind,
        items: list[Any],
        error: ConsoleError | None = None,
        done: bool = True,
    ) -> None:
        super().__init__()
        self.subscription_id = subscription_id
        self.kind = kind
        self.items = items
        self.error = error
        self.done = done


class SecretsPage(ForMainScreen):
    """A page of secret metadata of one vault (``error`` set when the vault refused)."""

    def __init__(
        self,
        vault_uri: str,
        items: list[SecretProperties],
        *,
        done: bool,
        error: ConsoleError | None = None,
        background: bool = False,
    ) -> None:
        super().__init__()
        self.vault_uri = vault_uri
        self.items = items
        self.done = done
        self.error = error
        self.background = background


class VaultRolesLoaded(ForMainScreen):
    def __init__(
        self, vault_id: str, items: list[RoleAssignment], error: ConsoleError | None = None
    ) -> None:
        super().__init__()
        self.vault_id = vault_id
        self.items = items
        self.error = error


class DirectoryResolved(ForMainScreen):
    def __init__(
        self, objects: dict[str, DirectoryObject], error: ConsoleError | None = None
    ) -> None:
        super().__init__()
        self.objects = objects
        self.error = error
