"""What several use cases load the same way: a period, a person's evaluation in it, a unit
with the unit above it. Each takes the unit of work of the current attempt."""

from __future__ import annotations

from uuid import UUID

from domain.evaluation import OFFICIAL, Evaluation
from domain.ids import PeriodId, StaffId, evaluation_id_for
from domain.organisation import StaffMember, Unit
from domain.period import EvaluationPeriod
from services.app.handler_base import UnitOfWork


def evaluation_id(period_id: UUID, staff_id: UUID, subject: str = OFFICIAL) -> UUID:
    return evaluation_id_for(PeriodId(period_id), StaffId(staff_id), subject)


def find_period(uow: UnitOfWork, period_id: UUID) -> EvaluationPeriod | None:
    return uow._find(EvaluationPeriod, period_id)


def period(uow: UnitOfWork, period_id: UUID) -> EvaluationPeriod:
    return uow._get(EvaluationPeriod, period_id, "kỳ đánh giá", "Evaluation period")


def evaluation(uow: UnitOfWork, of: EvaluationPeriod, staff_id: UUID,
               subject: str = OFFICIAL) -> Evaluation:
    """The person's evaluation in the period (a non-member is refused by the period)."""
    of.ensure_member(staff_id)
    return uow._get(Evaluation, evaluation_id(of.id, staff_id, subject), "phiếu đánh giá",
                    "Evaluation")


def staff(uow: UnitOfWork, staff_id: UUID) -> StaffMember:
    return uow._get(StaffMember, staff_id, "cán bộ", "Staff member")


def unit(uow: UnitOfWork, unit_id: UUID) -> Unit:
    return uow._get(Unit, unit_id, "đơn vị", "Unit")


def unit_and_parent(uow: UnitOfWork, unit_id: UUID) -> tuple[Unit, Unit | None]:
    """A unit and the unit above it (None at the top): who is competent is decided on both."""
    found = unit(uow, unit_id)
    parent = (uow._get(Unit, found.parent_id, "đơn vị cấp trên", "Parent unit")
              if found.parent_id else None)
    return found, parent


def units_of(uow: UnitOfWork, of: EvaluationPeriod) -> tuple[Unit, Unit | None]:
    return unit_and_parent(uow, of.unit_id)


def units_hint(uow: UnitOfWork, period_id: UUID) -> tuple[UUID | None, UUID | None]:
    """The unit and parent unit a period was last seen under (from the cache), to read
    them with the rest; if the unit has moved since, ``units_of`` reads the new parent."""
    cached = uow.app.cached(period_id)
    unit_id = getattr(cached, "unit_id", None)
    found = uow.app.cached(unit_id) if unit_id is not None else None
    return unit_id, getattr(found, "parent_id", None)


def name_of(uow: UnitOfWork, staff_id: UUID) -> str:
    found = uow._find(StaffMember, staff_id)
    return found.full_name if found is not None else str(staff_id)
