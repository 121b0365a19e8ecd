"""The evaluation rules through the service layer on a real log: each broken rule gives its
code and writes nothing; policy versions never re-judge the past; the peer-group quota and
quota exceptions hold under parallel deciders."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import anyio
import pytest

from domain.actor import Actor, acting_as
from domain.errors import DomainError
from domain.ids import PeriodId, StaffId
from domain.levels import Level
from domain.period import EvaluationPeriod
from services.app import loading
from services.app.commands import (
    AdjustPolicy,
    AdoptPolicy,
    DecideRating,
    GrantQuotaException,
    OpenPeriod,
    ProposeRating,
    RecordDiscipline,
    RegisterStaff,
    UpdateStaffProfile,
)
from services.app.handlers import TenantService
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.support.org import Org, StaffedTenant
from tests.support.readmodels import event_count

pytestmark = pytest.mark.integration

HR = Actor("hr", "hr_officer")


async def _setup(runtime: Runtime, staffed_tenant: StaffedTenant, members: int = 9
                 ) -> tuple[Tenant, Org, TenantService]:
    tenant, org = await staffed_tenant(members=members)
    return tenant, org, runtime.service(tenant)


async def _run(fn: Callable[[], Any], actor: Actor = HR) -> Any:
    def call() -> Any:
        with acting_as(actor):
            return fn()
    return await anyio.to_thread.run_sync(call)


async def _refused(runtime: Runtime, tenant: Tenant, code: str, fn: Callable[[], Any],
                   actor: Actor = HR) -> None:
    """The command fails with ``code`` and the tenant's log is exactly as long as before."""
    async with runtime.pool.acquire() as conn:
        before = await event_count(conn, tenant.schema)
    with pytest.raises(DomainError) as caught:
        await _run(fn, actor)
    assert caught.value.code == code, caught.value
    assert caught.value.message_vi
    assert caught.value.message_en
    async with runtime.pool.acquire() as conn:
        assert await event_count(conn, tenant.schema) == before


def _decide(org: Org, period: uuid.UUID, staff: StaffId, level: Level, score: float,
            reasons: str = "") -> DecideRating:
    return DecideRating(PeriodId(period), staff, level, score, reasons, str(org.leader))


async def test_a_policy_change_never_rejudges_past_decisions(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org, service = await _setup(runtime, staffed_tenant)  # 10 people: 3 A
    leader = Actor(str(org.leader), "unit_leader")
    await _run(lambda: service.adopt_policy(AdoptPolicy("monthly", "hn-monthly-2018", "QĐ 1")))
    march, _ = await _run(lambda: service.open_period(OpenPeriod(org.unit, 2026, 3)))
    for staff in org.members[:2]:
        await _run(lambda s=staff: service.decide_rating(_decide(org, march, s, Level.A, 95)),
                   leader)
    await _run(lambda: service.adjust_policy(AdjustPolicy(
        "monthly", {"quotas": [{"level": "A", "share": 0.1}]}, "Siết tỷ lệ từ tháng 4")))
    april, _ = await _run(lambda: service.open_period(OpenPeriod(org.unit, 2026, 4)))
    # March is still judged by version 1 (30%): a third A passes there …
    await _run(lambda: service.decide_rating(_decide(org, march, org.members[2], Level.A, 95)),
               leader)
    # … while April, opened under version 2 (10%), allows one.
    await _run(lambda: service.decide_rating(_decide(org, april, org.members[0], Level.A, 95)),
               leader)
    await _refused(runtime, tenant, "QUOTA_EXCEEDED", lambda: service.decide_rating(
        _decide(org, april, org.members[1], Level.A, 95)), leader)
    versions = {}
    for pid in (march, april):
        for event in service.app.events.get(pid):
            if type(event).__name__ == "Opened":
                versions[pid] = event.policy["version"]
    assert versions[march].startswith("monthly/1")
    assert versions[april].startswith("monthly/2")
    period = loading.period(service, march)
    decided = [e for m in org.members[:3] for e in service.app.events.get(
        loading.evaluation(service, period, m).id) if hasattr(e, "policy_version")]
    assert {e.policy_version for e in decided} == {versions[march]}


async def test_each_decision_rule_broken_gives_its_code_and_writes_nothing(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org, service = await _setup(runtime, staffed_tenant, members=4)
    leader = Actor(str(org.leader), "unit_leader")
    newcomer = StaffId(uuid.uuid4())
    await _run(lambda: service.register_staff(RegisterStaff(
        newcomer, "Phạm Thị Mới", "civil_servant", "Chuyên viên", org.unit,
        start_date=date(2026, 9, 1))))
    disciplined = org.members[0]
    await _run(lambda: service.record_discipline(RecordDiscipline(
        disciplined, date(2026, 6, 2), "khiển trách", "QĐ 33/QĐ-UBND")))
    year, _ = await _run(lambda: service.open_period(OpenPeriod(org.unit, 2026, 1,
                                                                kind="annual")))

    await _refused(runtime, tenant, "NOT_ELIGIBLE", lambda: service.decide_rating(
        _decide(org, year, newcomer, Level.C, 60)), leader)
    await _refused(runtime, tenant, "ELIGIBILITY_CAP", lambda: service.decide_rating(
        _decide(org, year, disciplined, Level.B, 80)), leader)
    await _run(lambda: service.propose_rating(ProposeRating(
        PeriodId(year), org.members[1], Level.B, 80, "Chủ động", "", "hr")))
    await _refused(runtime, tenant, "REASONS_REQUIRED", lambda: service.decide_rating(
        _decide(org, year, org.members[1], Level.C, 80)), leader)
    await _refused(runtime, tenant, "NOT_COMPETENT_HIGHER_LEVEL",
                   lambda: service.grant_quota_exception(GrantQuotaException(
                       PeriodId(year), Level.A, 1, "Xuất sắc", str(org.leader))), leader)
    await _refused(runtime, tenant, "QUOTA_EXCEEDED", lambda: service.decide_rating(
        _decide(org, year, org.members[2], Level.A, 95)), leader)  # nobody is "good" yet
    await _refused(runtime, tenant, "INVALID_POLICY", lambda: service.adjust_policy(
        AdjustPolicy("annual", {"appeal_window_days": -3}, "thử")))
    await _refused(runtime, tenant, "SELF_RATING", lambda: service.propose_rating(
        ProposeRating(PeriodId(year), org.members[3], Level.A, 95, "", "",
                      str(org.members[3]))))
    await _refused(runtime, tenant, "INVALID_INPUT", lambda: service.update_staff_profile(
        UpdateStaffProfile(org.members[3], staff_type="astronaut")))


async def test_an_exception_granted_by_the_level_above_opens_one_more_slot(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org, service = await _setup(runtime, staffed_tenant)
    leader = Actor(str(org.leader), "unit_leader")
    chair = Actor(str(org.chair), "unit_leader")
    may, _ = await _run(lambda: service.open_period(OpenPeriod(org.unit, 2026, 5)))
    for staff in org.members[:3]:
        await _run(lambda s=staff: service.decide_rating(_decide(org, may, s, Level.A, 95)),
                   leader)
    await _refused(runtime, tenant, "QUOTA_EXCEEDED", lambda: service.decide_rating(
        _decide(org, may, org.members[3], Level.A, 95)), leader)
    await _run(lambda: service.grant_quota_exception(GrantQuotaException(
        PeriodId(may), Level.A, 1, "Hoàn thành xuất sắc đợt cao điểm", str(org.chair))), chair)
    await _run(lambda: service.decide_rating(_decide(org, may, org.members[3], Level.A, 95)),
               leader)


def _parallel(n: int, work: Callable[[int], str]) -> list[str]:
    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            outcomes.append(work(i))
        except DomainError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


async def test_parallel_deciders_cannot_pass_the_last_peer_group_slot(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    _tenant, org, service = await _setup(runtime, staffed_tenant, members=8)
    # Peer group "một cửa" of 4 people: 25% → one A, however many deciders race for it.
    desk = org.members[:4]
    for staff in desk:
        await _run(lambda s=staff: service.update_staff_profile(
            UpdateStaffProfile(s, peer_group="một cửa")))
    await _run(lambda: service.adjust_policy(AdjustPolicy("monthly", {"quotas": [
        {"level": "A", "share": 0.5}, {"level": "A", "share": 0.25, "scope": "peer_group"}]},
        "Tỷ lệ theo nhóm")))
    june, _ = await _run(lambda: service.open_period(OpenPeriod(org.unit, 2026, 6)))

    def decide(i: int) -> str:
        with acting_as(Actor(str(org.leader), "unit_leader")):
            service.decide_rating(_decide(org, june, desk[i], Level.A, 95))
        return "accepted"

    outcomes = await anyio.to_thread.run_sync(lambda: _parallel(len(desk), decide))
    assert set(outcomes) <= {"accepted", "QUOTA_EXCEEDED", "STALE_VERSION"}
    assert outcomes.count("accepted") == 1
    period = service.app.repository.get(june)
    assert isinstance(period, EvaluationPeriod)
    assert [period.decisions.get(str(s)) for s in desk].count("A") == 1


async def test_exceptions_and_decisions_racing_never_break_the_quota(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    _tenant, org, service = await _setup(runtime, staffed_tenant, members=9)
    july, _ = await _run(lambda: service.open_period(OpenPeriod(org.unit, 2026, 7)))

    def work(i: int) -> str:
        if i == 0:  # the chair grants one extra slot while six leaders' clerks decide A
            with acting_as(Actor(str(org.chair), "unit_leader")):
                service.grant_quota_exception(GrantQuotaException(
                    PeriodId(july), Level.A, 1, "Đột xuất", str(org.chair)))
            return "granted"
        with acting_as(Actor(str(org.leader), "unit_leader")):
            service.decide_rating(_decide(org, july, org.members[i], Level.A, 95))
        return "accepted"

    outcomes = await anyio.to_thread.run_sync(lambda: _parallel(7, work))
    period = service.app.repository.get(july)
    assert isinstance(period, EvaluationPeriod)
    taken = list(period.decisions.values()).count("A")
    assert taken == outcomes.count("accepted")
    cap = 3 + (1 if "granted" in outcomes else 0)
    assert taken <= cap
    assert period.exceptions.get("A|unit", 0) == (1 if "granted" in outcomes else 0)
