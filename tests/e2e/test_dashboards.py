"""Dashboards over real HTTP: boards, timelines, trends, paging, filters and refusals."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from services.platform.tenants import Tenant
from services.settings import Settings
from tests.e2e.conftest import Staffing
from tests.e2e.test_rating_workflow import DECIDE, OPEN, SELF
from tests.support.gql import data, error_code, gql, token_for
from tests.support.operations import operation
from tests.support.org import Org
from tests.support.paging import MAX_PAGES, next_cursor, too_many_pages

pytestmark = pytest.mark.e2e

BOARD = operation("UnitMonthBoard")
BOARDS = operation("TenantBoards")
TIMELINE = operation("PersonTimeline")
TREND = operation("Trend")


async def _month(http: httpx.AsyncClient, settings: Settings, tenant: Tenant, org: Org,
                 month: int, levels: list[str]) -> int:
    """Open a month, let everyone self-assess, decide ``levels`` for the first members."""
    hr = token_for(settings, tenant.slug, org.hr, "hr_officer")
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader", "staff")
    period = data(await gql(http, hr, OPEN, {"unit": str(org.unit), "year": 2026,
                                             "month": month}))["openPeriod"]["id"]
    position = 0
    for staff in org.members:
        me = token_for(settings, tenant.slug, staff, "staff")
        data(await gql(http, me, SELF, {"period": period, "score": 85}))
    score = {"A": 95, "B": 85, "C": 60, "D": 30}
    for staff, level in zip(org.members, levels, strict=False):
        result = data(await gql(http, leader, DECIDE, {
            "period": period, "staff": str(staff), "level": level, "score": score[level],
            "reasons": "Theo kết quả thực hiện nhiệm vụ."}))
        position = result["decideRating"]["position"]
    return position


async def test_unit_month_board_shows_quota_completion_distribution_and_pages_of_people(
    http: httpx.AsyncClient, settings: Settings, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=7)
    at = await _month(http, settings, tenant, org, 3, ["A", "B", "B", "C"])
    variables: dict[str, Any] = {"unit": str(org.unit), "year": 2026, "month": 3, "at": at,
                                 "first": 3}
    board = data(await gql(http, hr, BOARD, variables))["unitBoard"]
    assert board["unit"]["name"] == "Ủy ban Mặt trận Tổ quốc"
    assert board["quota"] == {"cap": 2, "used": 1, "available": 1}  # 30% of 8 people
    done = board["completion"]
    assert (done["members"], done["selfAssessed"], done["decided"]) == (8, 7, 4)
    # March 2026's deadline (5 April) is past: everything was late, the rest is overdue.
    assert (done["lateSelfAssessed"], done["lateDecided"]) == (7, 4)
    assert (done["overdueSelfAssessments"], done["overdueDecisions"]) == (1, 4)
    assert {d["level"]: (d["count"], d["share"]) for d in board["distribution"]} == {
        "A": (1, 0.25), "B": (2, 0.5), "C": (1, 0.25), "D": (0, 0.0)}
    groups = {g["peerGroup"]: g for g in board["byPeerGroup"]}
    assert (groups["Chuyên viên"]["members"], groups["Chuyên viên"]["decided"]) == (7, 4)
    assert groups["Chủ tịch MTTQ"]["members"] == 1

    # Every person exactly once, page by page, in name order.
    seen: list[str] = []
    after = None
    for _ in range(MAX_PAGES):
        page = data(await gql(http, hr, BOARD, {**variables, "after": after}))
        members = page["unitBoard"]["members"]
        seen += [e["node"]["staffId"] for e in members["edges"]]
        if (after := next_cursor(members["pageInfo"], after)) is None:
            break
    else:
        raise too_many_pages()
    assert sorted(seen) == sorted(map(str, [org.leader, *org.members]))
    assert len(seen) == 8

    # Filters: one level, one staff type.
    only_b = data(await gql(http, hr, BOARD, {**variables, "first": 50,
                                              "filter": {"level": "B"}}))["unitBoard"]
    assert [e["node"]["level"] for e in only_b["members"]["edges"]] == ["B", "B"]
    cadres = data(await gql(http, hr, BOARD, {**variables, "first": 50,
                                              "filter": {"staffType": "cadre"}}))["unitBoard"]
    assert [e["node"]["staffId"] for e in cadres["members"]["edges"]] == [str(org.leader)]
    assert sum(d["count"] for d in cadres["distribution"]) == 0


async def test_timeline_and_trends_month_over_month(
    http: httpx.AsyncClient, settings: Settings, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=4)
    await _month(http, settings, tenant, org, 1, ["B", "B"])
    at = await _month(http, settings, tenant, org, 2, ["A", "B", "C"])
    trend = data(await gql(http, hr, TREND, {"unit": str(org.unit), "at": at}))["trend"]
    points = [(n["node"]["month"], n["node"]["decided"],
               [lv["count"] for lv in n["node"]["levels"]]) for n in trend["edges"]]
    assert points == [(1, 2, [0, 2, 0, 0]), (2, 3, [1, 1, 1, 0])]
    whole = data(await gql(http, hr, TREND, {"from": {"year": 2026, "month": 2},
                                             "at": at}))["trend"]
    assert [(n["node"]["month"], n["node"]["units"]) for n in whole["edges"]] == [(2, 1)]

    me = token_for(settings, tenant.slug, org.members[0], "staff")
    mine = data(await gql(http, me, TIMELINE, {"staff": str(org.members[0]), "at": at}))
    entries = [(e["node"]["month"], e["node"]["entry"], e["node"]["level"])
               for e in mine["personTimeline"]["edges"]]
    assert entries == [(1, "opened", None), (1, "self_assessed", "B"), (1, "decided", "B"),
                       (2, "opened", None), (2, "self_assessed", "B"), (2, "decided", "A")]
    # Someone else's timeline needs a reader's role.
    other = await gql(http, me, TIMELINE, {"staff": str(org.members[1])})
    assert error_code(other) == "FORBIDDEN"


async def test_dashboard_refusals_are_clear_and_typed(
    http: httpx.AsyncClient, settings: Settings, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=2)
    staff = token_for(settings, tenant.slug, org.members[0], "staff")
    assert error_code(await gql(http, staff, BOARDS, {})) == "FORBIDDEN"
    assert error_code(await gql(http, None, BOARDS, {})) == "UNAUTHENTICATED"
    bad = await gql(http, hr, BOARDS, {"after": "bm90LWEtY3Vyc29y"})
    assert error_code(bad) == "INVALID_CURSOR"
    assert "trang đầu" in bad["errors"][0]["message"]
    assert error_code(await gql(http, hr, BOARDS, {"first": 0})) == "INVALID_INPUT"
    # A cursor from another list is refused, not reinterpreted.
    trend = data(await gql(http, hr, TREND, {}))["trend"]
    assert trend["edges"] == []
    timeline_cursor = "WyJ0cmVuZCIsMjAyNjAxXQ"  # a trend cursor
    assert error_code(await gql(http, hr, BOARDS, {"after": timeline_cursor})) == \
        "INVALID_CURSOR"
    month = await gql(http, hr, BOARDS, {"filter": {"fromMonth": {"year": 2026, "month": 13}}})
    assert error_code(month) == "INVALID_INPUT"


async def test_boards_pagination_is_stable_under_concurrent_inserts(
    http: httpx.AsyncClient, staffed: Staffing,
) -> None:
    _tenant, org, hr = await staffed(members=1)
    at = 0
    for month in (2, 4, 6, 8, 10):
        opened = data(await gql(http, hr, OPEN, {"unit": str(org.unit), "year": 2026,
                                                 "month": month}))
        at = opened["openPeriod"]["position"]
    before = {2, 4, 6, 8, 10}

    async def insert_meanwhile() -> None:
        for month in (1, 3, 5, 7, 9, 11, 12):
            await gql(http, hr, OPEN, {"unit": str(org.unit), "year": 2026, "month": month})

    writer = asyncio.create_task(insert_meanwhile())
    seen: list[int] = []
    after = None
    for _ in range(MAX_PAGES):
        page = data(await gql(http, hr, BOARDS, {"first": 2, "after": after, "at": at}))
        seen += [e["node"]["month"] for e in page["boards"]["edges"]]
        if (after := next_cursor(page["boards"]["pageInfo"], after)) is None:
            break
        await asyncio.sleep(0.02)
    else:
        raise too_many_pages()
    await writer
    assert len(seen) == len(set(seen)), f"a board was shown twice: {seen}"
    assert before <= set(seen), f"a board present from the start was skipped: {seen}"
    assert seen == sorted(seen)
