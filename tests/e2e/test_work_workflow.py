"""A month of work over HTTP (Decree 335/2025): the personnel officer sets the catalogue, the
leader assigns (several people at once), the person reports, the leader confirms, and the
decision records the score computed from that work — which the person and the leader both
see; a level above it needs reasons and shows in the leader's accountability record."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx
import pytest

from domain.actor import Actor, acting_as
from services.app.commands import AdoptPolicy, OpenPeriod
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.test_appeal_workflow import refused
from tests.support.gql import data, gql, token_for
from tests.support.operations import operation
from tests.support.org import Org

pytestmark = pytest.mark.e2e

ASSIGN, REPORT, CONFIRM = operation("AssignWork"), operation("ReportWorkDone"), \
    operation("ConfirmWork")
REASSIGN, CANCEL = operation("ReassignWork"), operation("CancelWork")
CATALOGUE, MY_WORK = operation("EstablishWorkCatalogue"), operation("MyWork")
BOARD, BREAKDOWN = operation("UnitWorkBoard"), operation("ScoreBreakdown")
SELF, DECIDE = operation("SubmitSelfAssessment"), operation("DecideRating")
LEADER = operation("LeaderAccountability")
MARCH = {"year": 2026, "number": 3}
ITEMS = {"items": [
    {"key": "ho-so", "position": "Chuyên viên", "labelVi": "Thẩm định hồ sơ",
     "unitVi": "hồ sơ", "coefficient": 1.0, "minCoefficient": 0.5, "maxCoefficient": 1.5},
    {"key": "bao-cao", "position": "Chuyên viên", "labelVi": "Báo cáo chuyên đề",
     "unitVi": "báo cáo", "coefficient": 2.0},
], "adHocMin": 0.5, "adHocMax": 2.5}


async def _month(runtime: Runtime, tenant: Tenant, org: Org) -> str:
    """The national monthly policy (Decree 335) adopted, and March opened for the unit."""
    service = runtime.service(tenant)

    def setup() -> str:
        with acting_as(Actor(str(org.hr), "hr_officer")):
            service.adopt_policy(AdoptPolicy("monthly", "vn-monthly-2026", "Nghị định 335/2025"))
            period_id, _ = service.open_period(OpenPeriod(org.unit, 2026, 3))
        return str(period_id)

    period = await anyio.to_thread.run_sync(setup)
    await runtime.written(tenant)
    return period


@pytest.fixture
async def month(http: httpx.AsyncClient, settings: Settings, runtime: Runtime,
                new_tenant: Callable[..., Awaitable[Tenant]],
                org_in: Callable[..., Awaitable[Org]]) -> dict[str, Any]:
    tenant = await new_tenant()
    org = await org_in(tenant, members=3)
    period = await _month(runtime, tenant, org)
    tok = {
        "hr": token_for(settings, tenant.slug, org.hr, "hr_officer"),
        "leader": token_for(settings, tenant.slug, org.leader, "unit_leader", "staff"),
        "chair": token_for(settings, tenant.slug, org.chair, "unit_leader", "staff"),
        "me": token_for(settings, tenant.slug, org.members[0], "staff"),
        "other": token_for(settings, tenant.slug, org.members[1], "staff"),
    }
    data(await gql(http, tok["hr"], CATALOGUE, {"input": ITEMS,
                                                "reasons": "Danh mục theo vị trí việc làm"}))
    return {"tenant": tenant, "org": org, "period": period, **tok}


def _assignment(staff: list[Any], **kw: Any) -> dict[str, Any]:
    return {"input": {"staffIds": [str(s) for s in staff], "year": 2026, "number": 3,
                      "assignedOn": "2026-03-02", "deadline": "2026-03-20",
                      "expectedQuantity": 4, **kw}}


async def test_a_month_from_assignment_to_a_decision_computed_from_work(
        http: httpx.AsyncClient, runtime: Runtime, month: dict[str, Any]) -> None:
    org, me = month["org"], month["org"].members[0]
    # Bulk: the same output to two people, one item each, the catalogue version recorded.
    both = data(await gql(http, month["leader"], ASSIGN, _assignment(
        [me, org.members[1]], catalogueKey="ho-so")))["assignWork"]["ids"]
    ad_hoc = data(await gql(http, month["leader"], ASSIGN, _assignment(
        [me], title="Tổng hợp ý kiến cử tri", coefficient=2.0, expectedQuantity=1)))
    ad_hoc_id = ad_hoc["assignWork"]["ids"][0]
    data(await gql(http, month["me"], REPORT, {"input": {
        "itemId": both[0], "quantity": 3, "doneOn": "2026-03-18",
        "evidence": "Sổ theo dõi hồ sơ số 12"}}))
    data(await gql(http, month["me"], REPORT, {"input": {
        "itemId": ad_hoc_id, "quantity": 1, "doneOn": "2026-03-25"}}))
    data(await gql(http, month["leader"], CONFIRM, {"input": {
        "itemId": both[0], "quality": "MEETS", "timeliness": "ON_TIME"}}))
    confirmed = data(await gql(http, month["leader"], CONFIRM, {"input": {
        "itemId": ad_hoc_id, "quality": "FAILS", "timeliness": "LATE",
        "comment": "Thiếu số liệu hai phường"}}))["confirmWork"]["position"]

    mine = [e["node"] for e in data(await gql(http, month["me"], MY_WORK, {
        **MARCH, "atLeast": confirmed}))["myWork"]["edges"]]
    assert {(w["title"], w["status"]) for w in mine} == {
        ("Thẩm định hồ sơ", "confirmed"), ("Tổng hợp ý kiến cử tri", "confirmed")}
    assert {w["catalogueVersion"] for w in mine} == {"catalogue/1"}
    assert next(w for w in mine if w["itemId"] == both[0])["evidence"] == \
        "Sổ theo dõi hồ sơ số 12"  # sealed in the log, opened for the read model
    log = b"\n".join(bytes(r["state"]) for r in await runtime.pool.fetch(
        f"SELECT state FROM {month['tenant'].schema}.evaluations_events"))
    for text in ("Sổ theo dõi hồ sơ số 12", "Thiếu số liệu hai phường"):
        assert text.encode() not in log, text  # the person's key opens it, nothing else
    assert "Tổng hợp ý kiến cử tri".encode() in log  # a title is no personal text
    board = data(await gql(http, month["leader"], BOARD, {
        "unit": str(org.unit), **MARCH, "atLeast": confirmed}))["unitWorkBoard"]
    assert board["totalCount"] == 3
    assert sorted(e["node"]["status"] for e in board["edges"]) == [
        "assigned", "confirmed", "confirmed"]

    # Self-assessed 90 → general criteria 27 of 30. Work: assigned 4×1 + 1×2 = 6 units;
    # completed 3×1 + 1×2 = 5; the ad-hoc item (a third of the work) failed quality once
    # and was late once, each costing 25 % of its 33.33 points: quantity 83.33, quality 75,
    # timeliness 75 → results 70 × 233.33 / 300 = 54.44; score 81.44 → B (Decree 335
    # art. 13–14 as summarised in shared/domain.md).
    data(await gql(http, month["me"], SELF, {"period": month["period"], "score": 90}))
    seen = []
    for token in (month["me"], month["leader"]):
        body = await gql(http, token, BREAKDOWN, {"staff": str(me), **MARCH})
        seen.append(data(body)["scoreBreakdown"])
    assert seen[0] == seen[1]
    breakdown = seen[0]
    print("scoreBreakdown", json.dumps(breakdown, ensure_ascii=False, indent=1))
    assert breakdown["scoredByWork"] is True
    assert (breakdown["quantityPercent"], breakdown["qualityPercent"],
            breakdown["timelinessPercent"]) == (83.33, 75.0, 75.0)
    assert (breakdown["generalPoints"], breakdown["resultsPoints"], breakdown["score"],
            breakdown["level"]) == (27.0, 54.44, 81.44, "B")
    # The other person does not see it; out of scope reads like absent.
    other = await gql(http, month["other"], BREAKDOWN, {"staff": str(me), **MARCH})
    assert data(other)["scoreBreakdown"] is None

    # A level above what the score earns needs reasons (the self-assessment said A, so only
    # the computed score asks for them) ...
    decide = {"period": month["period"], "staff": str(me), "level": "A", "score": 99}
    assert await refused(runtime, month["tenant"],
                         gql(http, month["leader"], DECIDE, decide)) == "REASONS_REQUIRED"
    # ... and with them it is the leader's decision, recorded with the computed score (the
    # typed 99 is not what counts) and visible as above the computation.
    done = data(await gql(http, month["leader"], DECIDE, {
        **decide, "reasons": "Hoàn thành xuất sắc đợt cao điểm tiếp dân"}))["decideRating"]
    record = data(await gql(http, month["hr"], LEADER, {
        "leader": str(org.leader), "at": done["position"]}))
    [decision] = [e["node"] for e in record["leaderDecisions"]["edges"]]
    assert (decision["level"], decision["score"], decision["computedScore"],
            decision["computedLevel"], decision["aboveComputed"]) == ("A", 81.44, 81.44, "B",
                                                                      True)
    [summary] = [e["node"] for e in record["leaderAccountability"]["edges"]]
    assert summary["aboveComputed"] == 1

