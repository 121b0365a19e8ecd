"""Deadlines: an appeal past its instance's deadline shows as overdue to everyone concerned,
and stays undecided — nothing is decided automatically."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import anyio
import httpx
import pytest

from domain.actor import Actor, acting_as
from domain.appeal import Outcome
from services.app.appeal_commands import AcceptAppeal, DecideAppeal, FileAppeal
from services.app.appeals import hanoi_today
from services.app.handlers import AppealService
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.conftest import Staffing
from tests.e2e.test_appeal_workflow import (
    DETAIL,
    ESCALATE,
    PENDING,
    UNITS,
    RatedMember,
    member_rated,
    refused,
)
from tests.support.gql import data, gql, nodes, token_for

pytestmark = pytest.mark.e2e


async def _appealed(runtime: Runtime, rated: RatedMember, days_ago: int, grounds: str,
                    dismissed: bool = False) -> tuple[uuid.UUID, date, int]:
    """An appeal of the rated member, filed ``days_ago`` days back (the clock is the only thing
    faked) and, if told, dismissed by the unit's head that day: its id, that day, the position."""
    then = hanoi_today() - timedelta(days=days_ago)
    service = AppealService(runtime.apps.get(rated.tenant.slug), clock=lambda: then)
    appeal, staff, leader = uuid.uuid4(), str(rated.staff), str(rated.org.leader)

    def write() -> int:
        with acting_as(Actor(staff, "staff")):
            position = service.file(FileAppeal(appeal, uuid.UUID(rated.evaluation), staff,
                                               grounds))
        if dismissed:
            with acting_as(Actor(leader, "unit_leader")):
                service.accept(AcceptAppeal(appeal, leader))
                position = service.decide(DecideAppeal(appeal, leader, Outcome.DISMISSED,
                                                       "Không có căn cứ."))
        return position

    position = await anyio.to_thread.run_sync(write)
    await runtime.written(rated.tenant)
    return appeal, then, position


async def test_an_appeal_past_its_deadline_is_overdue_and_still_undecided(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed: Staffing,
) -> None:
    rated = await member_rated(http, settings, staffed, 2)
    tenant, org, hr = rated.tenant, rated.org, rated.hr
    # Filed 16 days ago (the first instance may take 15).
    appeal, filed_on, position = await _appealed(runtime, rated, 16, "Đề nghị xem xét lại.")
    detail = data(await gql(http, hr, DETAIL, {"appeal": str(appeal), "at": position}))["appeal"]
    assert (detail["status"], detail["overdue"], detail["dueOn"]) == (
        "assigned", True, (filed_on + timedelta(days=15)).isoformat())
    assert detail["outcome"] is None
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader")
    work = data(await gql(http, leader, PENDING, {"at": position}))["myPendingWork"]
    assert {(w["role"], w["action"], w["overdue"]) for w in nodes(work)} == {
        ("reviewer", "accept", True), ("decider", "your_decision_is_appealed", True)}
    counts = data(await gql(http, hr, UNITS, {"at": position}))["unitAppealCounts"]
    assert [(c["open"], c["overdue"], c["decided"]) for c in nodes(counts)] == [(1, 1, 0)]


async def test_escalation_after_its_window_is_refused_and_no_longer_pending(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed: Staffing,
) -> None:
    rated = await member_rated(http, settings, staffed, 2)
    tenant = rated.tenant
    # Filed and dismissed 11 days ago: the 10 days to escalate are over today.
    appeal, _, position = await _appealed(runtime, rated, 11, "Xem xét lại.", dismissed=True)
    me = token_for(settings, tenant.slug, rated.staff, "staff")
    assert nodes(data(await gql(http, me, PENDING, {"at": position}))["myPendingWork"]) == []
    assert await refused(runtime, tenant, gql(http, me, ESCALATE, {
        "appeal": str(appeal), "grounds": "Lần hai."})) == "APPEAL_WINDOW_CLOSED"
