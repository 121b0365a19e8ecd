"""Command handlers: load aggregates, let the domain decide, save atomically.

Synchronous, because the ``eventsourcing`` library is; the async API calls them through
``anyio.to_thread``. Each returns the log position of the last event it wrote, so the
caller can ask a query to be at least that fresh (read-your-writes).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.eligibility import assess
from domain.errors import (
    DomainError,
    PeriodAlreadyOpenError,
    StaleVersionError,
    ValidationFailedError,
)
from domain.evaluation import OFFICIAL, PARTY, Evaluation
from domain.ids import PeriodId, StaffId, UnitId, evaluation_id_for, period_id_for
from domain.levels import Level
from domain.organisation import StaffMember, Unit, competent_decider, competent_higher_level
from domain.period import KINDS, EvaluationPeriod, period_span
from domain.policy import SCOPE_PEER_GROUP, SCOPE_UNIT
from domain.rollup import MonthlyResult, roll_up
from services.app.collective_handlers import CollectiveHandlers
from services.app.commands import (
    AttachOpinion,
    ClosePeriod,
    DecidePartyRating,
    DecideRating,
    DecideRatings,
    GrantQuotaException,
    OpenPeriod,
    ProposeRating,
    ProposeRollups,
    PublishPeriod,
    SubmitSelfAssessment,
    TransferStaff,
)
from services.app.handler_base import RETRIES, not_found
from services.app.org_handlers import OrganisationHandlers
from services.app.work import WorkHandlers
from services.store.eventstore import Evaluations

__all__ = ["RETRIES", "TenantService", "events_of"]

_KIND_VI = {"monthly": "tháng", "quarterly": "quý", "annual": "năm"}


class TenantService(CollectiveHandlers, OrganisationHandlers, WorkHandlers):
    """The application layer of one tenant."""

    # One period's workflow -------------------------------------------------

    def open_period(self, cmd: OpenPeriod) -> tuple[UUID, int]:
        """Workflow step 1 (HR officer): open a period for a unit, under the policy in force.

        The period copies the policy, the members' peer groups and the unit's outstanding
        flag as they are now: later changes never re-judge it.
        """
        if cmd.kind not in KINDS:
            raise ValidationFailedError(f"Loại kỳ '{cmd.kind}' không hợp lệ.",
                                        f"Unknown period kind '{cmd.kind}'.")
        unit = self._get(Unit, cmd.unit_id, "đơn vị", "Unit")
        policy = self.policy_for(cmd.kind)
        period_id = period_id_for(unit.unit_id, cmd.kind, cmd.year, cmd.month)
        _, end = period_span(cmd.kind, cmd.year, cmd.month)
        deadline = cmd.deadline or end + timedelta(days=policy.self_assessment_days)
        members = list(unit.members)
        people = {i: a for i, a in self.app.get_many(members).items()
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
            return period_id, self._save(period, *evaluations)
        except IntegrityError:
            what = _KIND_VI[cmd.kind]
            raise PeriodAlreadyOpenError(
                f"Kỳ đánh giá {what} {cmd.month}/{cmd.year} của đơn vị này đã được mở.",
                f"The {cmd.kind} period {cmd.month}/{cmd.year} of this unit is already open.",
            ) from None

    def find_period(self, period_id: UUID) -> EvaluationPeriod | None:
        return self._find(EvaluationPeriod, period_id)

    def _period(self, period_id: UUID) -> EvaluationPeriod:
        return self._get(EvaluationPeriod, period_id, "kỳ đánh giá", "Evaluation period")

    def _evaluation(self, period: EvaluationPeriod, staff_id: UUID,
                    subject: str = OFFICIAL) -> Evaluation:
        period.ensure_member(staff_id)
        eid = self._evaluation_id(period.id, staff_id, subject)
        return self._get(Evaluation, eid, "phiếu đánh giá", "Evaluation")

    @staticmethod
    def _evaluation_id(period_id: UUID, staff_id: UUID, subject: str = OFFICIAL) -> UUID:
        return evaluation_id_for(PeriodId(period_id), StaffId(staff_id), subject)

    def _units_hint(self, period_id: UUID) -> tuple[UUID | None, UUID | None]:
        """The unit and parent unit a period was last seen under (from the cache), to read
        them with the rest; if the unit has moved since, ``_units_of`` reads the new parent."""
        period = self.app.cached(period_id)
        unit_id = getattr(period, "unit_id", None)
        unit = self.app.cached(unit_id) if unit_id is not None else None
        return unit_id, getattr(unit, "parent_id", None)

    def _units_of(self, period: EvaluationPeriod) -> tuple[Unit, Unit | None]:
        unit = self._get(Unit, period.unit_id, "đơn vị", "Unit")
        parent = (self._get(Unit, unit.parent_id, "đơn vị cấp trên", "Parent unit")
                  if unit.parent_id else None)
        return unit, parent

    def _evaluation_step(self, period_id: UUID, staff_id: UUID,
                         change: Callable[[EvaluationPeriod, Evaluation], None],
                         own: bool = False) -> int:
        """A step on one person's evaluation in an open period (self-assessment, opinion,
        proposal): both read in one round trip, the period checked open, ``change``
        applies the rule, the evaluation saved; run again on a version clash. With
        ``own`` (the person acting on their own file), another unit's period reads as
        absent; one who joined their unit after it opened is told so."""
        def attempt() -> int:
            self._prefetch(period_id, self._evaluation_id(period_id, staff_id),
                           *self._units_hint(period_id)[:1])
            period = self._period(period_id)
            if own and staff_id not in period.members and \
                    staff_id not in self._get(Unit, period.unit_id, "đơn vị", "Unit").members:
                raise not_found("kỳ đánh giá", "Evaluation period")
            period.ensure_open()
            evaluation = self._evaluation(period, staff_id)
            change(period, evaluation)
            return self._save(evaluation)
        return self._retrying(attempt)

    def submit_self_assessment(self, cmd: SubmitSelfAssessment) -> int:
        """Workflow step 2 (each person): score oneself by the criteria, list task results."""
        def change(period: EvaluationPeriod, evaluation: Evaluation) -> None:
            evaluation.ensure_version(cmd.expected_version)
            evaluation.submit_self_assessment(cmd.score, cmd.tasks, cmd.note, period.policy,
                                              cmd.criteria)
        return self._evaluation_step(cmd.period_id, cmd.staff_id, change, own=True)

    def attach_opinion(self, cmd: AttachOpinion) -> int:
        """Workflow step 3: an opinion (colleague, Party cell, citizens) joins the file."""
        return self._evaluation_step(cmd.period_id, cmd.staff_id, lambda _, e: e.attach_opinion(
            cmd.source, cmd.author, cmd.text, cmd.satisfaction))

    def propose_rating(self, cmd: ProposeRating) -> int:
        """Workflow step 4 (direct manager / personnel body): a proposed level and score."""
        def change(period: EvaluationPeriod, evaluation: Evaluation) -> None:
            evaluation.ensure_version(cmd.expected_version)
            evaluation.propose(cmd.level, cmd.score, cmd.strengths, cmd.shortcomings,
                               period.policy, cmd.proposer)
        return self._evaluation_step(cmd.period_id, cmd.staff_id, change)

    def decide_rating(self, cmd: DecideRating) -> int:
        """Workflow step 5 (the competent leader): decide, with reasons, within the quota.

        The period and the evaluation are saved in one transaction; if another decision
        landed on the period meanwhile, the whole check runs again on fresh state. If the
        evaluation itself changed since the version the decider read, STALE_VERSION.
        """
        def attempt() -> int:
            self._prefetch(cmd.period_id, self._evaluation_id(cmd.period_id, cmd.staff_id),
                           cmd.staff_id, *self._units_hint(cmd.period_id))
            period = self._period(cmd.period_id)
            period.ensure_open()
            unit, parent = self._units_of(period)
            basis = competent_decider(cmd.staff_id, unit, parent, cmd.decider)
            period.ensure_heads_last(cmd.staff_id, unit.leader_id)
            self._ensure_collectives_first(period)
            evaluation = self._evaluation(period, cmd.staff_id)
            evaluation.ensure_version(cmd.expected_version)
            staff = self._get(StaffMember, cmd.staff_id, "cán bộ", "Staff member")
            start, end = period_span(period.kind, period.year, period.number)
            eligibility = assess(staff, start, end, annual=period.kind == "annual")
            self.decide_evaluation(period, evaluation, staff, unit.leader_id, cmd.level,
                                   cmd.score, cmd.reasons, cmd.authority or basis, eligibility)
            period.register_decision(cmd.staff_id, cmd.level)
            return self._save(period, evaluation)
        return self._retrying(attempt)

    def decide_ratings(self, cmd: DecideRatings) -> int:
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

        def attempt() -> int:
            self._prefetch(cmd.period_id, *self._units_hint(cmd.period_id))
            period = self._period(cmd.period_id)
            period.ensure_open()
            unit, parent = self._units_of(period)
            self._ensure_collectives_first(period)
            lines = sorted(enumerate(cmd.decisions, start=1),
                           key=lambda line: line[1].staff_id == unit.leader_id)
            start, end = period_span(period.kind, period.year, period.number)
            # Every evaluation and person of the board in one round trip, not two per line.
            eids = {d.staff_id: evaluation_id_for(PeriodId(period.id), d.staff_id, OFFICIAL)
                    for d in cmd.decisions}
            loaded = self.app.get_many([*eids.values(), *eids])
            evaluations: list[Evaluation] = []
            for number, d in lines:
                try:
                    basis = competent_decider(d.staff_id, unit, parent, cmd.decider)
                    period.ensure_heads_last(d.staff_id, unit.leader_id)
                    period.ensure_member(d.staff_id)
                    evaluation = loaded.get(eids[d.staff_id])
                    staff = loaded.get(d.staff_id)
                    if not isinstance(evaluation, Evaluation):
                        raise not_found("phiếu đánh giá", "Evaluation")
                    if not isinstance(staff, StaffMember):
                        raise not_found("cán bộ", "Staff member")
                    evaluation.ensure_version(d.expected_version)
                    eligibility = assess(staff, start, end, annual=period.kind == "annual")
                    self.decide_evaluation(period, evaluation, staff, unit.leader_id, d.level,
                                           d.score, d.reasons, cmd.authority or basis,
                                           eligibility)
                    period.register_decision(d.staff_id, d.level)
                except DomainError as refused:
                    who = self._name_of(d.staff_id)
                    raise refused.about(f"Dòng {number} ({who})", f"Line {number} ({who})",
                                        line=number, staffId=str(d.staff_id)) from None
                evaluations.append(evaluation)
            return self._save(period, *evaluations)
        return self._retrying(attempt)

    def _name_of(self, staff_id: UUID) -> str:
        staff = self._find(StaffMember, staff_id)
        return staff.full_name if staff is not None else str(staff_id)

    def decide_party_rating(self, cmd: DecidePartyRating) -> int:
        """The Party-member annual rating, after and within the official one."""
        def attempt() -> int:
            self._prefetch(cmd.period_id, self._evaluation_id(cmd.period_id, cmd.staff_id),
                           cmd.staff_id, *self._units_hint(cmd.period_id))
            period = self._period(cmd.period_id)
            period.ensure_open()
            unit, parent = self._units_of(period)
            basis = competent_decider(cmd.staff_id, unit, parent, cmd.decider)
            official = self._evaluation(period, cmd.staff_id)
            party = self._evaluation(period, cmd.staff_id, PARTY)
            party.decide_party(cmd.level, cmd.score, cmd.reasons, period.policy, official.level,
                               cmd.authority or basis)
            return self._save(party)
        return self._retrying(attempt)

    def monthly_results(self, staff: StaffMember, start: date, end: date) -> list[MonthlyResult]:
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
                ev = self._find(Evaluation, evaluation_id_for(pid, StaffId(staff.id), OFFICIAL))
                if ev is not None and ev.level is not None and ev.score is not None:
                    found[(month.year, month.month)] = MonthlyResult(
                        month.year, month.month, Level(ev.level), float(ev.score), str(unit_id))
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        self._quarterly_results(staff, start, end, found)
        return [found[k] for k in sorted(found)]

    def _quarterly_results(self, staff: StaffMember, start: date, end: date,
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
                    ev = self._find(Evaluation,
                                    evaluation_id_for(pid, StaffId(staff.id), OFFICIAL))
                    if ev is not None and ev.level is not None and ev.score is not None:
                        for key in months:
                            found[key] = MonthlyResult(*key, Level(ev.level), float(ev.score),
                                                       f"{unit_id} Q{quarter}")

    def propose_rollups(self, cmd: ProposeRollups) -> int:
        """Roll-up (step 9): every undecided member of a quarterly or annual period gets a
        proposal computed from their monthly results by the period's policy. One save."""
        period = self._period(cmd.period_id)
        period.ensure_open()
        if period.kind == "monthly":
            raise ValidationFailedError("Chỉ tổng hợp cho kỳ quý hoặc năm.",
                                        "Roll-ups are for quarterly or annual periods.")
        start, end = period_span(period.kind, period.year, period.number)
        policy = period.policy
        changed = []
        for member in period.members:
            evaluation = self._evaluation(period, member)
            staff = self._find(StaffMember, member)
            if evaluation.level is not None or staff is None or str(member) == cmd.proposer:
                continue
            result = roll_up(policy, self.monthly_results(staff, start, end))
            if result is None:
                continue
            evaluation.propose(result.level, result.score, result.summary_vi, "", policy,
                               cmd.proposer)
            changed.append(evaluation)
        if not changed:
            return 0
        try:
            return self._save(*changed)
        except IntegrityError:
            raise StaleVersionError(
                "Dữ liệu vừa được người khác thay đổi; vui lòng thử lại.",
                "Someone else changed these evaluations at the same moment; please retry.",
            ) from None

    def transfer_staff(self, cmd: TransferStaff) -> int:
        """Điều động within the tenant: the receiving unit's roll-ups include the months
        rated in the sending unit (the person's unit history)."""
        def attempt() -> int:
            staff = self._get(StaffMember, cmd.staff_id, "cán bộ", "Staff member")
            if staff.unit_id == cmd.to_unit:
                raise ValidationFailedError("Cán bộ đã thuộc đơn vị này.",
                                            "The person already belongs to this unit.")
            source = self._get(Unit, staff.unit_id, "đơn vị", "Unit")
            target = self._get(Unit, cmd.to_unit, "đơn vị nhận", "Receiving unit")
            staff.move_to(cmd.to_unit, cmd.reasons)
            source.leave(cmd.staff_id)
            target.join(cmd.staff_id)
            return self._save(staff, source, target)
        return self._retrying(attempt)

    def grant_quota_exception(self, cmd: GrantQuotaException) -> int:
        """The competent higher level allows more of a level than the quota, with reasons
        (Decree 335/2025 art. 20.5; Party HD 21/2019). Recorded before the decision."""
        def attempt() -> int:
            period = self._period(cmd.period_id)
            unit, parent = self._units_of(period)
            authority = competent_higher_level(unit, parent, cmd.granter)
            scope = SCOPE_UNIT if cmd.peer_group is None else \
                f"{SCOPE_PEER_GROUP}:{cmd.peer_group}"
            period.grant_quota_exception(cmd.level, scope, cmd.extra, cmd.reasons, authority)
            return self._save(period)
        return self._retrying(attempt)

    def publish_period(self, cmd: PublishPeriod) -> int:
        """Workflow step 6: the decided results are posted inside the unit."""
        return self._period_step(cmd.period_id, lambda period: period.publish())

    def close_period(self, cmd: ClosePeriod) -> int:
        return self._period_step(cmd.period_id, lambda period: period.close())

    def _period_step(self, period_id: UUID, change: Callable[[EvaluationPeriod], None]) -> int:
        """A step on the period alone: read, let ``change`` apply the rule, save; run again
        on a version clash."""
        def attempt() -> int:
            period = self._period(period_id)
            change(period)
            return self._save(period)
        return self._retrying(attempt)

def events_of(app: Evaluations, aggregate_id: UUID) -> list[Any]:
    return list(app.events.get(aggregate_id))
