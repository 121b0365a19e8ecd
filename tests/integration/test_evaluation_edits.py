"""Edits of one evaluation on a real log: concurrent edits of the same evaluation (one wins,
the other gets STALE_VERSION and can retry), and the rules that guard an evaluation's
membership and its single decision, each refused with its code and nothing written."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import anyio
import pytest

from domain.actor import Actor, acting_as
from domain.errors import DomainError
from domain.evaluation import Evaluation
from domain.ids import PeriodId, StaffId
from domain.levels import Level
from services.app import loading
from services.app.commands import (
    AdjustPolicy,
    ClosePeriod,
    DecideRating,
    GrantQuotaException,
    OpenPeriod,
    ProposeRating,
    RegisterStaff,
    SubmitSelfAssessment,
)
from services.app.handlers import TenantService
from services.runtime import Runtime
from tests.integration.test_domain_rules import _parallel, _refused, _run, _setup
from tests.support.org import StaffedTenant, month_open
from tests.support.readmodels import event_count

pytestmark = pytest.mark.integration


def _evaluation(service: TenantService, period: uuid.UUID, staff: StaffId) -> Evaluation:
    return loading.evaluation(service, loading.period(service, period), staff)


async def test_concurrent_proposals_on_one_evaluation_one_wins_the_other_is_stale(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org, service, march = await month_open(runtime, staffed_tenant, 3, 3)
    staff = org.members[0]
    read = _evaluation(service, march, staff).version
    async with runtime.pool.acquire() as conn:
        before = await event_count(conn, tenant.schema)
    # The unit leader and the personnel officer both opened the file at version ``read``.
    proposers = [(str(org.leader), "unit_leader", Level.B, 80.0),
                 ("hr", "hr_officer", Level.C, 60.0)]

    def propose(i: int) -> str:
        who, role, level, score = proposers[i]
        with acting_as(Actor(who, role)):
            service.propose_rating(ProposeRating(PeriodId(march), staff, level, score, "", "",
                                                 who, expected_version=read))
        return "accepted"

    outcomes = await anyio.to_thread.run_sync(lambda: _parallel(2, propose))
    assert sorted(outcomes) == ["STALE_VERSION", "accepted"]
    async with runtime.pool.acquire() as conn:
        assert await event_count(conn, tenant.schema) == before + 1
    won = _evaluation(service, march, staff)
    assert won.version == read + 1
    # Exactly one proposal stands (whichever was saved first); the other wrote nothing.
    assert won.proposed_level in {p[2].value for p in proposers}
    # The loser reloads, sees the winner's proposal, and retries on the version it now read.
    loser = next(p for p in proposers if p[2].value != won.proposed_level)
    await _run(lambda: service.propose_rating(ProposeRating(
        PeriodId(march), staff, loser[2], loser[3], "", "", loser[0],
        expected_version=won.version)), Actor(loser[0], loser[1]))
    assert _evaluation(service, march, staff).proposed_level == loser[2].value


async def test_an_edit_on_a_version_read_before_a_change_is_stale_and_writes_nothing(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org, service, april = await month_open(runtime, staffed_tenant, 3, 4)
    staff = org.members[1]
    leader = Actor(str(org.leader), "unit_leader")
    read = _evaluation(service, april, staff).version
    # The person submits their self-assessment after the leader opened the file …
    await _run(lambda: service.submit_self_assessment(SubmitSelfAssessment(
        PeriodId(april), staff, 82, expected_version=read)), Actor(str(staff), "staff"))
    # … so a decision taken on the version the leader read is refused, and so is a second
    # self-assessment on the old version.
    await _refused(runtime, tenant, "STALE_VERSION", lambda: service.decide_rating(DecideRating(
        PeriodId(april), staff, Level.B, 82, "", str(org.leader), expected_version=read)),
        leader)
    await _refused(runtime, tenant, "STALE_VERSION", lambda: service.submit_self_assessment(
        SubmitSelfAssessment(PeriodId(april), staff, 70, expected_version=read)),
        Actor(str(staff), "staff"))
    fresh = _evaluation(service, april, staff).version
    await _run(lambda: service.decide_rating(DecideRating(
        PeriodId(april), staff, Level.B, 82, "", str(org.leader), expected_version=fresh)),
        leader)
    assert _evaluation(service, april, staff).level == Level.B.value


async def test_a_decided_evaluation_is_not_decided_or_reassessed_again(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org, service, may = await month_open(runtime, staffed_tenant, 3, 5)
    staff = org.members[0]
    leader = Actor(str(org.leader), "unit_leader")
    await _run(lambda: service.decide_rating(DecideRating(
        PeriodId(may), staff, Level.B, 80, "", str(org.leader))), leader)
    await _refused(runtime, tenant, "ALREADY_DECIDED", lambda: service.decide_rating(
        DecideRating(PeriodId(may), staff, Level.C, 60, "Xem lại", str(org.leader))), leader)
    await _refused(runtime, tenant, "ALREADY_DECIDED", lambda: service.submit_self_assessment(
        SubmitSelfAssessment(PeriodId(may), staff, 95)), Actor(str(staff), "staff"))
    await _refused(runtime, tenant, "ALREADY_DECIDED", lambda: service.propose_rating(
        ProposeRating(PeriodId(may), staff, Level.A, 95, "", "", "hr")))


async def test_someone_who_joined_after_the_period_opened_is_not_rated_in_it(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org, service, june = await month_open(runtime, staffed_tenant, 3, 6)
    leader = Actor(str(org.leader), "unit_leader")
    newcomer = StaffId(uuid.uuid4())
    await _run(lambda: service.register_staff(RegisterStaff(
        newcomer, "Lê Văn Đến", "civil_servant", "Chuyên viên", org.unit)))
    await _refused(runtime, tenant, "NOT_IN_PERIOD", lambda: service.decide_rating(
        DecideRating(PeriodId(june), newcomer, Level.B, 80, "", str(org.leader))), leader)
    await _refused(runtime, tenant, "NOT_IN_PERIOD", lambda: service.submit_self_assessment(
        SubmitSelfAssessment(PeriodId(june), newcomer, 80)), Actor(str(newcomer), "staff"))


async def test_each_rule_of_a_monthly_decision_broken_gives_its_code_and_writes_nothing(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org, service, july = await month_open(runtime, staffed_tenant, 3, 7)
    leader, chair = Actor(str(org.leader), "unit_leader"), Actor(str(org.chair), "unit_leader")

    def decide(staff: StaffId, level: Level, score: float, by: StaffId,
               reasons: str = "") -> Callable[[], int]:
        return lambda: service.decide_rating(DecideRating(PeriodId(july), staff, level, score,
                                                          reasons, str(by)))

    first = org.members[0]
    await _refused(runtime, tenant, "SCORE_OUT_OF_RANGE", decide(first, Level.B, 101,
                                                                 org.leader), leader)
    await _refused(runtime, tenant, "LEVEL_SCORE_MISMATCH", decide(first, Level.A, 85,
                                                                   org.leader), leader)
    # The chair heads the unit above: competent for the unit's head, not for its members.
    await _refused(runtime, tenant, "NOT_COMPETENT_LEADER", decide(first, Level.B, 85,
                                                                   org.chair), chair)
    await _refused(runtime, tenant, "SELF_RATING", decide(org.leader, Level.B, 85,
                                                          org.leader), leader)
    await _run(decide(org.leader, Level.B, 85, org.chair), chair)
    await _run(lambda: service.close_period(ClosePeriod(PeriodId(july))))
    await _refused(runtime, tenant, "PERIOD_CLOSED", decide(first, Level.B, 85, org.leader),
                   leader)


async def test_refusals_name_the_levels_as_the_periods_policy_does(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    _tenant, org, service = await _setup(runtime, staffed_tenant, members=2)
    leader = Actor(str(org.leader), "unit_leader")
    labels = {"A": "Xuất sắc (tháng)", "B": "Tốt (tháng)", "C": "Đạt (tháng)", "D": "Chưa đạt"}
    await _run(lambda: service.adjust_policy(AdjustPolicy("monthly", {"level_labels": labels},
                                                          "Tên gọi trên bảng tháng")))
    august, _ = await _run(lambda: service.open_period(OpenPeriod(org.unit, 2026, 8)))
    with pytest.raises(DomainError) as caught:
        await _run(lambda: service.decide_rating(DecideRating(
            PeriodId(august), org.members[0], Level.A, 80, "", str(org.leader))), leader)
    assert caught.value.code == "LEVEL_SCORE_MISMATCH"
    assert "'Xuất sắc (tháng)'" in caught.value.message_vi
    assert "'Tốt (tháng)'" in caught.value.message_vi
    with pytest.raises(DomainError) as caught:  # 3 people: 30% leaves no A
        await _run(lambda: service.decide_rating(DecideRating(
            PeriodId(august), org.members[0], Level.A, 95, "", str(org.leader))), leader)
    assert caught.value.code == "QUOTA_EXCEEDED"
    assert "'Xuất sắc (tháng)'" in caught.value.message_vi


async def test_a_quota_exception_without_reasons_is_refused_and_writes_nothing(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org, service = await _setup(runtime, staffed_tenant, members=3)
    chair = Actor(str(org.chair), "unit_leader")
    september, _ = await _run(lambda: service.open_period(OpenPeriod(org.unit, 2026, 9)))

    def grant(extra: int, reasons: str) -> Callable[[], int]:
        return lambda: service.grant_quota_exception(GrantQuotaException(
            PeriodId(september), Level.A, extra, reasons, str(org.chair)))

    await _refused(runtime, tenant, "INVALID_INPUT", grant(1, "  "), chair)
    await _refused(runtime, tenant, "INVALID_INPUT", grant(0, "Thành tích đột xuất"), chair)
    await _run(grant(1, "Thành tích đột xuất"), chair)
