"""A person's decided results over time, and the roll-up (step 9): the quarterly or annual
proposal computed from the months by the period's policy. The results follow the person
across the units of this tenant and those imported from another tenant on transfer."""

from __future__ import annotations

from datetime import date

from eventsourcing.persistence import IntegrityError

from domain.errors import StaleVersionError, ValidationFailedError
from domain.evaluation import OFFICIAL, Evaluation
from domain.ids import StaffId, UnitId, evaluation_id_for, period_id_for
from domain.levels import Level
from domain.organisation import StaffMember
from domain.period import period_span
from domain.rollup import MonthlyResult, roll_up
from services.app import loading
from services.app.commands import ProposeRollups
from services.app.handler_base import UnitOfWork


def monthly_results(uow: UnitOfWork, staff: StaffMember, start: date, end: date
                    ) -> list[MonthlyResult]:
    """The person's decided monthly results in ``start``–``end``: from every unit of this
    tenant they belonged to, and those imported from another tenant on transfer."""
    found: dict[tuple[int, int], MonthlyResult] = {}
    for imported in staff.prior_results:
        key = (int(imported["year"]), int(imported["month"]))
        if start <= date(*key, 1) <= end:
            found[key] = MonthlyResult(*key, Level(imported["level"]),
                                       float(imported["score"]), imported.get("tenant", ""))
    month = date(start.year, start.month, 1)
    while month <= end:
        for unit_id in staff.unit_history:
            pid = period_id_for(UnitId(unit_id), "monthly", month.year, month.month)
            ev = uow._find(Evaluation, evaluation_id_for(pid, StaffId(staff.id), OFFICIAL))
            if ev is not None and ev.level is not None and ev.score is not None:
                found[(month.year, month.month)] = MonthlyResult(
                    month.year, month.month, Level(ev.level), float(ev.score), str(unit_id))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    _quarterly_results(uow, staff, start, end, found)
    return [found[k] for k in sorted(found)]

def _quarterly_results(uow: UnitOfWork, staff: StaffMember, start: date, end: date,
                       found: dict[tuple[int, int], MonthlyResult]) -> None:
    """Decree 335 lets an agency track work by quarter instead of by month: a decided
    quarter with no monthly result in it stands for each of its months in
    ``start``–``end``, so the annual roll-up weighs a quarter as three months."""
    for year in range(start.year, end.year + 1):
        for quarter in range(1, 5):
            months = [(year, m) for m in range(3 * quarter - 2, 3 * quarter + 1)
                      if start <= date(year, m, 1) <= end]
            if not months or any(key in found for key in months):
                continue  # tracked by month (wholly or partly): the months speak
            for unit_id in staff.unit_history:
                pid = period_id_for(UnitId(unit_id), "quarterly", year, quarter)
                ev = uow._find(Evaluation,
                                evaluation_id_for(pid, StaffId(staff.id), OFFICIAL))
                if ev is not None and ev.level is not None and ev.score is not None:
                    for key in months:
                        found[key] = MonthlyResult(*key, Level(ev.level), float(ev.score),
                                                   f"{unit_id} Q{quarter}")

def propose_rollups(uow: UnitOfWork, cmd: ProposeRollups) -> int:
    """Roll-up (step 9): every undecided member of a quarterly or annual period gets a
    proposal computed from their monthly results by the period's policy. One save."""
    period = loading.period(uow, cmd.period_id)
    period.ensure_open()
    if period.kind == "monthly":
        raise ValidationFailedError("Chỉ tổng hợp cho kỳ quý hoặc năm.",
                                    "Roll-ups are for quarterly or annual periods.")
    start, end = period_span(period.kind, period.year, period.number)
    policy = period.policy
    changed = []
    for member in period.members:
        evaluation = loading.evaluation(uow, period, member)
        staff = uow._find(StaffMember, member)
        if evaluation.level is not None or staff is None or str(member) == cmd.proposer:
            continue
        result = roll_up(policy, monthly_results(uow, staff, start, end))
        if result is None:
            continue
        evaluation.propose(result.level, result.score, result.summary_vi, "", policy,
                           cmd.proposer)
        changed.append(evaluation)
    if not changed:
        return 0
    try:
        return uow._save(*changed)
    except IntegrityError:
        raise StaleVersionError(
            "Dữ liệu vừa được người khác thay đổi; vui lòng thử lại.",
            "Someone else changed these evaluations at the same moment; please retry.",
        ) from None
