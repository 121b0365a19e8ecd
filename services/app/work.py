"""Work-output use cases (Decree 335/2025 art. 13–15): assign, reassign, cancel, report done,
confirm; the catalogue established or inherited from the province; the decision of a person
scored by work, computed from their confirmed items.

Who may do what is the domain's rule, checked here against the caller's user id: the
competent leader (``competent_decider``: the head of the person's unit, or the head of the
unit above for the head) assigns, reassigns, cancels and confirms; only the assignee reports
(NOT_ASSIGNEE); no one confirms their own item (SELF_CONFIRMATION). Each assignment records
the catalogue version it used and joins the person's ledger for the period
(``domain.work_ledger``) in the same transaction, so a decision reads every item assigned.
A refusal raises before anything is saved: nothing is written.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.catalogue import Catalogue
from domain.eligibility import Eligibility
from domain.errors import DomainError, ValidationFailedError
from domain.evaluation import OFFICIAL, Evaluation
from domain.ids import PeriodId, StaffId, UnitId, evaluation_id_for, period_id_for
from domain.levels import Level
from domain.organisation import StaffMember, Unit, competent_decider
from domain.period import EvaluationPeriod
from domain.staff_rules import WORK_OUTPUTS
from domain.tenant_policy import TenantPolicy, tenant_policy_id
from domain.work_catalogue import WorkCatalogue, work_catalogue_id
from domain.work_item import WorkItem
from domain.work_ledger import WorkLedger, work_ledger_id
from domain.work_score import ItemOutcome, ScoreBreakdown, compute
from services.app.handler_base import HandlerBase
from services.app.work_commands import (
    AssignWork,
    CancelWork,
    ConfirmWork,
    EstablishCatalogue,
    ImportWork,
    InheritCatalogue,
    InheritPolicy,
    ReassignWork,
    ReportWorkDone,
)

# Before a tenant establishes or inherits a catalogue, only ad-hoc work can be assigned,
# within the default ad-hoc range (Catalogue's defaults).
NO_CATALOGUE = Catalogue(version="catalogue/0")


class WorkHandlers(HandlerBase):
    """The work-output use cases of one tenant (mixed into ``TenantService``)."""

    # The catalogue -----------------------------------------------------------

    def work_catalogue(self) -> WorkCatalogue | None:
        return self._find(WorkCatalogue, work_catalogue_id())

    def catalogue(self) -> Catalogue:
        """The catalogue in force (its version is what assignments record)."""
        current = self.work_catalogue()
        return current.catalogue if current is not None else NO_CATALOGUE

    def establish_catalogue(self, cmd: EstablishCatalogue) -> int:
        """Ban hành danh mục: version 1, or a new version of the tenant's own catalogue."""
        def attempt() -> int:
            current = self.work_catalogue()
            if current is None:
                return self._save(WorkCatalogue.establish(cmd.catalogue, cmd.reasons))
            current.revise(cmd.catalogue, cmd.reasons)
            return self._save(current)
        return self._retrying(attempt)

    def inherit_catalogue(self, cmd: InheritCatalogue) -> int:
        """Apply the province's catalogue with this tenant's allowed adjustments (a first
        time, or again on a new province version or with other adjustments): anything the
        province locks is refused, LOCKED_BY_PROVINCE."""
        def attempt() -> int:
            current = self.work_catalogue()
            if current is None:
                return self._save(WorkCatalogue.inherit(
                    cmd.province_tenant, cmd.province, cmd.adjustment, cmd.reasons))
            current.adjust(cmd.province, cmd.adjustment, cmd.reasons)
            return self._save(current)
        return self._retrying(attempt)

    def inherit_policy(self, cmd: InheritPolicy) -> int:
        """Apply the province's evaluation policy for a cycle, changing only what it allows."""
        def attempt() -> int:
            current = self._find(TenantPolicy, tenant_policy_id(cmd.cycle))
            if current is None:
                return self._save(TenantPolicy.inherit(
                    cmd.cycle, cmd.province_tenant, cmd.province, cmd.changes, cmd.reasons))
            current.follow(cmd.province_tenant, cmd.province, cmd.changes, cmd.reasons)
            return self._save(current)
        return self._retrying(attempt)

    # Items ---------------------------------------------------------------------

    def _competent(self, staff_id: UUID, by: str) -> None:
        """The leader competent for ``staff_id`` (the same rule as deciding their rating)."""
        staff = self._get(StaffMember, staff_id, "cán bộ", "Staff member")
        unit = self._get(Unit, staff.unit_id, "đơn vị", "Unit")
        parent = (self._get(Unit, unit.parent_id, "đơn vị cấp trên", "Parent unit")
                  if unit.parent_id else None)
        competent_decider(StaffId(staff_id), unit, parent, by)

    def _item(self, item_id: UUID) -> WorkItem:
        return self._get(WorkItem, item_id, "việc được giao", "Work item")

    def _ledger(self, staff_id: UUID, kind: str, year: int, number: int) -> WorkLedger:
        ledger = self._find(WorkLedger, work_ledger_id(staff_id, kind, year, number))
        return ledger or WorkLedger.open(staff_id, kind, year, number)

    def assign_work(self, cmd: AssignWork) -> int:
        """Giao việc to each of ``staff_ids``: every item checked, then all saved together."""
        if not cmd.staff_ids or len(cmd.item_ids) != len(cmd.staff_ids) or \
                len(set(cmd.staff_ids)) != len(cmd.staff_ids):
            raise ValidationFailedError("Cần danh sách người được giao, mỗi người một lần.",
                                        "Name the people to assign to, each once.")

        def attempt() -> int:
            catalogue = self.catalogue()
            saved: list[WorkItem | WorkLedger] = []
            for item_id, staff_id in zip(cmd.item_ids, cmd.staff_ids, strict=True):
                self._competent(staff_id, cmd.by)
                staff = self._get(StaffMember, staff_id, "cán bộ", "Staff member")
                item = WorkItem.assign(
                    item_id, catalogue, staff.unit_id, staff_id, cmd.by, cmd.kind, cmd.year,
                    cmd.number, cmd.assigned_on, cmd.deadline, cmd.expected_quantity,
                    cmd.catalogue_key, cmd.title, cmd.coefficient)
                ledger = self._ledger(staff_id, cmd.kind, cmd.year, cmd.number)
                ledger.add(item.id)
                saved += [item, ledger]
            return self._save(*saved)
        return self._retrying(attempt)

    def import_work(self, cmd: ImportWork) -> tuple[int, int]:
        """Items from a document/task system, each checked as an assignment by its own
        leader; all saved in one transaction, or none. An item whose id is already in the
        log (the same source ref) is skipped, so importing a file twice writes nothing the
        second time. Returns (items written, position)."""
        def attempt() -> tuple[int, int]:
            catalogue = self.catalogue()
            saved: list[WorkItem | WorkLedger] = []
            ledgers: dict[UUID, WorkLedger] = {}
            for number, i in enumerate(cmd.items, start=1):
                if self._find(WorkItem, i.item_id) is not None:
                    continue
                try:
                    self._competent(i.staff_id, i.assigned_by)
                    staff = self._get(StaffMember, i.staff_id, "cán bộ", "Staff member")
                    item = WorkItem.assign(
                        i.item_id, catalogue, staff.unit_id, i.staff_id, i.assigned_by, i.kind,
                        i.year, i.number, i.assigned_on, i.deadline, i.expected_quantity,
                        i.catalogue_key, i.title, i.coefficient)
                except DomainError as refused:
                    raise refused.about(f"Việc thứ {number}", f"Item {number}",
                                        item=number) from None
                key = work_ledger_id(i.staff_id, i.kind, i.year, i.number)
                ledger = ledgers.get(key) or self._ledger(i.staff_id, i.kind, i.year, i.number)
                ledgers[key] = ledger
                ledger.add(item.id)
                saved.append(item)
            if not saved:
                return 0, 0
            return len(saved), self._save(*saved, *ledgers.values())
        result: tuple[int, int] = (0, 0)

        def run() -> int:
            nonlocal result
            result = attempt()
            return result[1]
        self._retrying(run)
        return result

    def reassign_work(self, cmd: ReassignWork) -> int:
        """Giao lại: the item closes with reasons; a new one opens for the new person."""
        def attempt() -> int:
            item = self._item(cmd.item_id)
            self._competent(item.staff_id, cmd.by)
            self._competent(cmd.to_staff, cmd.by)
            new = item.reassign(cmd.new_item_id, cmd.to_staff, cmd.on, cmd.reasons,
                                cmd.deadline)
            ledger = self._ledger(cmd.to_staff, item.kind, item.year, item.number)
            ledger.add(new.id)
            return self._save(item, new, ledger)
        return self._retrying(attempt)

    def cancel_work(self, cmd: CancelWork) -> int:
        def attempt() -> int:
            item = self._item(cmd.item_id)
            self._competent(item.staff_id, cmd.by)
            item.cancel(cmd.reasons)
            return self._save(item)
        return self._retrying(attempt)

    def report_work_done(self, cmd: ReportWorkDone) -> int:
        def attempt() -> int:
            item = self._item(cmd.item_id)
            item.report_done(cmd.by, cmd.quantity, cmd.done_on, cmd.evidence)
            return self._save(item)
        return self._retrying(attempt)

    def confirm_work(self, cmd: ConfirmWork) -> int:
        """Nghiệm thu: quality and timeliness, by the competent leader (never oneself)."""
        def attempt() -> int:
            item = self._item(cmd.item_id)
            if cmd.by != str(item.staff_id):  # one's own item: SELF_CONFIRMATION below
                self._competent(item.staff_id, cmd.by)
            item.confirm(cmd.by, cmd.quality, cmd.timeliness, cmd.quantity, cmd.failed_checks,
                         cmd.delays, cmd.quality_waived, cmd.timeliness_waived,
                         cmd.waiver_reasons, cmd.comment)
            return self._save(item)
        return self._retrying(attempt)

    # The score -------------------------------------------------------------------

    def work_outcomes(self, staff_id: UUID, kind: str, year: int, number: int
                      ) -> tuple[list[ItemOutcome], list[str]]:
        """The person's items of the period as the score counts them, and the catalogue
        versions they were assigned under."""
        ledger = self._find(WorkLedger, work_ledger_id(staff_id, kind, year, number))
        if ledger is None:
            return [], []
        items = self._get_many(WorkItem, list(ledger.item_ids), "việc được giao", "Work item")
        outcomes, versions = [], []
        for item in items.values():
            outcome = item.outcome()
            if outcome is not None:
                outcomes.append(outcome)
                versions.append(item.catalogue_version)
        return outcomes, versions

    def scored_by_work(self, period: EvaluationPeriod, staff: StaffMember) -> bool:
        """Decree 335: the period's policy has a work part and the person's staff type is
        scored by work outputs (công chức); annual ratings roll the months up instead."""
        policy = period.policy
        return (policy.work is not None and period.kind in ("monthly", "quarterly")
                and policy.work_policy.rules_for(staff.staff_type).score_method == WORK_OUTPUTS)

    def work_breakdown(self, period: EvaluationPeriod, staff: StaffMember,
                       evaluation: Evaluation, leader_id: UUID | None
                       ) -> tuple[ScoreBreakdown, list[str]]:
        """The computed score: general criteria as self-scored, task results from confirmed
        work; a head of unit adds the unit's results (the members' levels this period)."""
        policy = period.policy
        scoring = policy.work_policy.scoring
        outcomes, versions = self.work_outcomes(staff.id, period.kind, period.year,
                                                period.number)
        subordinates = None
        if leader_id is not None and leader_id == staff.id:
            subordinates = [Level(v) for k, v in period.decisions.items() if k != str(staff.id)]
        general = evaluation.general_points(scoring.general_points)
        return compute(scoring, policy.bands, outcomes, general, subordinates), versions

    def decide_evaluation(self, period: EvaluationPeriod, evaluation: Evaluation,
                          staff: StaffMember, leader_id: UUID | None, level: Level,
                          score: float, reasons: str, authority: str,
                          eligibility: Eligibility | None) -> None:
        """The decision, by work when the person is scored by work (the typed score is then
        ignored: the computed one is recorded), else as before."""
        if not self.scored_by_work(period, staff):
            evaluation.decide(level, score, reasons, period.policy, authority, eligibility)
            return
        breakdown, versions = self.work_breakdown(period, staff, evaluation, leader_id)
        evaluation.decide_from_work(level, breakdown, reasons, period.policy, versions,
                                    authority, eligibility)

    def period_breakdown(self, staff_id: UUID, kind: str, year: int, number: int
                         ) -> tuple[bool, str, list[str], ScoreBreakdown, str | None] | None:
        """What the person and their leader see for a month or quarter: (scored by work,
        policy version, catalogue versions, breakdown, level decided if any), computed as
        the decision computes it — or, once decided, what the decision recorded
        (``_recorded_breakdown``). None when the person is unknown."""
        staff = self._find(StaffMember, staff_id)
        if staff is None:
            return None
        period = self._find(EvaluationPeriod, period_id_for(UnitId(staff.unit_id), kind,
                                                             year, number))
        unit = self._find(Unit, staff.unit_id)
        leader = unit.leader_id if unit is not None else None
        if period is None or str(staff_id) not in {str(m) for m in period.members}:
            policy = self.policy_for(kind)
            outcomes, versions = self.work_outcomes(staff_id, kind, year, number)
            breakdown = compute(policy.work_policy.scoring, policy.bands, outcomes, 0.0)
            scored = policy.work is not None and policy.work_policy.rules_for(
                staff.staff_type).score_method == WORK_OUTPUTS
            return scored, policy.version, versions, breakdown, None
        evaluation = self._get(Evaluation, self._evaluation_key(period.id, staff_id),
                               "phiếu đánh giá", "Evaluation")
        recorded = self._recorded_score(evaluation.id)
        if recorded is not None:
            breakdown = self._recorded_breakdown(period, staff, recorded)
            return (True, recorded.policy_version, list(recorded.catalogue_versions),
                    breakdown, evaluation.level)
        breakdown, versions = self.work_breakdown(period, staff, evaluation, leader)
        return (self.scored_by_work(period, staff), period.policy.version, versions,
                breakdown, evaluation.level)

    def _recorded_score(self, evaluation_id: UUID) -> Any | None:
        """The computation the decision recorded (``WorkScoreComputed``), if it was by work."""
        found = None
        for event in self.app.events.get(evaluation_id):
            if type(event).__name__ == "WorkScoreComputed":
                found = event
        return found

    def _as_of(self, aggregate_id: UUID, moment: datetime) -> Any | None:
        """An aggregate as it stood at ``moment``: its events up to then, replayed."""
        aggregate = None
        event: Any
        for event in self.app.events.get(aggregate_id):
            if event.timestamp > moment:
                break
            aggregate = event.mutate(aggregate)
        return aggregate

    def _recorded_breakdown(self, period: EvaluationPeriod, staff: StaffMember,
                            recorded: Any) -> ScoreBreakdown:
        """What the leader decided on, once decided: the totals exactly as recorded, and
        each line from the person's items as they stood when the decision was recorded —
        an item reported, confirmed, reassigned or cancelled afterwards changes nothing."""
        moment = recorded.timestamp
        ledger = self._as_of(work_ledger_id(staff.id, period.kind, period.year,
                                            period.number), moment)
        outcomes = []
        for item_id in (ledger.item_ids if isinstance(ledger, WorkLedger) else []):
            item = self._as_of(item_id, moment)
            outcome = item.outcome() if isinstance(item, WorkItem) else None
            if outcome is not None:
                outcomes.append(outcome)
        policy = period.policy
        scoring = policy.work_policy.scoring
        general = min(float(recorded.general_points), scoring.general_points)
        leader: list[Level] | None = [] if recorded.unit_percent is not None else None
        lines = compute(scoring, policy.bands, outcomes, general, leader)
        a, b = float(recorded.quantity_percent), float(recorded.quality_percent)
        c = float(recorded.timeliness_percent)
        return replace(
            lines, assigned_units=float(recorded.assigned_units),
            completed_units=float(recorded.completed_units), quantity_percent=a,
            quality_percent=b, timeliness_percent=c, quality_deduction=round(a - b, 2),
            timeliness_deduction=round(a - c, 2),
            unit_percent=None if recorded.unit_percent is None else float(recorded.unit_percent),
            results_points=float(recorded.results_points), general_points=general,
            score=float(recorded.score), level=Level(recorded.earned_level))

    @staticmethod
    def _evaluation_key(period_id: UUID, staff_id: UUID) -> UUID:
        return evaluation_id_for(PeriodId(period_id), StaffId(staff_id), OFFICIAL)
