"""The decision on a person's rating (the competent leader): one at a time, a unit's whole
board in one act, the Party-member rating after the official one. Each checks who is
competent, the order (collectives first in an annual round, heads after their members), the
quota and the person's eligibility, and saves the period with what it decided."""

from __future__ import annotations

from uuid import UUID

from domain.eligibility import assess
from domain.errors import DomainError, ValidationFailedError
from domain.evaluation import OFFICIAL, PARTY, Evaluation
from domain.ids import PeriodId, StaffId, evaluation_id_for
from domain.organisation import StaffMember, Unit, competent_decider
from domain.period import EvaluationPeriod, period_span
from services.app import loading, work
from services.app.commands import DecidePartyRating, DecideRating, DecideRatings
from services.app.handler_base import UnitOfWork, not_found


def _open_for_decision(uow: UnitOfWork, period_id: UUID, staff_id: StaffId, decider: str
                       ) -> tuple[EvaluationPeriod, Unit, str]:
    """One person's decision begins alike: the period, the person's evaluation, the person
    and the units read in one round trip, the period checked open, the decider checked
    competent for the person. Returns the period, the unit and the basis of competence."""
    uow._prefetch(period_id, loading.evaluation_id(period_id, staff_id), staff_id,
                  *loading.units_hint(uow, period_id))
    period = loading.period(uow, period_id)
    period.ensure_open()
    unit, parent = loading.units_of(uow, period)
    return period, unit, competent_decider(staff_id, unit, parent, decider)


def decide_rating(uow: UnitOfWork, cmd: DecideRating) -> int:
    """Workflow step 5 (the competent leader): decide, with reasons, within the quota.

    The period and the evaluation are saved in one transaction; if another decision
    landed on the period meanwhile, the whole check runs again on fresh state. If the
    evaluation itself changed since the version the decider read, STALE_VERSION.
    """
    def attempt() -> int:
        period, unit, basis = _open_for_decision(uow, cmd.period_id, cmd.staff_id,
                                                 cmd.decider)
        period.ensure_heads_last(cmd.staff_id, unit.leader_id)
        uow._ensure_collectives_first(period)
        evaluation = loading.evaluation(uow, period, cmd.staff_id)
        evaluation.ensure_version(cmd.expected_version)
        staff = loading.staff(uow, cmd.staff_id)
        start, end = period_span(period.kind, period.year, period.number)
        eligibility = assess(staff, start, end, annual=period.kind == "annual")
        work.decide_evaluation(uow, period, evaluation, staff, unit.leader_id, cmd.level,
                               cmd.score, cmd.reasons, cmd.authority or basis, eligibility)
        period.register_decision(cmd.staff_id, cmd.level)
        return uow._save(period, evaluation)
    return uow._retrying(attempt)


def decide_ratings(uow: UnitOfWork, cmd: DecideRatings) -> int:
    """A unit's board decided in one act (the leader signs the month's list): every line
    is checked exactly as ``decide_rating`` checks one decision, against the period as
    the lines before it leave it (so the quota counts the whole board), and everything
    is saved in one transaction — the whole board is recorded, or nothing is. A refusal
    names the line and the person. Heads are decided after their members whatever the
    order given (an annual round requires it; a monthly one does not mind).
    """
    if not cmd.decisions:
        raise ValidationFailedError("Danh sách quyết định xếp loại đang trống.",
                                    "The list of decisions is empty.")
    if len({d.staff_id for d in cmd.decisions}) != len(cmd.decisions):
        raise ValidationFailedError(
            "Một người xuất hiện hai lần trong danh sách quyết định xếp loại.",
            "Someone appears twice in the list of decisions.")

    # Every evaluation and person of the board is read with the period and its units, in
    # one round trip, not two per line.
    eids = {d.staff_id: evaluation_id_for(PeriodId(cmd.period_id), d.staff_id, OFFICIAL)
            for d in cmd.decisions}

    def attempt() -> int:
        uow._prefetch(cmd.period_id, *loading.units_hint(uow, cmd.period_id), *eids.values(),
                      *eids)
        period = loading.period(uow, cmd.period_id)
        period.ensure_open()
        unit, parent = loading.units_of(uow, period)
        uow._ensure_collectives_first(period)
        lines = sorted(enumerate(cmd.decisions, start=1),
                       key=lambda line: line[1].staff_id == unit.leader_id)
        start, end = period_span(period.kind, period.year, period.number)
        evaluations: list[Evaluation] = []
        for number, d in lines:
            try:
                basis = competent_decider(d.staff_id, unit, parent, cmd.decider)
                period.ensure_heads_last(d.staff_id, unit.leader_id)
                period.ensure_member(d.staff_id)
                evaluation = uow._find(Evaluation, eids[d.staff_id])
                staff = uow._find(StaffMember, d.staff_id)
                if not isinstance(evaluation, Evaluation):
                    raise not_found("phiếu đánh giá", "Evaluation")
                if not isinstance(staff, StaffMember):
                    raise not_found("cán bộ", "Staff member")
                evaluation.ensure_version(d.expected_version)
                eligibility = assess(staff, start, end, annual=period.kind == "annual")
                work.decide_evaluation(uow, period, evaluation, staff, unit.leader_id,
                                       d.level, d.score, d.reasons, cmd.authority or basis,
                                       eligibility)
                period.register_decision(d.staff_id, d.level)
            except DomainError as refused:
                who = loading.name_of(uow, d.staff_id)
                raise refused.about(f"Dòng {number} ({who})", f"Line {number} ({who})",
                                    line=number, staffId=str(d.staff_id)) from None
            evaluations.append(evaluation)
        return uow._save(period, *evaluations)
    return uow._retrying(attempt)


def decide_party_rating(uow: UnitOfWork, cmd: DecidePartyRating) -> int:
    """The Party-member annual rating, after and within the official one."""
    def attempt() -> int:
        period, _, basis = _open_for_decision(uow, cmd.period_id, cmd.staff_id, cmd.decider)
        official = loading.evaluation(uow, period, cmd.staff_id)
        party = loading.evaluation(uow, period, cmd.staff_id, PARTY)
        party.decide_party(cmd.level, cmd.score, cmd.reasons, period.policy, official.level,
                           cmd.authority or basis)
        return uow._save(party)
    return uow._retrying(attempt)
