"""Deadlines: an appeal past its instance's deadline shows as overdue to everyone concerned,
and stays undecided — nothing is decided automatically."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

import anyio
import httpx
import pytest

from domain.actor import Actor, acting_as
from domain.appeal import Outcome
from services.app.appeal_commands import AcceptAppeal, DecideAppeal, FileAppeal
from services.app.appeals import hanoi_today
from services.app.handlers import AppealService
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.conftest import Staffing
from tests.e2e.test_appeal_workflow import (
    DETAIL,
    ESCALATE,
    PENDING,
    UNITS,
    decided_rating,
    refused,
)
from tests.support.gql import data, gql, nodes, token_for
from tests.support.org import Org

pytestmark = pytest.mark.e2e


async def test_an_appeal_past_its_deadline_is_overdue_and_still_undecided(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    tenant = await new_tenant()
    org = await org_in(tenant, members=2)
    staff = org.members[0]
    evaluation, _ = await decided_rating(http, settings, tenant, org, staff, org.leader)
    # Filed 16 days ago (the first instance may take 15): the clock is the only thing faked.
    filed_on = hanoi_today() - timedelta(days=16)
    service = AppealService(runtime.apps.get(tenant.slug), clock=lambda: filed_on)
    appeal = uuid.uuid4()

    def file() -> int:
        with acting_as(Actor(str(staff), "staff")):
            return service.file(FileAppeal(appeal, uuid.UUID(evaluation), str(staff),
                                           "Đề nghị xem xét lại."))

    position = await anyio.to_thread.run_sync(file)
    await runtime.written(tenant)
    hr = token_for(settings, tenant.slug, org.hr, "hr_officer")
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
    tenant, org, _ = await staffed(members=2)
    staff = org.members[0]
    evaluation, _ = await decided_rating(http, settings, tenant, org, staff, org.leader)
    # Filed and dismissed 11 days ago: the 10 days to escalate are over today.
    then = hanoi_today() - timedelta(days=11)
    service = AppealService(runtime.apps.get(tenant.slug), clock=lambda: then)
    appeal = uuid.uuid4()

    def file_and_dismiss() -> int:
        with acting_as(Actor(str(staff), "staff")):
            service.file(FileAppeal(appeal, uuid.UUID(evaluation), str(staff), "Xem xét lại."))
        with acting_as(Actor(str(org.leader), "unit_leader")):
            service.accept(AcceptAppeal(appeal, str(org.leader)))
            return service.decide(DecideAppeal(appeal, str(org.leader), Outcome.DISMISSED,
                                               "Không có căn cứ."))

    position = await anyio.to_thread.run_sync(file_and_dismiss)
    await runtime.written(tenant)
    me = token_for(settings, tenant.slug, staff, "staff")
    assert nodes(data(await gql(http, me, PENDING, {"at": position}))["myPendingWork"]) == []
    assert await refused(runtime, tenant, gql(http, me, ESCALATE, {
        "appeal": str(appeal), "grounds": "Lần hai."})) == "APPEAL_WINDOW_CLOSED"
