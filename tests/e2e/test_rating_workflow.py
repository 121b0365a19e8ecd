"""A ward rates its staff, end to end, over real HTTP with real tokens."""

from __future__ import annotations

import httpx
import pytest

from services.settings import Settings
from tests.conftest import OpenedMonthFactory
from tests.e2e.conftest import Staffing
from tests.support.gql import data, gql, nodes, token_for
from tests.support.operations import operation

pytestmark = pytest.mark.e2e

OPEN = operation("OpenPeriod")
SELF = operation("SubmitSelfAssessment")
DECIDE = operation("DecideRating")
BOARD = operation("UnitBoard")
HISTORY = operation("RatingHistory")
MARCH = {"year": 2026, "month": 3}


async def test_open_self_assess_decide_and_read_the_board(
    http: httpx.AsyncClient, settings: Settings, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=4)
    staff = org.members[0]
    me = token_for(settings, tenant.slug, staff, "staff")
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader", "staff")

    # 1. HR opens March for the unit.
    opened = data(await gql(http, hr, OPEN, {"unit": str(org.unit), **MARCH}))["openPeriod"]
    period = opened["id"]
    assert opened["position"] > 0

    # 2. The staff member self-assesses.
    assessed = data(await gql(http, me, SELF, {
        "period": period, "score": 93, "note": "Hoàn thành đủ nhiệm vụ",
        "tasks": [{"title": "Báo cáo công tác MTTQ tháng 3", "quantity": 1, "onTime": True,
                   "evidence": "Báo cáo số 12/BC-MTTQ"}]}))
    assert assessed["submitSelfAssessment"]["position"] > opened["position"]

    # 3. The leader decides, with reasons since it departs from the self-assessment.
    decided = data(await gql(http, leader, DECIDE, {
        "period": period, "staff": str(staff), "level": "B", "score": 86,
        "reasons": "Còn chậm tiến độ một báo cáo."}))["decideRating"]

    # 4. The board, read from the read model, at least as fresh as the decision.
    board = data(await gql(http, hr, BOARD, {"unit": str(org.unit), **MARCH,
                                             "at": decided["position"]}))
    assert board["period"]["decidedCount"] == 1
    rows = {r["staffId"]: r for r in nodes(board["unitRatings"])}
    assert set(rows) == {str(org.leader), *map(str, org.members)}
    mine = rows[str(staff)]
    assert mine["status"] == "decided"
    assert (mine["selfScore"], mine["selfLevel"]) == (93.0, "A")
    assert (mine["level"], mine["score"]) == ("B", 86.0)
    assert mine["levelLabel"] == "Hoàn thành tốt nhiệm vụ"
    assert mine["decidedBy"] == str(org.leader)
    assert mine["policyVersion"] == "hn-monthly-2018.1"
    assert mine["staffName"] == "Lê Văn Thành Viên 00"
    assert all(r["status"] == "pending" for k, r in rows.items() if k != str(staff))

    # The person sees their own history.
    history = data(await gql(http, me, HISTORY, {"staff": str(staff),
                                                 "at": decided["position"]}))
    assert [(h["year"], h["month"], h["level"], h["score"], h["status"])
            for h in nodes(history["ratingHistory"])] == [(2026, 3, "B", 86.0, "decided")]


async def test_a_head_is_rated_by_the_level_above_over_the_api(
    http: httpx.AsyncClient, settings: Settings,
    opened_month: OpenedMonthFactory,
) -> None:
    month = await opened_month(members=2)
    org, period = month.org, month.period
    chair = month.token(org.chair, "unit_leader")
    decided = data(await gql(http, chair, DECIDE, {
        "period": period, "staff": str(org.leader), "level": "B", "score": 85, "reasons": ""}))
    assert decided["decideRating"]["position"] > 0
