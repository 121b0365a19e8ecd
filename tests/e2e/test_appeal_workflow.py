"""An appeal through both instances, over real HTTP with real tokens: filed, information
requested and given, dismissed, escalated, upheld by the level above; the rating amended
citing the appeal; the timeline, the leader's record and everyone's pending work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any, NamedTuple

import httpx
import pytest

from domain.actor import Actor
from domain.ids import StaffId
from services.app.appeals import hanoi_today
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.conftest import Staffing, events_in
from tests.e2e.test_rating_workflow import DECIDE, MARCH, OPEN, SELF
from tests.support.gql import data, error_code, gql, nodes, token_for
from tests.support.operations import operation
from tests.support.org import Org

pytestmark = pytest.mark.e2e

HISTORY, PUBLISH = operation("RatingHistory"), operation("PublishPeriod")
FILE, ACCEPT = operation("FileAppeal"), operation("AcceptAppeal")
ASK, ANSWER = operation("RequestAppealInformation"), operation("ProvideAppealInformation")
DECIDE_APPEAL, ESCALATE = operation("DecideAppeal"), operation("EscalateAppeal")
DETAIL, PENDING = operation("AppealDetail"), operation("MyPendingWork")
LEADER, UNITS = operation("LeaderAccountability"), operation("UnitAppealCounts")
TAKE_UP, TIMELINE = operation("TakeUpAppeal"), operation("PersonTimeline")


async def decided_rating(http: httpx.AsyncClient, settings: Settings, tenant: Tenant, org: Org,
                         staff: Any, decider: Any, level: str = "C", score: float = 65,
                         publish: bool = True) -> tuple[str, int]:
    """Open March, self-assess at 80, decide ``level``, publish; return (evaluation id,
    position)."""
    hr = token_for(settings, tenant.slug, org.hr, "hr_officer")
    period = data(await gql(http, hr, OPEN, {"unit": str(org.unit), **MARCH}))["openPeriod"]["id"]
    me = token_for(settings, tenant.slug, staff, "staff")
    evaluation = data(await gql(http, me, SELF, {"period": period, "score": 80, "tasks": [],
                                                 "note": ""}))["submitSelfAssessment"]["id"]
    boss = token_for(settings, tenant.slug, decider, "unit_leader", "staff")
    data(await gql(http, boss, DECIDE, {
        "period": period, "staff": str(staff), "level": level, "score": score,
        "reasons": "Chậm hai báo cáo trong tháng."}))
    if not publish:
        return evaluation, 0
    published = data(await gql(http, hr, PUBLISH, {"period": period}))["publishPeriod"]
    return evaluation, published["position"]


class RatedMember(NamedTuple):
    """A staffed tenant whose first member's March rating its unit's head decided (C, 65)."""

    tenant: Tenant
    org: Org
    hr: str  # the HR officer's token
    staff: StaffId
    evaluation: str


async def member_rated(http: httpx.AsyncClient, settings: Settings, staffed: Staffing,
                       members: int, publish: bool = True) -> RatedMember:
    """A fresh tenant of ``members`` people where member 0's rating is decided (and published
    unless told not to)."""
    tenant, org, hr = await staffed(members=members)
    staff = org.members[0]
    evaluation, _ = await decided_rating(http, settings, tenant, org, staff, org.leader,
                                         publish=publish)
    return RatedMember(tenant, org, hr, staff, evaluation)


async def refused(runtime: Runtime, tenant: Tenant, call: Awaitable[dict[str, Any]]) -> str:
    """The call is refused with a typed error in both languages, and writes nothing."""
    before = await events_in(runtime, tenant)
    body = await call
    assert await events_in(runtime, tenant) == before, "something was written"
    error = body["errors"][0]
    assert error["message"], body
    assert error["extensions"]["messageEn"], body
    assert error["message"] == error["extensions"]["messageVi"]
    return error_code(body)


async def test_an_appeal_through_both_instances_amends_the_rating(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed: Staffing,
) -> None:
    tenant, org, hr, staff, evaluation = await member_rated(http, settings, staffed, 3)
    me = token_for(settings, tenant.slug, staff, "staff")
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader", "staff")
    chair = token_for(settings, tenant.slug, org.chair, "unit_leader", "staff")

    # Filing: the first instance goes to the leader who decided.
    filed = data(await gql(http, me, FILE, {
        "evaluation": evaluation, "claimed": "B", "evidence": "Biên bản họp 28/3",
        "grounds": "Hai báo cáo chậm do hệ thống lỗi, đã có xác nhận."}))["fileAppeal"]
    appeal = filed["id"]
    work = data(await gql(http, leader, PENDING, {"at": filed["position"]}))["myPendingWork"]
    assert {(w["role"], w["action"]) for w in nodes(work)} == {("reviewer", "accept"),
                                                        ("decider",
                                                         "your_decision_is_appealed")}

    # First instance: accepted, information requested and given, dismissed with reasons.
    for op, token, extra in [
        (ACCEPT, leader, {}),
        (ASK, leader, {"question": "Đề nghị nộp xác nhận lỗi hệ thống."}),
        (ANSWER, me, {"information": "Xác nhận số 5/CNTT ngày 27/3."}),
    ]:
        data(await gql(http, token, op, {"appeal": appeal, **extra}))
    first = data(await gql(http, leader, DECIDE_APPEAL, {
        "appeal": appeal, "outcome": "DISMISSED",
        "reasons": "Xác nhận chỉ nói về một báo cáo."}))["decideAppeal"]
    mine = nodes(data(await gql(http, me, PENDING, {"at": first["position"]}))["myPendingWork"])
    assert [(w["role"], w["action"]) for w in mine] == [("appellant", "may_escalate")]
    # The person may escalate for the policy's window (10 days) after the outcome.
    assert date.fromisoformat(mine[0]["dueOn"]) - hanoi_today() == timedelta(days=10)

    # Second instance: to the level above; the leader who decided may not decide it.
    escalated = data(await gql(http, me, ESCALATE, {
        "appeal": appeal, "grounds": "Đề nghị Chủ tịch UBND xem xét lại."}))["escalateAppeal"]
    assert await refused(runtime, tenant, gql(http, leader, ACCEPT, {"appeal": appeal})) \
        == "CONFLICTED_REVIEWER"
    chair_work = data(await gql(http, chair, PENDING, {"at": escalated["position"]}))
    assert [(w["role"], w["action"], w["instance"])
            for w in nodes(chair_work["myPendingWork"])] == [("reviewer", "accept", 2)]
    data(await gql(http, chair, ACCEPT, {"appeal": appeal}))
    upheld = data(await gql(http, chair, DECIDE_APPEAL, {
        "appeal": appeal, "outcome": "UPHELD", "level": "B", "score": 75,
        "reasons": "Có căn cứ: lỗi hệ thống được xác nhận cho cả hai báo cáo."}))["decideAppeal"]
    at = upheld["position"]

    detail = data(await gql(http, hr, DETAIL, {"appeal": appeal, "at": at}))["appeal"]
    assert (detail["status"], detail["instance"], detail["firstOutcome"], detail["outcome"]) == (
        "closed", 2, "DISMISSED", "UPHELD")
    assert (detail["firstReviewer"], detail["reviewer"]) == (str(org.leader), str(org.chair))
    assert (detail["decidedLevel"], detail["currentLevel"], detail["currentScore"]) == (
        "C", "B", 75.0)
    assert [(s["instance"], s["step"], s["actor"]) for s in detail["steps"]] == [
        (1, "filed", str(staff)), (1, "assigned", str(staff)), (1, "accepted", str(org.leader)),
        (1, "information_requested", str(org.leader)),
        (1, "information_provided", str(staff)), (1, "dismissed", str(org.leader)),
        (2, "escalated", str(staff)), (2, "assigned", str(staff)),
        (2, "accepted", str(org.chair)), (2, "upheld", str(org.chair))]
    assert not detail["overdue"]

    # The board shows the amended rating, by the chair, citing the appeal.
    history = data(await gql(http, me, HISTORY, {"staff": str(staff), "at": at}))
    assert [(h["level"], h["score"], h["status"], h["decidedBy"])
            for h in nodes(history["ratingHistory"])] == [("B", 75.0, "amended", str(org.chair))]

    # The person's timeline keeps the original, then the appeal, then the amendment.
    timeline = data(await gql(http, me, TIMELINE, {"staff": str(staff), "at": at}))
    assert [(e["node"]["entry"], e["node"]["level"], e["node"]["actor"])
            for e in timeline["personTimeline"]["edges"]] == [
        ("opened", None, str(org.hr)), ("self_assessed", "B", str(staff)),
        ("decided", "C", str(org.leader)), ("appeal_filed", "B", str(staff)),
        ("amended", "B", str(org.chair))]

    # The leader's record: one decision, appealed and overturned, by the chair.
    record = data(await gql(http, hr, LEADER, {"leader": str(org.leader), "at": at}))
    [summary] = nodes(record["leaderAccountability"])
    assert (summary["decisions"], summary["appealed"], summary["overturned"]) == (1, 1, 1)
    assert (summary["shareAppealed"], summary["shareOverturned"]) == (1.0, 1.0)
    assert summary["avgHoursToDecide"] is not None
    assert summary["avgHoursToDecide"] >= 0
    [decision] = nodes(record["leaderDecisions"])
    assert (decision["level"], decision["amendedLevel"], decision["overturnedBy"],
            decision["overturnAppealId"], decision["policyVersion"], decision["capacity"]) == (
        "C", "B", str(org.chair), appeal, "hn-monthly-2018.1", "unit_leader")
    counts = data(await gql(http, hr, UNITS, {"at": at}))["unitAppealCounts"]
    assert [(c["unitId"], c["open"], c["overdue"], c["decided"]) for c in nodes(counts)] == [
        (str(org.unit), 0, 0, 1)]
    assert nodes(data(await gql(http, me, PENDING, {"at": at}))["myPendingWork"]) == []


async def test_the_level_above_in_the_parent_tenant_decides_through_a_grant(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    district = await new_tenant()
    ward = await new_tenant(parent=district.slug)
    other = await new_tenant()
    org = await org_in(ward, members=2)
    # The unit's head is rated by the chair, who heads the ward: no level above inside it.
    evaluation, _ = await decided_rating(http, settings, ward, org, org.leader, org.chair)
    head = token_for(settings, ward.slug, org.leader, "unit_leader", "staff")
    chair = token_for(settings, ward.slug, org.chair, "unit_leader", "staff")
    appeal = data(await gql(http, head, FILE, {
        "evaluation": evaluation, "grounds": "Đơn vị hoàn thành toàn bộ chỉ tiêu."}))[
        "fileAppeal"]["id"]
    data(await gql(http, chair, ACCEPT, {"appeal": appeal}))
    data(await gql(http, chair, DECIDE_APPEAL, {"appeal": appeal, "outcome": "DISMISSED",
                                                "reasons": "Chỉ tiêu quý chưa đạt."}))
    escalated = data(await gql(http, head, ESCALATE, {"appeal": appeal,
                                                      "grounds": "Đề nghị quận xem xét."}))
    waiting = data(await gql(http, token_for(settings, ward.slug, org.hr, "hr_officer"), DETAIL,
                             {"appeal": appeal, "at": escalated["escalateAppeal"]["position"]}))
    assert (waiting["appeal"]["status"], waiting["appeal"]["reviewer"]) == (
        "awaiting_reviewer", None)

    reviewer = "quan-thanh-tra-01"
    district_token = token_for(settings, district.slug, reviewer, "appeal_reviewer")
    # Without a grant reaching the ward, the district may not act there.
    assert await refused(runtime, ward, gql(http, district_token, TAKE_UP, {
        "appeal": appeal, "tenant": ward.slug})) == "FORBIDDEN"
    admin = Actor("platform-admin", "platform_admin")
    await runtime.platform.grant(admin, reviewer, district.slug, "appeal_reviewer",
                                 include_children=True)
    # A grant on the district does not reach a tenant that is not its child.
    assert await refused(runtime, other, gql(http, district_token, TAKE_UP, {
        "appeal": appeal, "tenant": other.slug})) == "FORBIDDEN"

    waiting_work = data(await gql(http, district_token, PENDING, {
        "tenant": ward.slug, "at": escalated["escalateAppeal"]["position"]}))
    assert [(w["appealId"], w["role"], w["action"])
            for w in nodes(waiting_work["myPendingWork"])] == [(appeal, "level_above", "take_up")]
    data(await gql(http, district_token, TAKE_UP, {"appeal": appeal, "tenant": ward.slug}))
    data(await gql(http, district_token, ACCEPT, {"appeal": appeal, "tenant": ward.slug}))
    done = data(await gql(http, district_token, DECIDE_APPEAL, {
        "appeal": appeal, "tenant": ward.slug, "outcome": "PARTIALLY_UPHELD", "level": "C",
        "score": 69, "reasons": "Nâng điểm, giữ mức hoàn thành nhiệm vụ."}))["decideAppeal"]
    detail = data(await gql(http, district_token, DETAIL, {
        "appeal": appeal, "tenant": ward.slug, "at": done["position"]}))["appeal"]
    assert (detail["status"], detail["outcome"], detail["reviewer"], detail["reviewerTenant"],
            detail["currentScore"]) == ("closed", "PARTIALLY_UPHELD", reviewer, district.slug,
                                        69.0)
