"""Appeal handlers (khiếu nại): load the appeal, its rating and period, let the domain decide,
save everything in one transaction.

Synchronous like the rest of the write side; each handler returns the log position it
wrote. A refusal raises before anything is saved, so a refused command writes nothing.
Filing saves the appeal with the rating's docket, which is what keeps "one open appeal per
rating" true when two filings race (the docket's version clashes and the loser re-checks).
An outcome that changes the rating saves the appeal, the docket, the evaluation (the
amendment) and the period (the quota) together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError

from domain.appeal import Appeal, AppealDocket, docket_id_for
from domain.appeal_errors import ConflictedReviewerError, RatingNotDecidedError
from domain.eligibility import assess
from domain.errors import NotFoundError
from domain.evaluation import PARTY, Evaluation
from domain.organisation import StaffMember, Unit
from domain.period import EvaluationPeriod, period_span
from domain.policy import Policy
from services.app import appeal_commands, loading
from services.app.handler_base import UnitOfWork, not_found
from services.app.steps import aggregate_step
from services.store.eventstore import Evaluations

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def hanoi_today() -> date:
    """Windows and deadlines are calendar days in Vietnam."""
    return datetime.now(HANOI).date()


@dataclass(frozen=True)
class DecisionUnderAppeal:
    decided_by: str
    level: str
    score: float
    decided_on: date


def decision_under_appeal(app: Evaluations, evaluation_id: UUID) -> DecisionUnderAppeal | None:
    """The rating's current decision (the first, or the latest amendment), from its events:
    who made it, and on which day (the person is told when it is made)."""
    last: Any = None
    for e in app.events.get(evaluation_id):
        if type(e).__name__ in ("RatingDecided", "RatingAmended"):
            last = e
    if last is None:
        return None
    return DecisionUnderAppeal(last.actor, last.level, float(last.score),
                               last.timestamp.astimezone(HANOI).date())


def publication_date(app: Evaluations, period_id: UUID) -> date | None:
    """The day the period's results were published in the unit (công khai), if they were."""
    e: Any
    for e in app.events.get(period_id):
        if type(e).__name__ == "Published":
            published: date = e.timestamp.astimezone(HANOI).date()
            return published
    return None


def load_appeal(uow: UnitOfWork, appeal_id: UUID) -> Appeal:
    return uow._get(Appeal, appeal_id, "khiếu nại", "Appeal")


def own_appeal(uow: UnitOfWork, appeal_id: UUID, appellant: str) -> Appeal:
    """The appellant's own appeal. Anyone else's reads exactly as an absent one: the
    appellant's steps reach their own records only, and a different refusal would
    confirm that the appeal exists (services/gql/permissions.py, scope ``own``)."""
    appeal = load_appeal(uow, appeal_id)
    if str(appeal.staff_id) != appellant:
        raise not_found("khiếu nại", "Appeal")
    return appeal


def _docket(uow: UnitOfWork, evaluation_id: UUID) -> AppealDocket | None:
    try:
        docket: Any = uow.app.repository.get(docket_id_for(evaluation_id))
    except AggregateNotFoundError:
        return None
    assert isinstance(docket, AppealDocket)
    return docket


def _policy_of(uow: UnitOfWork, evaluation: Evaluation) -> tuple[EvaluationPeriod, Policy]:
    period = uow._get(EvaluationPeriod, evaluation.period_id, "kỳ đánh giá",
                       "Evaluation period")
    return period, period.policy


def file_appeal(uow: UnitOfWork, cmd: appeal_commands.FileAppeal,
                clock: Callable[[], date]) -> int:
    """Nộp đơn khiếu nại; the first instance goes to the leader who decided."""
    def attempt() -> int:
        today = clock()
        evaluation = uow._get(Evaluation, cmd.evaluation_id, "phiếu đánh giá", "Evaluation")
        if str(evaluation.staff_id) != cmd.appellant:
            # Someone else's rating reads as absent (scope ``own``): a refusal of its
            # own would confirm that the rating exists.
            raise not_found("phiếu đánh giá", "Evaluation")
        period, policy = _policy_of(uow, evaluation)
        decision = decision_under_appeal(uow.app, evaluation.id)
        if decision is None:
            raise RatingNotDecidedError(
                "Kết quả xếp loại chưa được quyết định nên chưa thể khiếu nại.",
                "The rating has not been decided yet, so it cannot be appealed.")
        appeal = Appeal.file(
            appeal_id=cmd.appeal_id, appellant=cmd.appellant, evaluation_id=evaluation.id,
            staff_id=evaluation.staff_id, unit_id=evaluation.unit_id,
            period_id=evaluation.period_id, year=period.year,
            number=period.number, decided_by=decision.decided_by,
            decided_level=decision.level, decided_score=decision.score,
            decided_on=decision.decided_on,
            published_on=publication_date(uow.app, period.id), grounds=cmd.grounds,
            level_claimed=cmd.level_claimed, evidence=cmd.evidence, today=today,
            window_days=policy.appeal_window_days,
            instance_days=policy.appeal_first_instance_days)
        docket = _docket(uow, evaluation.id)
        if docket is None:
            docket = AppealDocket(id=docket_id_for(evaluation.id),
                                  evaluation_id=evaluation.id, appeal_id=appeal.id)
        else:
            current = load_appeal(uow, docket.open_appeal) if docket.open_appeal else None
            docket.lodge(appeal.id, current, today, policy.appeal_window_days)
        appeal.assign(decision.decided_by)
        return uow._save(appeal, docket)
    return uow._retrying(attempt)


def assign_appeal(uow: UnitOfWork, cmd: appeal_commands.AssignAppeal) -> int:
    """Phân công: the personnel body names the reviewer of the current instance (the body
    the policy names, or the level above when none is found inside the tenant)."""
    def attempt() -> int:
        appeal = load_appeal(uow, cmd.appeal_id)
        if not cmd.reviewer_tenant:
            uow._get(StaffMember, _uuid(cmd.reviewer), "cán bộ", "Staff member")
        appeal.assign(cmd.reviewer, cmd.reviewer_tenant)
        return uow._save(appeal)
    return uow._retrying(attempt)


def take_up_appeal(uow: UnitOfWork, cmd: appeal_commands.AssignAppeal) -> int:
    """The level above takes up a second instance left without a reviewer here."""
    return _step(uow, cmd.appeal_id, lambda a: a.take_up(cmd.reviewer, cmd.reviewer_tenant))


def accept_appeal(uow: UnitOfWork, cmd: appeal_commands.AcceptAppeal) -> int:
    return _step(uow, cmd.appeal_id, lambda a: a.accept(cmd.reviewer))


def request_information(uow: UnitOfWork, cmd: appeal_commands.RequestAppealInformation) -> int:
    return _step(uow, cmd.appeal_id, lambda a: a.request_information(cmd.reviewer,
                                                                      cmd.question))


def provide_information(uow: UnitOfWork, cmd: appeal_commands.ProvideAppealInformation) -> int:
    return _step(uow, cmd.appeal_id, lambda a: a.provide_information(cmd.appellant,
                                                                      cmd.information),
                 appellant=cmd.appellant)


def _step(uow: UnitOfWork, appeal_id: UUID, change: Callable[[Appeal], None],
          appellant: str | None = None) -> int:
    """A step on the appeal alone; with ``appellant``, on their own appeal only."""
    return aggregate_step(uow, lambda: load_appeal(uow, appeal_id) if appellant is None
                          else own_appeal(uow, appeal_id, appellant), change)


def withdraw_appeal(uow: UnitOfWork, cmd: appeal_commands.WithdrawAppeal) -> int:
    def attempt() -> int:
        appeal = own_appeal(uow, cmd.appeal_id, cmd.appellant)
        appeal.withdraw(cmd.appellant, cmd.reason)
        docket = _docket(uow, appeal.evaluation_id)
        assert docket is not None
        docket.close(appeal.id)
        return uow._save(appeal, docket)
    return uow._retrying(attempt)


def decide_appeal(uow: UnitOfWork, cmd: appeal_commands.DecideAppeal,
                  clock: Callable[[], date]) -> int:
    """The outcome of an instance; upheld or partially upheld amends the rating (citing
    the appeal) within the period's quota, in the same transaction."""
    def attempt() -> int:
        appeal = load_appeal(uow, cmd.appeal_id)
        evaluation = uow._get(Evaluation, appeal.evaluation_id, "phiếu đánh giá",
                               "Evaluation")
        period, policy = _policy_of(uow, evaluation)
        changes = appeal.decide(cmd.reviewer, cmd.outcome, cmd.reasons, cmd.level,
                                cmd.score, clock(), policy.appeal_window_days)
        touched: list[Any] = [appeal]
        if changes and cmd.level is not None and cmd.score is not None:
            # Eligibility (absences, discipline) binds an appeal's outcome as it binds
            # the decision: an appeal cannot lift a disciplined person above "C".
            staff = uow._get(StaffMember, evaluation.staff_id, "cán bộ", "Staff member")
            start, end = period_span(period.kind, period.year, period.number)
            eligibility = assess(staff, start, end, annual=period.kind == "annual")
            if evaluation.subject == PARTY:  # outside the period's quota, under the official
                official = loading.evaluation(uow, period, evaluation.staff_id)
                evaluation.amend(cmd.level, cmd.score, cmd.reasons, policy, appeal.id,
                                 eligibility, official.level)
                touched.append(evaluation)
            else:
                evaluation.amend(cmd.level, cmd.score, cmd.reasons, policy, appeal.id,
                                 eligibility)
                period.register_amendment(evaluation.staff_id, cmd.level, appeal.id)
                touched += [evaluation, period]
        if appeal.final:
            docket = _docket(uow, appeal.evaluation_id)
            assert docket is not None
            docket.close(appeal.id)
            touched.append(docket)
        return uow._save(*touched)
    return uow._retrying(attempt)


def escalate_appeal(uow: UnitOfWork, cmd: appeal_commands.EscalateAppeal,
                    clock: Callable[[], date]) -> int:
    """Khiếu nại lần hai, to the head of the unit above the decider's; when that is
    outside this tenant (or conflicted) the appeal waits for the level above to take it."""
    def attempt() -> int:
        appeal = own_appeal(uow, cmd.appeal_id, cmd.appellant)
        evaluation = uow._get(Evaluation, appeal.evaluation_id, "phiếu đánh giá",
                               "Evaluation")
        _, policy = _policy_of(uow, evaluation)
        appeal.escalate(cmd.appellant, cmd.grounds, clock(),
                        policy.appeal_window_days, policy.appeal_second_instance_days)
        above = level_above(uow, appeal, evaluation)
        if above is not None:
            appeal.assign(above)
        return uow._save(appeal)
    return uow._retrying(attempt)


def level_above(uow: UnitOfWork, appeal: Appeal, evaluation: Evaluation) -> str | None:
    """The head of the parent of the decider's unit (the decider heads the person's unit,
    or its parent when the person is that unit's head). None when that is outside this
    tenant or would be conflicted."""
    unit = uow._get(Unit, evaluation.unit_id, "đơn vị", "Unit")
    decider_unit = unit
    if str(unit.leader_id) != appeal.decided_by and unit.parent_id is not None:
        parent = uow._get(Unit, unit.parent_id, "đơn vị cấp trên", "Parent unit")
        if str(parent.leader_id) == appeal.decided_by:
            decider_unit = parent
    if decider_unit.parent_id is None:
        return None
    above = uow._get(Unit, decider_unit.parent_id, "đơn vị cấp trên", "Parent unit")
    if above.leader_id is None:
        return None
    try:
        appeal.ensure_unconflicted(str(above.leader_id))
    except ConflictedReviewerError:
        return None
    return str(above.leader_id)


def _uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise NotFoundError("Không tìm thấy cán bộ.", "Staff member not found.") from None
