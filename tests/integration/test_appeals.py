"""Appeal rules that need time or many decisions, on the real event store: the window, the
quota on amendments, racing filings; and the accountability read model against a recount."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import anyio
import pytest

from domain.actor import Actor, acting_as
from domain.appeal import Outcome
from domain.appeal_errors import AppealAlreadyOpenError, AppealWindowClosedError
from domain.errors import DomainError, QuotaExceededError
from domain.ids import PeriodId, StaffId, evaluation_id_for
from domain.levels import Level
from projections.runner import catch_up
from services.app.appeal_commands import AcceptAppeal, DecideAppeal, FileAppeal
from services.app.appeals import hanoi_today
from services.app.commands import (
    DecideRating,
    GrantQuotaException,
    OpenPeriod,
    PublishPeriod,
    RecordDiscipline,
    SubmitSelfAssessment,
)
from services.app.handlers import AppealService
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.support.appeal_recount import leader_recount, leader_tables
from tests.support.org import Org, StaffedTenant
from tests.support.projection import assert_rebuild_equals_live, hold
from tests.support.readmodels import event_count
from tests.support.recount import recount, tables

pytestmark = pytest.mark.integration
TODAY = hanoi_today()


def _rate(service: AppealService, org: Org, levels: dict[int, tuple[Level, float]]
          ) -> PeriodId:
    with acting_as(Actor("hr", "hr_officer")):
        period, _ = service.open_period(OpenPeriod(org.unit, 2026, 3))
    for index, (level, score) in levels.items():
        staff = org.members[index]
        with acting_as(Actor(str(staff), "staff")):
            service.submit_self_assessment(SubmitSelfAssessment(period, staff, 92))
        with acting_as(Actor(str(org.leader), "unit_leader")):
            service.decide_rating(DecideRating(period, staff, level, score, "Theo kết quả.",
                                               str(org.leader)))
    with acting_as(Actor("hr", "hr_officer")):
        service.publish_period(PublishPeriod(period))
    return PeriodId(period)


def _file(service: AppealService, period: PeriodId, staff: StaffId,
          claimed: Level | None = Level.A) -> uuid.UUID:
    appeal_id = uuid.uuid4()
    with acting_as(Actor(str(staff), "staff")):
        service.file(FileAppeal(appeal_id, evaluation_id_for(period, staff, "official"),
                                str(staff), "Đề nghị xem xét lại.", claimed))
    return appeal_id


async def _setup(runtime: Runtime, staffed_tenant: StaffedTenant, members: int = 4
                 ) -> tuple[Tenant, Org, AppealService]:
    tenant, org = await staffed_tenant(members=members)
    return tenant, org, AppealService(runtime.apps.get(tenant.slug))


async def _rated(runtime: Runtime, staffed_tenant: StaffedTenant,
                 levels: dict[int, tuple[Level, float]], members: int = 4
                 ) -> tuple[Tenant, Org, AppealService, PeriodId]:
    """A fresh tenant whose March is rated as ``levels`` say (see ``_rate``)."""
    tenant, org, service = await _setup(runtime, staffed_tenant, members=members)
    return tenant, org, service, await anyio.to_thread.run_sync(
        lambda: _rate(service, org, levels))


async def test_an_appeal_after_the_window_is_refused_and_writes_nothing(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org, _, period = await _rated(runtime, staffed_tenant, {0: (Level.B, 80)})
    late = AppealService(runtime.apps.get(tenant.slug), clock=lambda: TODAY + timedelta(days=11))
    async with runtime.pool.acquire() as conn:
        before = await event_count(conn, tenant.schema)
        with pytest.raises(AppealWindowClosedError) as refused:
            await anyio.to_thread.run_sync(lambda: _file(late, period, org.members[0]))
        assert await event_count(conn, tenant.schema) == before
    assert refused.value.message_vi.startswith("Đã hết thời hạn khiếu nại")
    last_day = AppealService(runtime.apps.get(tenant.slug),
                             clock=lambda: TODAY + timedelta(days=10))
    await anyio.to_thread.run_sync(lambda: _file(last_day, period, org.members[0]))


async def test_an_amendment_beyond_the_quota_needs_an_exception_from_the_level_above(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    # 5 to rate (head + 4): 30% → one excellent, already taken by member 0.
    tenant, org, service, period = await _rated(runtime, staffed_tenant,
                                                {0: (Level.A, 95), 1: (Level.B, 88)})
    staff = org.members[1]
    appeal = await anyio.to_thread.run_sync(lambda: _file(service, period, staff))
    with acting_as(Actor(str(org.leader), "unit_leader")):
        await anyio.to_thread.run_sync(lambda: service.accept(AcceptAppeal(appeal,
                                                                           str(org.leader))))
    decide = DecideAppeal(appeal, str(org.leader), Outcome.UPHELD, "Đủ căn cứ.", Level.A, 93)
    async with runtime.pool.acquire() as conn:
        before = await event_count(conn, tenant.schema)
        with acting_as(Actor(str(org.leader), "unit_leader")), \
                pytest.raises(QuotaExceededError):
            await anyio.to_thread.run_sync(lambda: service.decide(decide))
        assert await event_count(conn, tenant.schema) == before
    # The level above grants an exception, with reasons: then the amendment stands.
    grant = GrantQuotaException(period, Level.A, 1, "Thành tích đột xuất được xác nhận.",
                                str(org.chair))
    with acting_as(Actor(str(org.chair), "unit_leader")):
        await anyio.to_thread.run_sync(lambda: service.grant_quota_exception(grant))
    with acting_as(Actor(str(org.leader), "unit_leader")):
        await anyio.to_thread.run_sync(lambda: service.decide(decide))
    assert service.appeal(appeal).status == "closed"


async def test_two_racing_filings_leave_one_open_appeal(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org, _, period = await _rated(runtime, staffed_tenant, {0: (Level.C, 60)})
    staff = org.members[0]

    def attempt() -> str:
        try:
            _file(AppealService(runtime.apps.get(tenant.slug)), period, staff, Level.B)
        except AppealAlreadyOpenError as error:
            return error.code
        return "filed"

    def race() -> list[str]:
        with ThreadPoolExecutor(4) as pool:
            return sorted(pool.map(lambda _: attempt(), range(4)))

    outcomes = await anyio.to_thread.run_sync(race)
    assert outcomes == ["APPEAL_ALREADY_OPEN"] * 3 + ["filed"]


async def test_leader_accountability_equals_a_recount_of_the_log(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    levels = {0: (Level.C, 60.0), 1: (Level.C, 65.0), 2: (Level.B, 80.0), 3: (Level.B, 75.0)}
    tenant, org, service, period = await _rated(runtime, staffed_tenant, levels, members=6)
    conn = await runtime.pool.acquire()
    # Keep the served app's projector off this tenant: this test drives projections.
    await hold(conn, tenant)

    def appeals() -> None:
        leader = str(org.leader)
        for index, outcome, level, score in [(0, Outcome.UPHELD, Level.B, 72.0),
                                             (1, Outcome.DISMISSED, None, None),
                                             (2, Outcome.PARTIALLY_UPHELD, Level.B, 85.0)]:
            appeal = _file(service, period, org.members[index], None)
            with acting_as(Actor(leader, "unit_leader")):
                service.accept(AcceptAppeal(appeal, leader))
                service.decide(DecideAppeal(appeal, leader, outcome, "Theo hồ sơ.", level,
                                            score))
    try:
        await catch_up(conn, tenant.schema)  # part-way, then the appeals as they arrive
        await anyio.to_thread.run_sync(appeals)
        await catch_up(conn, tenant.schema)
        live = await leader_tables(conn, tenant.schema)
        assert live == await leader_recount(conn, tenant.schema)
        assert live[str(org.leader)][:3] == (4, 3, 2)  # decisions, appealed, overturned
        # Boards, trends and timelines follow the amendments too.
        assert await tables(conn, tenant.schema) == await recount(conn, tenant.schema)
        await assert_rebuild_equals_live(conn, tenant.schema)
    finally:
        await runtime.pool.release(conn)


async def test_an_appeal_cannot_lift_a_disciplined_person_above_not_completed(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    """Decree 48/2023: disciplined in the year → not completed; an appeal's outcome too."""
    tenant, org, service = await _setup(runtime, staffed_tenant)
    staff, leader = org.members[0], str(org.leader)

    def rate_the_year() -> uuid.UUID:
        with acting_as(Actor("hr", "hr_officer")):
            service.record_discipline(RecordDiscipline(staff, date(2026, 5, 4), "khiển trách"))
            period, _ = service.open_period(OpenPeriod(org.unit, 2026, 1, kind="annual"))
        with acting_as(Actor(leader, "unit_leader")):
            service.decide_rating(DecideRating(PeriodId(period), staff, Level.D, 45,
                                               "Bị kỷ luật khiển trách trong năm.", leader))
        with acting_as(Actor("hr", "hr_officer")):
            service.publish_period(PublishPeriod(PeriodId(period)))
        appeal = _file(service, PeriodId(period), staff, Level.C)
        with acting_as(Actor(leader, "unit_leader")):
            service.accept(AcceptAppeal(appeal, leader))
        return appeal

    appeal = await anyio.to_thread.run_sync(rate_the_year)
    uphold = DecideAppeal(appeal, leader, Outcome.UPHELD, "Đủ điểm.", Level.C, 60)
    async with runtime.pool.acquire() as conn:
        before = await event_count(conn, tenant.schema)
        with acting_as(Actor(leader, "unit_leader")), pytest.raises(DomainError) as refused:
            await anyio.to_thread.run_sync(lambda: service.decide(uphold))
        assert await event_count(conn, tenant.schema) == before
    assert refused.value.code == "ELIGIBILITY_CAP"
