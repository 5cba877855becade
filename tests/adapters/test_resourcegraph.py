"""Vaults and Logic Apps across subscriptions with one Resource Graph query (real SDK, emulator)."""

from __future__ import annotations

import pytest
from adapter_world import SUB, SUB2, World, connect

from console.azure import resourcegraph
from console.service import AzureService
from emulator import factories as f
from emulator.server import Emulator


async def _per_subscription(service: AzureService, subs: list[str]) -> tuple[list, list]:
    vaults = [v for sub in subs for v in await service.list_vaults(sub)]
    apps = [a for sub in subs for a in await service.list_logic_apps(sub)]
    return vaults, apps


def _by_id(items: list) -> list:
    return sorted(items, key=lambda i: i.id.lower())


async def test_resource_graph_equals_the_per_subscription_listing(service: AzureService) -> None:
    vaults, apps = await service.list_inventory_via_resource_graph([SUB, SUB2])
    expected_vaults, expected_apps = await _per_subscription(service, [SUB, SUB2])
    assert {v.name for v in vaults} == {
        "kv-open",
        "kv-locked",
        "kv-rbac",
        "kv-guarded",
        "kv-sandbox",
    }
    # The same models field by field: access policies, firewall, vaultUri, identities, definitions.
    assert _by_id(vaults) == _by_id(expected_vaults)
    assert _by_id(apps) == _by_id(expected_apps)
    assert [v.name for v in vaults] == sorted(v.name for v in vaults)  # the query's name order
    assert [a.name for a in apps] == ["la-none", "la-system", "la-user"]


async def test_pages_follow_the_skip_token(
    service: AzureService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resourcegraph, "ROWS_PER_PAGE", 3)
    pages = [page async for page in service.iter_inventory_pages([SUB, SUB2])]
    assert [len(p.vaults) + len(p.logic_apps) for p in pages] == [3, 3, 2]
    names = [x.name for p in pages for x in (*p.vaults, *p.logic_apps)]
    assert names == sorted(names) and len(set(names)) == 8  # no row twice, none lost


async def test_subscriptions_are_queried_in_batches(
    service: AzureService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resourcegraph, "SUBSCRIPTIONS_PER_QUERY", 1)
    vaults, apps = await service.list_inventory_via_resource_graph([SUB, SUB2, SUB])
    expected_vaults, expected_apps = await _per_subscription(service, [SUB, SUB2])
    assert _by_id(vaults) == _by_id(expected_vaults)
    assert _by_id(apps) == _by_id(expected_apps)


async def test_only_what_the_caller_may_read(emu: Emulator, world: World) -> None:
    # The reader holds Reader on SUB only: SUB2's vault is not returned (and no error).
    async with AzureService(connect(emu, world, "reader")) as reader:
        vaults, apps = await reader.list_inventory_via_resource_graph([SUB, SUB2])
    assert "kv-sandbox" not in {v.name for v in vaults}
    assert {v.subscription_id for v in vaults} == {SUB}
    assert len(apps) == 3


async def test_new_resources_show_up(service: AzureService, emu: Emulator) -> None:
    f.add_workflow(emu.state, SUB2, "rg-sandbox", "la-fresh")
    _, apps = await service.list_inventory_via_resource_graph([SUB2])
    assert [a.name for a in apps] == ["la-fresh"]
    assert apps[0].subscription_id == SUB2 and apps[0].resource_group == "rg-sandbox"


async def test_the_emulator_answers_kql_filters_and_refuses_what_it_cannot_parse(
    service: AzureService,
) -> None:
    from azure.core.exceptions import HttpResponseError
    from azure.mgmt.resourcegraph.models import QueryRequest

    client = resourcegraph._client(service.connection)
    response = await client.resources(
        QueryRequest(
            subscriptions=[SUB, SUB2],
            query="Resources | where type =~ 'Microsoft.KeyVault/vaults' "
            "| where resourceGroup in~ ('RG-APP') | project name, resourceGroup | order by name",
        )
    )
    # KQL sorts descending unless told otherwise; resourceGroup is lower-cased by Resource Graph.
    assert response.data == [
        {"name": "kv-rbac", "resourceGroup": "rg-app"},
        {"name": "kv-open", "resourceGroup": "rg-app"},
        {"name": "kv-locked", "resourceGroup": "rg-app"},
    ]
    assert response.total_records == 3 and response.skip_token is None
    with pytest.raises(HttpResponseError) as info:
        await client.resources(QueryRequest(subscriptions=[SUB], query="Resources | summarize"))
    assert info.value.status_code == 400 and "Query is invalid" in str(info.value)


async def test_resource_graph_lists_the_identities_as_each_subscription_does(
    service: AzureService,
) -> None:
    found = [i async for page in service.iter_inventory_pages([SUB, SUB2]) for i in page.identities]
    expected = [i for sub in (SUB, SUB2) for i in await service.list_user_assigned_identities(sub)]
    assert found and _by_id(found) == _by_id(expected)
    assert all(i.principal_id and i.client_id for i in found)


async def test_resource_graph_lists_the_resource_groups_as_each_subscription_does(
    service: AzureService,
) -> None:
    found = [g async for page in service.iter_resource_group_pages([SUB, SUB2]) for g in page]
    expected = [g for sub in (SUB, SUB2) for g in await service.list_resource_groups(sub)]
    assert len(found) >= 3 and _by_id(found) == _by_id(expected)
    assert [g.name for g in found] == sorted(g.name for g in found)  # the query's name order
