"""Reading the demo tenant through the service, as the console does."""

from __future__ import annotations

from console.models import LogicApp, Vault
from console.service import AzureService


async def loaded(service: AzureService) -> tuple[list[Vault], dict[str, LogicApp]]:
    """Every vault, and every Logic App by name."""
    vaults: list[Vault] = []
    apps: dict[str, LogicApp] = {}
    for sub in await service.list_subscriptions():
        vaults += await service.list_vaults(sub.subscription_id)
        apps |= {a.name: a for a in await service.list_logic_apps(sub.subscription_id)}
    return vaults, apps


async def app_id(service: AzureService, name: str) -> str:
    return (await loaded(service))[1][name].id
