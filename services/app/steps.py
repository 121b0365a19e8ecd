"""The skeletons of steps of one shape: read, let a rule change the aggregate, save once,
run again on a version clash."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from domain.evaluation import Evaluation
from domain.period import EvaluationPeriod
from services.app import loading
from services.app.handler_base import A, UnitOfWork, not_found


def evaluation_step(uow: UnitOfWork, period_id: UUID, staff_id: UUID,
                    change: Callable[[EvaluationPeriod, Evaluation], None],
                    own: bool = False) -> int:
    """A step on one person's evaluation in an open period (self-assessment, opinion,
    proposal): both read in one round trip, the period checked open, ``change`` applies
    the rule, the evaluation saved; run again on a version clash. With ``own`` (the person
    acting on their own file), another unit's period reads as absent; one who joined their
    unit after it opened is told so."""
    def attempt() -> int:
        uow._prefetch(period_id, loading.evaluation_id(period_id, staff_id),
                      *loading.units_hint(uow, period_id)[:1])
        period = loading.period(uow, period_id)
        if own and staff_id not in period.members and \
                staff_id not in loading.unit(uow, period.unit_id).members:
            raise not_found("kỳ đánh giá", "Evaluation period")
        period.ensure_open()
        evaluation = loading.evaluation(uow, period, staff_id)
        change(period, evaluation)
        return uow._save(evaluation)
    return uow._retrying(attempt)


def aggregate_step(uow: UnitOfWork, load: Callable[[], A],
                   change: Callable[[A], None]) -> int:
    """A step on one aggregate alone (a person's absence, a unit's outstanding year, an
    appeal's question): ``load`` it, let ``change`` apply the rule, save; run again on a
    version clash."""
    def attempt() -> int:
        aggregate = load()
        change(aggregate)
        return uow._save(aggregate)
    return uow._retrying(attempt)


def period_step(uow: UnitOfWork, period_id: UUID,
                change: Callable[[EvaluationPeriod], None]) -> int:
    """A step on the period alone."""
    return aggregate_step(uow, lambda: loading.period(uow, period_id), change)
