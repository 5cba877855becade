"""A principal's grants are listed in catalog order, whatever order the subscriptions' role
assignments arrived in (the cause of a flaky principals snapshot: workers finish in any order)."""

from __future__ import annotations

from dataclasses import replace

from tests.tui.helpers import loaded


async def test_grants_do_not_depend_on_arrival_order(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test() as pilot:
        await loaded(pilot)
        catalog = app.catalog
        assert len(catalog.role_assignments) > 1, "the demo tenant has several subscriptions"
        arrived_reversed = dict(reversed(list(catalog.role_assignments.items())))
        other = replace(catalog, role_assignments=arrived_reversed, _inventory=None)
        grants = {e.object_id: e.grants for e in catalog.inventory()}
        assert any(len(g) > 1 for g in grants.values())
        assert {e.object_id: e.grants for e in other.inventory()} == grants
