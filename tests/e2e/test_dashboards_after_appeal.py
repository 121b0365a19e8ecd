"""An appeal's outcome moves the person on the board, in the quota, in the trend and in the
timeline — and every dashboard read model still equals a recount of the log."""

from __future__ import annotations

import httpx
import pytest

from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.conftest import Staffing
from tests.support.gql import data, gql, token_for
from tests.support.operations import operation
from tests.support.recount import recount, tables

pytestmark = pytest.mark.e2e

OPEN, DECIDE = operation("OpenPeriod"), operation("DecideRating")
PUBLISH = operation("PublishPeriod")
FILE, ACCEPT = operation("FileAppeal"), operation("AcceptAppeal")
DECIDE_APPEAL = operation("DecideAppeal")
BOARD, TREND = operation("UnitMonthBoard"), operation("Trend")
TIMELINE = operation("PersonTimeline")


async def test_an_upheld_appeal_moves_the_person_on_every_dashboard(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=4)
    staff = org.members[0]
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader", "staff")
    me = token_for(settings, tenant.slug, staff, "staff")
    month = {"year": 2026, "month": 7}
    period = data(await gql(http, hr, OPEN, {"unit": str(org.unit), **month}))["openPeriod"]["id"]
    evaluation = data(await gql(http, leader, DECIDE, {
        "period": period, "staff": str(staff), "level": "C", "score": 92,
        "reasons": "Chậm hai báo cáo."}))["decideRating"]["id"]
    data(await gql(http, hr, PUBLISH, {"period": period}))
    appeal = data(await gql(http, me, FILE, {
        "evaluation": evaluation, "claimed": "A",
        "grounds": "Hai báo cáo chậm do hệ thống lỗi, đã có xác nhận."}))["fileAppeal"]["id"]
    data(await gql(http, leader, ACCEPT, {"appeal": appeal}))
    upheld = data(await gql(http, leader, DECIDE_APPEAL, {
        "appeal": appeal, "outcome": "UPHELD", "level": "A", "score": 92,
        "reasons": "Lỗi hệ thống được xác nhận."}))["decideAppeal"]
    at = upheld["position"]

    board = data(await gql(http, hr, BOARD, {"unit": str(org.unit), **month,
                                             "at": at}))["unitBoard"]
    assert {d["level"]: d["count"] for d in board["distribution"]} == {
        "A": 1, "B": 0, "C": 0, "D": 0}
    assert board["quota"] == {"cap": 1, "used": 1, "available": 0}
    assert board["completion"]["decided"] == 1
    trend = data(await gql(http, hr, TREND, {"unit": str(org.unit), "at": at}))["trend"]
    [point] = [e["node"] for e in trend["edges"]]
    assert (point["decided"], [lv["count"] for lv in point["levels"]]) == (1, [1, 0, 0, 0])
    timeline = data(await gql(http, me, TIMELINE, {"staff": str(staff), "at": at}))
    entries = [(e["node"]["entry"], e["node"]["level"])
               for e in timeline["personTimeline"]["edges"]]
    assert entries == [("opened", None), ("decided", "C"), ("appeal_filed", "A"),
                       ("amended", "A")]

    async with runtime.pool.acquire() as conn:
        assert await tables(conn, tenant.schema) == await recount(conn, tenant.schema)
