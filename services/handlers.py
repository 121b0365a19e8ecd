"""Command handlers: load aggregates, let the domain decide, save atomically.

Synchronous, because the ``eventsourcing`` library is; the async API calls them through
``anyio.to_thread``. Each returns the log position of the last event it wrote, so the
caller can ask a query to be at least that fresh (read-your-writes).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from domain.errors import NotFoundError, PeriodAlreadyOpenError, StaleVersionError
from domain.evaluation import OFFICIAL, Evaluation
from domain.ids import PeriodId, StaffId, evaluation_id_for, period_id_for
from domain.organisation import StaffMember, Unit, competent_decider
from domain.period import EvaluationPeriod
from domain.policy import HANOI_MONTHLY_2018, Policy
from services.commands import (
    AppointLeader,
    ClosePeriod,
    DecideRating,
    OpenPeriod,
    RegisterStaff,
    RegisterUnit,
    SubmitSelfAssessment,
)
from services.eventstore import Evaluations

A = TypeVar("A", bound=Aggregate)
RETRIES = 5


def _not_found(what_vi: str, what_en: str) -> NotFoundError:
    return NotFoundError(f"Không tìm thấy {what_vi}.", f"{what_en} not found.")


class TenantService:
    """The application layer of one tenant."""

    def __init__(self, app: Evaluations, policy: Policy = HANOI_MONTHLY_2018) -> None:
        self.app = app
        self.policy = policy

    def _get(self, cls: type[A], aggregate_id: UUID, what_vi: str, what_en: str) -> A:
        try:
            aggregate: Aggregate = self.app.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise _not_found(what_vi, what_en) from None
        if not isinstance(aggregate, cls):
            raise _not_found(what_vi, what_en)
        return aggregate

    def _save(self, *aggregates: Aggregate) -> int:
        recordings = self.app.save(*aggregates)
        return max((r.notification.id for r in recordings), default=0)

    def _retrying(self, attempt: Callable[[], int]) -> int:
        """Optimistic concurrency: on a version clash, reload and decide again."""
        for _ in range(RETRIES):
            try:
                return attempt()
            except IntegrityError:
                continue
        raise StaleVersionError(
            "Dữ liệu vừa được người khác thay đổi; vui lòng thử lại.",
            "Someone else changed this record at the same moment; please retry.",
        )

    # Organisation ---------------------------------------------------------

    def register_unit(self, cmd: RegisterUnit) -> int:
        if cmd.parent_id is not None:
            self._get(Unit, cmd.parent_id, "đơn vị cấp trên", "Parent unit")
        return self._save(Unit(id=cmd.unit_id, name=cmd.name, kind=cmd.kind,
                               parent_id=cmd.parent_id))

    def register_staff(self, cmd: RegisterStaff) -> int:
        def attempt() -> int:
            unit = self._get(Unit, cmd.unit_id, "đơn vị", "Unit")
            staff = StaffMember(id=cmd.staff_id, full_name=cmd.full_name,
                                staff_type=cmd.staff_type, position=cmd.position,
                                unit_id=cmd.unit_id, party_member=cmd.party_member)
            unit.join(staff.id)  # type: ignore[arg-type]
            return self._save(staff, unit)
        return self._retrying(attempt)

    def appoint_leader(self, cmd: AppointLeader) -> int:
        def attempt() -> int:
            unit = self._get(Unit, cmd.unit_id, "đơn vị", "Unit")
            self._get(StaffMember, cmd.staff_id, "cán bộ", "Staff member")
            unit.appoint_leader(cmd.staff_id)
            return self._save(unit)
        return self._retrying(attempt)

    # One period's workflow -------------------------------------------------

    def open_period(self, cmd: OpenPeriod) -> tuple[UUID, int]:
        """Workflow step 1 (HR officer): open the month for a unit, under the policy in force."""
        unit = self._get(Unit, cmd.unit_id, "đơn vị", "Unit")
        period_id = period_id_for(unit.unit_id, "monthly", cmd.year, cmd.month)
        last_day = calendar.monthrange(cmd.year, cmd.month)[1]
        deadline = cmd.deadline or date(cmd.year, cmd.month, last_day) + timedelta(
            days=self.policy.self_assessment_days)
        members = list(unit.members)
        period = EvaluationPeriod(id=period_id, unit_id=unit.id, kind="monthly", year=cmd.year,
                                  number=cmd.month, deadline=deadline,
                                  policy=self.policy.to_state(), members=members)
        evaluations = [
            Evaluation(id=evaluation_id_for(period_id, StaffId(m), OFFICIAL), period_id=period_id,
                       unit_id=unit.id, staff_id=m, subject=OFFICIAL, kind="monthly",
                       year=cmd.year, number=cmd.month)
            for m in members
        ]
        try:
            return period_id, self._save(period, *evaluations)
        except IntegrityError:
            raise PeriodAlreadyOpenError(
                f"Kỳ đánh giá tháng {cmd.month}/{cmd.year} của đơn vị này đã được mở.",
                f"The {cmd.month}/{cmd.year} period of this unit is already open.",
            ) from None

    def _period(self, period_id: UUID) -> EvaluationPeriod:
        return self._get(EvaluationPeriod, period_id, "kỳ đánh giá", "Evaluation period")

    def _evaluation(self, period: EvaluationPeriod, staff_id: UUID) -> Evaluation:
        period.ensure_member(staff_id)
        eid = evaluation_id_for(PeriodId(period.id), StaffId(staff_id), OFFICIAL)
        return self._get(Evaluation, eid, "phiếu đánh giá", "Evaluation")

    def submit_self_assessment(self, cmd: SubmitSelfAssessment) -> int:
        """Workflow step 2 (each person): score oneself, list task results."""
        def attempt() -> int:
            period = self._period(cmd.period_id)
            period.ensure_open()
            evaluation = self._evaluation(period, cmd.staff_id)
            evaluation.submit_self_assessment(cmd.score, cmd.tasks, cmd.note, period.policy)
            return self._save(evaluation)
        return self._retrying(attempt)

    def decide_rating(self, cmd: DecideRating) -> int:
        """Workflow step 5 (the competent leader): decide, with reasons, within the quota.

        The period and the evaluation are saved in one transaction; if another decision
        landed on the period meanwhile, the whole check runs again on fresh state.
        """
        def attempt() -> int:
            period = self._period(cmd.period_id)
            period.ensure_open()
            unit = self._get(Unit, period.unit_id, "đơn vị", "Unit")
            parent = (self._get(Unit, unit.parent_id, "đơn vị cấp trên", "Parent unit")
                      if unit.parent_id else None)
            competent_decider(cmd.staff_id, unit, parent, cmd.decider)
            evaluation = self._evaluation(period, cmd.staff_id)
            policy = period.policy
            evaluation.decide(cmd.level, cmd.score, cmd.reasons, policy)
            period.register_decision(cmd.staff_id, cmd.level)
            return self._save(period, evaluation)
        return self._retrying(attempt)

    def close_period(self, cmd: ClosePeriod) -> int:
        def attempt() -> int:
            period = self._period(cmd.period_id)
            period.close()
            return self._save(period)
        return self._retrying(attempt)


def events_of(app: Evaluations, aggregate_id: UUID) -> list[Any]:
    return list(app.events.get(aggregate_id))
