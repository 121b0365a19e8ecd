"""A token for tenant X can neither read nor write tenant Y, even with Y's ids."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest

from projections.runner import head_position
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.conftest import Staffing, events_in
from tests.e2e.test_rating_workflow import BOARD, DECIDE, HISTORY, MARCH, OPEN, SELF
from tests.support.gql import data, error_code, gql, nodes, token_for
from tests.support.org import Org

pytestmark = pytest.mark.e2e


async def test_other_tenants_ids_name_nothing(
    runtime: Runtime, settings: Settings, http: httpx.AsyncClient, staffed: Staffing,
) -> None:
    x, org_x, _ = await staffed(members=2)
    y, org_y, hr_y = await staffed(members=2)
    period_y = data(await gql(http, hr_y, OPEN, {"unit": str(org_y.unit), **MARCH}))["openPeriod"]
    # X's officers, leader and staff, with Y's ids:
    hr_x = token_for(settings, x.slug, org_y.hr, "hr_officer", "unit_leader", "auditor")
    before = await events_in(runtime, y)
    opened_by_x = await gql(http, hr_x, OPEN, {"unit": str(org_y.unit), **MARCH})
    assert error_code(opened_by_x) == "NOT_FOUND"
    leader_x = token_for(settings, x.slug, org_y.leader, "unit_leader")
    assert error_code(await gql(http, leader_x, DECIDE, {
        "period": period_y["id"], "staff": str(org_y.members[0]), "level": "B", "score": 80,
        "reasons": ""})) == "NOT_FOUND"
    staff_x = token_for(settings, x.slug, org_y.members[0], "staff")
    assert error_code(await gql(http, staff_x, SELF, {"period": period_y["id"],
                                                      "score": 80})) == "NOT_FOUND"
    board = data(await gql(http, hr_x, BOARD, {"unit": str(org_y.unit), **MARCH,
                                               "at": period_y["position"] and None}))
    assert nodes(board["unitRatings"]) == []
    history = data(await gql(http, hr_x, HISTORY, {"staff": str(org_y.members[0])}))
    assert nodes(history["ratingHistory"]) == []
    async with runtime.pool.acquire() as conn:
        head_x = await head_position(conn, x.schema)
    units = data(await gql(http, hr_x, "query($at: Int) { units(atLeast: $at) { "
                           "edges { node { id } } } }", {"at": head_x}))["units"]["edges"]
    assert {u["node"]["id"] for u in units} == {str(org_x.root), str(org_x.unit)}
    assert await events_in(runtime, y) == before


async def test_same_ids_in_two_tenants_stay_apart(
    settings: Settings, http: httpx.AsyncClient,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    shared_ids: dict[str, uuid.UUID] = {}
    x, y = await new_tenant(), await new_tenant()
    org_x = await org_in(x, members=2, ids=shared_ids)
    await org_in(y, members=2, ids=shared_ids)
    hr_x = token_for(settings, x.slug, org_x.hr, "hr_officer")
    opened = data(await gql(http, hr_x, OPEN, {"unit": str(org_x.unit), **MARCH}))["openPeriod"]
    hr_y = token_for(settings, y.slug, org_x.hr, "hr_officer")
    board_y = data(await gql(http, hr_y, BOARD, {"unit": str(org_x.unit), **MARCH}))
    # X opened March; Y, with the very same unit id, did not.
    assert nodes(board_y["unitRatings"]) == []
    board_x = data(await gql(http, hr_x, BOARD, {"unit": str(org_x.unit), **MARCH,
                                                 "at": opened["position"]}))["unitRatings"]["edges"]
    assert len(board_x) == 3
