"""A head of unit decides the month's whole board in one request, over real HTTP."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.runtime import Runtime
from services.settings import Settings
from tests.conftest import OpenedMonthFactory, TenantFactory
from tests.e2e.conftest import events_in
from tests.support.gql import data, error_code, gql, nodes, token_for
from tests.support.operations import operation
from tests.support.org import Org

pytestmark = pytest.mark.e2e

BOARD = operation("DecideRatings")
READ = operation("UnitBoard")
MAY = {"year": 2026, "month": 5}


def _lines(org: Org, levels: str) -> list[dict[str, object]]:
    scores = {"A": 95, "B": 82, "C": 60, "D": 40}
    return [{"staffId": str(person), "level": level, "score": scores[level]}
            for person, level in zip(org.members, levels, strict=False)]


async def test_the_leader_decides_the_whole_board_and_the_dashboard_shows_it(
    http: httpx.AsyncClient, settings: Settings, opened_month: OpenedMonthFactory,
) -> None:
    month = await opened_month(members=6, **MAY)
    tenant, org, hr, period = month.tenant, month.org, month.hr, month.period
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader", "staff")
    decided = data(await gql(http, leader, BOARD, {"period": period,
                                                   "lines": _lines(org, "ABBBBC")}))
    assert decided["decideRatings"]["id"] == period
    at = decided["decideRatings"]["position"]
    board = data(await gql(http, hr, READ, {"unit": str(org.unit), **MAY, "at": at}))
    levels = {r["staffId"]: r["level"] for r in nodes(board["unitRatings"]) if r["level"]}
    assert levels == {str(m): lv for m, lv in zip(org.members, "ABBBBC", strict=True)}
    assert board["period"]["decidedCount"] == 6
    assert all(r["decidedBy"] == str(org.leader) for r in nodes(board["unitRatings"]) if r["level"])


async def test_a_refused_line_is_named_and_nothing_is_written(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime,
    opened_month: OpenedMonthFactory,
) -> None:
    month = await opened_month(members=6, **MAY)  # 7 people to rate: at most 2 "excellent"
    tenant, org, period = month.tenant, month.org, month.period
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader", "staff")
    before = await events_in(runtime, tenant)
    body = await gql(http, leader, BOARD, {"period": period, "lines": _lines(org, "BAAAB")})
    assert error_code(body) == "QUOTA_EXCEEDED"
    error = body["errors"][0]
    assert error["extensions"]["line"] == 4
    assert error["extensions"]["staffId"] == str(org.members[3])
    assert error["message"].startswith("Dòng 4 (Lê Văn Thành Viên 03): ")
    assert error["extensions"]["messageEn"].startswith("Line 4 (Lê Văn Thành Viên 03): ")
    assert await events_in(runtime, tenant) == before


async def test_a_board_is_refused_to_other_roles_tenants_and_oversized_lists(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, new_tenant: TenantFactory,
    opened_month: OpenedMonthFactory,
) -> None:
    month = await opened_month(members=3, **MAY)
    tenant, org, hr, period = month.tenant, month.org, month.hr, month.period
    other = await new_tenant()
    lines = _lines(org, "BBB")
    staff = token_for(settings, tenant.slug, org.members[0], "staff")
    stranger = token_for(settings, other.slug, org.leader, "unit_leader", "staff")
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader", "staff")
    before = await events_in(runtime, tenant)
    assert error_code(await gql(http, staff, BOARD, {"period": period, "lines": lines})) \
        == "FORBIDDEN"
    assert error_code(await gql(http, hr, BOARD, {"period": period, "lines": lines})) \
        == "FORBIDDEN"
    # Another tenant's leader with this tenant's period id: it does not exist for them.
    assert error_code(await gql(http, stranger, BOARD, {"period": period, "lines": lines})) \
        == "NOT_FOUND"
    many = [{"staffId": str(uuid.uuid4()), "level": "B", "score": 80}] * 501
    assert error_code(await gql(http, leader, BOARD, {"period": period, "lines": many})) \
        == "INVALID_INPUT"
    assert await events_in(runtime, tenant) == before
