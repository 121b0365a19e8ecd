"""Once the leader has decided, the score breakdown both people see is what the decision
recorded (``WorkScoreComputed``), not a fresh computation from the items as they are now:
an item confirmed or assigned after the decision leaves that month's breakdown as it was."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.test_work_workflow import (
    ASSIGN,
    BREAKDOWN,
    CONFIRM,
    DECIDE,
    MARCH,
    MY_WORK,
    REPORT,
    SELF,
    _assignment,
    month,
)
from tests.support.gql import data, gql

pytestmark = pytest.mark.e2e
__all__ = ["month"]  # the fixture, shared with the month's workflow test


async def test_the_breakdown_of_a_decided_month_is_the_one_decided_on(
        http: httpx.AsyncClient, month: dict[str, Any]) -> None:
    me = month["org"].members[0]
    done, pending = data(await gql(http, month["leader"], ASSIGN, _assignment(
        [me], title="Tổng hợp báo cáo", coefficient=1.0, expectedQuantity=2)))["assignWork"][
        "ids"][0], data(await gql(http, month["leader"], ASSIGN, _assignment(
            [me], title="Rà soát hồ sơ", coefficient=1.0, expectedQuantity=2)))["assignWork"][
        "ids"][0]
    for item in (done, pending):
        data(await gql(http, month["me"], REPORT, {"input": {
            "itemId": item, "quantity": 2, "doneOn": "2026-03-10"}}))
    data(await gql(http, month["leader"], CONFIRM, {"input": {
        "itemId": done, "quality": "MEETS", "timeliness": "LATE",
        "comment": "Chậm hai ngày"}}))
    data(await gql(http, month["me"], SELF, {"period": month["period"], "score": 80}))
    before = data(await gql(http, month["leader"], BREAKDOWN,
                            {"staff": str(me), **MARCH}))["scoreBreakdown"]
    data(await gql(http, month["leader"], DECIDE, {
        "period": month["period"], "staff": str(me), "level": "C", "score": 0,
        "reasons": "Một nửa số việc chưa được nghiệm thu"}))
    decided = data(await gql(http, month["leader"], BREAKDOWN,
                             {"staff": str(me), **MARCH}))["scoreBreakdown"]
    assert decided == {**before, "decidedLevel": "C"}
    assert decided["assignedUnits"] == 4
    assert decided["completedUnits"] == 2

    # After the decision: the pending item confirmed, one more item assigned.
    data(await gql(http, month["leader"], CONFIRM, {"input": {
        "itemId": pending, "quality": "MEETS", "timeliness": "ON_TIME"}}))
    added = data(await gql(http, month["leader"], ASSIGN, _assignment(
        [me], title="Việc giao thêm", coefficient=1.0, expectedQuantity=1)))["assignWork"]
    mine = {w["itemId"]: w["status"] for w in (e["node"] for e in data(await gql(
        http, month["me"], MY_WORK, {**MARCH, "atLeast": added["position"]}))["myWork"][
        "edges"])}
    assert mine == {done: "confirmed", pending: "confirmed",
                    added["ids"][0]: "assigned"}  # the items did change
    for token in (month["me"], month["leader"]):
        after = data(await gql(http, token, BREAKDOWN,
                               {"staff": str(me), **MARCH}))["scoreBreakdown"]
        assert after == decided  # the month shows what was decided on
