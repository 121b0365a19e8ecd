"""A period's life (HR officer, the competent levels): opened under the policy in force,
a quota exception granted, the results published in the unit, closed."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.errors import PeriodAlreadyOpenError, ValidationFailedError
from domain.evaluation import OFFICIAL, PARTY, Evaluation
from domain.ids import StaffId, evaluation_id_for, period_id_for
from domain.organisation import StaffMember, competent_higher_level
from domain.period import KINDS, EvaluationPeriod, period_span
from domain.policy import SCOPE_PEER_GROUP, SCOPE_UNIT
from services.app import loading
from services.app.commands import ClosePeriod, GrantQuotaException, OpenPeriod, PublishPeriod
from services.app.handler_base import UnitOfWork
from services.app.steps import period_step

_KIND_VI = {"monthly": "tháng", "quarterly": "quý", "annual": "năm"}


def open_period(uow: UnitOfWork, cmd: OpenPeriod) -> tuple[UUID, int]:
    """Workflow step 1 (HR officer): open a period for a unit, under the policy in force.

    The period copies the policy, the members' peer groups and the unit's outstanding
    flag as they are now: later changes never re-judge it.
    """
    if cmd.kind not in KINDS:
        raise ValidationFailedError(f"Loại kỳ '{cmd.kind}' không hợp lệ.",
                                    f"Unknown period kind '{cmd.kind}'.")
    unit = loading.unit(uow, cmd.unit_id)
    policy = uow.policy_for(cmd.kind)
    period_id = period_id_for(unit.unit_id, cmd.kind, cmd.year, cmd.month)
    _, end = period_span(cmd.kind, cmd.year, cmd.month)
    deadline = cmd.deadline or end + timedelta(days=policy.self_assessment_days)
    members = list(unit.members)
    people = {i: a for i, a in uow.app.get_many(members).items()
              if isinstance(a, StaffMember)}  # one round trip for the whole unit
    peer_groups = {str(m): s.peer_group_key for m in members if (s := people.get(m))}
    period = EvaluationPeriod(id=period_id, unit_id=unit.id, kind=cmd.kind, year=cmd.year,
                              number=cmd.month, deadline=deadline,
                              policy=policy.to_state(), members=members,
                              peer_groups=peer_groups,
                              outstanding=unit.outstanding_in(cmd.year))
    evaluations = [
        Evaluation(id=evaluation_id_for(period_id, StaffId(m), OFFICIAL), period_id=period_id,
                   unit_id=unit.id, staff_id=m, subject=OFFICIAL, kind=cmd.kind,
                   year=cmd.year, number=cmd.month)
        for m in members
    ]
    if cmd.kind == "annual":  # Party members are also rated as Party members, after
        party = [m for m in members if (s := people.get(m)) is not None and s.party_member]
        evaluations += [
            Evaluation(id=evaluation_id_for(period_id, StaffId(m), PARTY),
                       period_id=period_id, unit_id=unit.id, staff_id=m, subject=PARTY,
                       kind=cmd.kind, year=cmd.year, number=cmd.month)
            for m in party
        ]
    try:
        return period_id, uow._save(period, *evaluations)
    except IntegrityError:
        what = _KIND_VI[cmd.kind]
        raise PeriodAlreadyOpenError(
            f"Kỳ đánh giá {what} {cmd.month}/{cmd.year} của đơn vị này đã được mở.",
            f"The {cmd.kind} period {cmd.month}/{cmd.year} of this unit is already open.",
        ) from None


def grant_quota_exception(uow: UnitOfWork, cmd: GrantQuotaException) -> int:
    """The competent higher level allows more of a level than the quota, with reasons
    (Decree 335/2025 art. 20.5; Party HD 21/2019). Recorded before the decision."""
    def attempt() -> int:
        period = loading.period(uow, cmd.period_id)
        unit, parent = loading.units_of(uow, period)
        authority = competent_higher_level(unit, parent, cmd.granter)
        scope = SCOPE_UNIT if cmd.peer_group is None else \
            f"{SCOPE_PEER_GROUP}:{cmd.peer_group}"
        period.grant_quota_exception(cmd.level, scope, cmd.extra, cmd.reasons, authority)
        return uow._save(period)
    return uow._retrying(attempt)


def publish_period(uow: UnitOfWork, cmd: PublishPeriod) -> int:
    """Workflow step 6: the decided results are posted inside the unit."""
    return period_step(uow, cmd.period_id, lambda period: period.publish())


def close_period(uow: UnitOfWork, cmd: ClosePeriod) -> int:
    return period_step(uow, cmd.period_id, lambda period: period.close())
