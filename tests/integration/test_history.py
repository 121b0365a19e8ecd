"""History comes from the log: every event about a subject, in order, with who and why."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
import pytest

from domain.actor import Actor, acting_as
from domain.levels import Level
from services.app.commands import DecideRating, OpenPeriod, SubmitSelfAssessment
from services.audit.history import Subject, history
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.support.org import Org

pytestmark = pytest.mark.integration


@pytest.fixture
async def decided(runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
                  org_in: Callable[..., Awaitable[Org]]) -> tuple[Tenant, Org]:
    tenant = await new_tenant()
    org = await org_in(tenant, members=3)
    service = runtime.service(tenant)
    person = org.members[0]

    def work() -> None:
        with acting_as(Actor("hr-1", "hr_officer")):
            period_id, _ = service.open_period(OpenPeriod(org.unit, 2026, 3))
        with acting_as(Actor(str(person), "staff")):
            service.submit_self_assessment(SubmitSelfAssessment(
                period_id, person, 95, [{"task": "Tiếp dân", "result": "xong"}], "tốt"))
        with acting_as(Actor(str(org.leader), "unit_leader")):
            service.decide_rating(DecideRating(period_id, person, Level.B, 80,
                                               "Chưa đủ sáng kiến", str(org.leader)))
    await anyio.to_thread.run_sync(work)
    return tenant, org


async def test_a_persons_history_holds_registration_self_assessment_and_decision(
    runtime: Runtime, decided: tuple[Tenant, Org]) -> None:
    tenant, org = decided
    async with runtime.pool.acquire() as conn:
        entries = await history(conn, tenant.schema, Subject.PERSON, str(org.members[0]))
    names = [f"{e.aggregate_type}.{e.event}" for e in entries]
    assert names[0] == "StaffMember.Registered"
    assert "Evaluation.SelfAssessmentSubmitted" in names
    assert names.index("Evaluation.SelfAssessmentSubmitted") < names.index(
        "Evaluation.RatingDecided")
    assert [e.position for e in entries] == sorted(e.position for e in entries)
    decision = next(e for e in entries if e.event == "RatingDecided")
    assert (decision.actor, decision.capacity) == (str(org.leader), "unit_leader")
    assert decision.policy_version == "hn-monthly-2018.1"
    assert decision.reasons == "Chưa đủ sáng kiến"
    assert decision.data["level"] == "B"
    # Nobody else's evaluation leaks into this person's history.
    other = {str(m) for m in org.members[1:]}
    assert not any(e.data.get("staff_id") in other for e in entries)


async def test_a_leaders_history_is_what_they_decided(
    runtime: Runtime, decided: tuple[Tenant, Org]) -> None:
    tenant, org = decided
    async with runtime.pool.acquire() as conn:
        entries = await history(conn, tenant.schema, Subject.LEADER, str(org.leader))
    assert {e.event for e in entries} == {"RatingDecided", "DecisionRegistered"}
    assert all(e.actor == str(org.leader) for e in entries)


async def test_a_units_history_holds_its_periods_and_members(
    runtime: Runtime, decided: tuple[Tenant, Org]) -> None:
    tenant, org = decided
    async with runtime.pool.acquire() as conn:
        entries = await history(conn, tenant.schema, Subject.UNIT, str(org.unit))
    names = {f"{e.aggregate_type}.{e.event}" for e in entries}
    assert {"Unit.Registered", "Unit.LeaderAppointed", "EvaluationPeriod.Opened",
            "EvaluationPeriod.DecisionRegistered"} <= names
    opened = next(e for e in entries if e.event == "Opened")
    assert opened.policy_version == "hn-monthly-2018.1"
    assert opened.actor == "hr-1"


async def test_history_until_a_position_stops_there(
    runtime: Runtime, decided: tuple[Tenant, Org]) -> None:
    tenant, org = decided
    async with runtime.pool.acquire() as conn:
        full = await history(conn, tenant.schema, Subject.PERSON, str(org.members[0]))
        decided_at = next(e.position for e in full if e.event == "RatingDecided")
        before = await history(conn, tenant.schema, Subject.PERSON, str(org.members[0]),
                               until=decided_at - 1)
    assert "RatingDecided" not in {e.event for e in before}
    assert [e.position for e in before] == [e.position for e in full if e.position < decided_at]
