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
from typing import Any
from uuid import UUID

from domain.catalogue import Catalogue, CatalogueAdjustment
from domain.eligibility import Eligibility
from domain.errors import DomainError, ValidationFailedError
from domain.evaluation import Evaluation
from domain.ids import StaffId, UnitId, period_id_for
from domain.levels import Level
from domain.organisation import StaffMember, Unit, competent_decider
from domain.period import EvaluationPeriod
from domain.staff_rules import WORK_OUTPUTS
from domain.tenant_policy import TenantPolicy, tenant_policy_id
from domain.work_catalogue import INHERITED, WorkCatalogue, work_catalogue_id
from domain.work_item import Assignment, WorkItem
from domain.work_ledger import WorkLedger, work_ledger_id
from domain.work_score import ItemOutcome, ScoreBreakdown, compute
from services.app import loading
from services.app.handler_base import UnitOfWork
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


# The catalogue -----------------------------------------------------------


def work_catalogue(uow: UnitOfWork) -> WorkCatalogue | None:
    return uow._find(WorkCatalogue, work_catalogue_id())


def catalogue_in_force(uow: UnitOfWork) -> Catalogue:
    """The catalogue in force (its version is what assignments record)."""
    current = work_catalogue(uow)
    return current.catalogue if current is not None else NO_CATALOGUE


def establish_catalogue(uow: UnitOfWork, cmd: EstablishCatalogue) -> int:
    """Ban hành danh mục: version 1, or a new version of the tenant's own catalogue."""
    def attempt() -> int:
        current = work_catalogue(uow)
        if current is None:
            return uow._save(WorkCatalogue.establish(cmd.catalogue, cmd.reasons))
        if cmd.unless_in_force and current.holds(cmd.catalogue):
            return 0
        current.revise(cmd.catalogue, cmd.reasons)
        return uow._save(current)
    return uow._retrying(attempt)


def inherit_catalogue(uow: UnitOfWork, cmd: InheritCatalogue) -> int:
    """Apply the province's catalogue with this tenant's allowed adjustments (a first
    time, or again on a new province version or with other adjustments): anything the
    province locks is refused, LOCKED_BY_PROVINCE. Without adjustments given, an inherited
    catalogue follows the province's new version keeping the adjustments it still allows
    (one action for the personnel officer; those it now locks are dropped and recorded)."""
    def attempt() -> int:
        current = work_catalogue(uow)
        if current is None:
            return uow._save(WorkCatalogue.inherit(
                cmd.province_tenant, cmd.province, cmd.adjustment or CatalogueAdjustment(),
                cmd.reasons))
        if cmd.unless_in_force and current.follows(cmd.province, cmd.adjustment):
            return 0
        if cmd.adjustment is None and current.source == INHERITED:
            current.follow_province(cmd.province, cmd.reasons)
        else:
            current.adjust(cmd.province, cmd.adjustment or CatalogueAdjustment(),
                           cmd.reasons)
        return uow._save(current)
    return uow._retrying(attempt)


def inherit_policy(uow: UnitOfWork, cmd: InheritPolicy) -> int:
    """Apply the province's evaluation policy for a cycle, changing only what it allows."""
    def attempt() -> int:
        current = uow._find(TenantPolicy, tenant_policy_id(cmd.cycle))
        if current is None:
            return uow._save(TenantPolicy.inherit(
                cmd.cycle, cmd.province_tenant, cmd.province, cmd.changes, cmd.reasons))
        current.follow(cmd.province_tenant, cmd.province, cmd.changes, cmd.reasons)
        return uow._save(current)
    return uow._retrying(attempt)


# Items ---------------------------------------------------------------------


def _competent(uow: UnitOfWork, staff_id: UUID, by: str) -> None:
    """The leader competent for ``staff_id`` (the same rule as deciding their rating)."""
    unit, parent = loading.unit_and_parent(uow, loading.staff(uow, staff_id).unit_id)
    competent_decider(StaffId(staff_id), unit, parent, by)


def _item(uow: UnitOfWork, item_id: UUID) -> WorkItem:
    return uow._get(WorkItem, item_id, "việc được giao", "Work item")


def _ledger(uow: UnitOfWork, staff_id: UUID, kind: str, year: int, number: int) -> WorkLedger:
    ledger = uow._find(WorkLedger, work_ledger_id(staff_id, kind, year, number))
    return ledger or WorkLedger.open(staff_id, kind, year, number)


def _assigned(uow: UnitOfWork, catalogue: Catalogue, item_id: UUID, staff_id: UUID, by: str,
              what: Assignment) -> WorkItem:
    """One item assigned by ``by`` (checked competent for the person) under ``catalogue``."""
    _competent(uow, staff_id, by)
    unit_id = loading.staff(uow, staff_id).unit_id
    return WorkItem.assign(item_id, catalogue, unit_id, staff_id, by, what.kind, what.year,
                           what.number, what.assigned_on, what.deadline,
                           what.expected_quantity, what.catalogue_key, what.title,
                           what.coefficient)


def assign_work(uow: UnitOfWork, cmd: AssignWork) -> int:
    """Giao việc to each of ``staff_ids``: every item checked, then all saved together."""
    if not cmd.staff_ids or len(cmd.item_ids) != len(cmd.staff_ids) or \
            len(set(cmd.staff_ids)) != len(cmd.staff_ids):
        raise ValidationFailedError("Cần danh sách người được giao, mỗi người một lần.",
                                    "Name the people to assign to, each once.")

    def attempt() -> int:
        catalogue = catalogue_in_force(uow)
        saved: list[WorkItem | WorkLedger] = []
        what = cmd.what
        for item_id, staff_id in zip(cmd.item_ids, cmd.staff_ids, strict=True):
            item = _assigned(uow, catalogue, item_id, staff_id, cmd.by, what)
            ledger = _ledger(uow, staff_id, what.kind, what.year, what.number)
            ledger.add(item.id)
            saved += [item, ledger]
        return uow._save(*saved)
    return uow._retrying(attempt)


def import_work(uow: UnitOfWork, cmd: ImportWork) -> tuple[int, int]:
    """Items from a document/task system, each checked as an assignment by its own
    leader; all saved in one transaction, or none. An item whose id is already in the
    log (the same source ref) is skipped, so importing a file twice writes nothing the
    second time. Returns (items written, position)."""
    def attempt() -> tuple[int, int]:
        catalogue = catalogue_in_force(uow)
        saved: list[WorkItem | WorkLedger] = []
        ledgers: dict[UUID, WorkLedger] = {}
        for number, i in enumerate(cmd.items, start=1):
            if uow._find(WorkItem, i.item_id) is not None:
                continue
            try:
                item = _assigned(uow, catalogue, i.item_id, i.staff_id, i.assigned_by, i.what)
            except DomainError as refused:
                raise refused.about(f"Việc thứ {number}", f"Item {number}",
                                    item=number) from None
            w = i.what
            key = work_ledger_id(i.staff_id, w.kind, w.year, w.number)
            ledger = ledgers.get(key) or _ledger(uow, i.staff_id, w.kind, w.year, w.number)
            ledgers[key] = ledger
            ledger.add(item.id)
            saved.append(item)
        if not saved:
            return 0, 0
        return len(saved), uow._save(*saved, *ledgers.values())
    result: tuple[int, int] = (0, 0)

    def run() -> int:
        nonlocal result
        result = attempt()
        return result[1]
    uow._retrying(run)
    return result


def reassign_work(uow: UnitOfWork, cmd: ReassignWork) -> int:
    """Giao lại: the item closes with reasons; a new one opens for the new person."""
    def attempt() -> int:
        item = _item(uow, cmd.item_id)
        _competent(uow, item.staff_id, cmd.by)
        _competent(uow, cmd.to_staff, cmd.by)
        new = item.reassign(cmd.new_item_id, cmd.to_staff, cmd.on, cmd.reasons,
                            cmd.deadline)
        ledger = _ledger(uow, cmd.to_staff, item.kind, item.year, item.number)
        ledger.add(new.id)
        return uow._save(item, new, ledger)
    return uow._retrying(attempt)


def cancel_work(uow: UnitOfWork, cmd: CancelWork) -> int:
    def attempt() -> int:
        item = _item(uow, cmd.item_id)
        _competent(uow, item.staff_id, cmd.by)
        item.cancel(cmd.reasons)
        return uow._save(item)
    return uow._retrying(attempt)


def report_work_done(uow: UnitOfWork, cmd: ReportWorkDone) -> int:
    def attempt() -> int:
        item = _item(uow, cmd.item_id)
        item.report_done(cmd.by, cmd.quantity, cmd.done_on, cmd.evidence)
        return uow._save(item)
    return uow._retrying(attempt)


def confirm_work(uow: UnitOfWork, cmd: ConfirmWork) -> int:
    """Nghiệm thu: quality and timeliness, by the competent leader (never oneself)."""
    def attempt() -> int:
        item = _item(uow, cmd.item_id)
        if cmd.by != str(item.staff_id):  # one's own item: SELF_CONFIRMATION below
            _competent(uow, item.staff_id, cmd.by)
        item.confirm(cmd.by, cmd.quality, cmd.timeliness, cmd.quantity, cmd.failed_checks,
                     cmd.delays, cmd.quality_waived, cmd.timeliness_waived,
                     cmd.waiver_reasons, cmd.comment)
        return uow._save(item)
    return uow._retrying(attempt)


# The score -------------------------------------------------------------------


def work_outcomes(uow: UnitOfWork, staff_id: UUID, kind: str, year: int, number: int
                  ) -> tuple[list[ItemOutcome], list[str]]:
    """The person's items of the period as the score counts them, and the catalogue
    versions they were assigned under."""
    ledger = uow._find(WorkLedger, work_ledger_id(staff_id, kind, year, number))
    if ledger is None:
        return [], []
    items = uow._get_many(WorkItem, list(ledger.item_ids), "việc được giao", "Work item")
    outcomes, versions = [], []
    for item in items.values():
        outcome = item.outcome()
        if outcome is not None:
            outcomes.append(outcome)
            versions.append(item.catalogue_version)
    return outcomes, versions


def scored_by_work(period: EvaluationPeriod, staff: StaffMember) -> bool:
    """Decree 335: the period's policy has a work part and the person's staff type is
    scored by work outputs (công chức); annual ratings roll the months up instead."""
    policy = period.policy
    return (policy.work is not None and period.kind in ("monthly", "quarterly")
            and policy.work_policy.rules_for(staff.staff_type).score_method == WORK_OUTPUTS)


def work_breakdown(uow: UnitOfWork, period: EvaluationPeriod, staff: StaffMember,
                   evaluation: Evaluation, leader_id: UUID | None
                   ) -> tuple[ScoreBreakdown, list[str]]:
    """The computed score: general criteria as self-scored, task results from confirmed
    work; a head of unit adds the unit's results (the members' levels this period)."""
    policy = period.policy
    scoring = policy.work_policy.scoring
    outcomes, versions = work_outcomes(uow, staff.id, period.kind, period.year,
                                            period.number)
    subordinates = None
    if leader_id is not None and leader_id == staff.id:
        subordinates = [Level(v) for k, v in period.decisions.items() if k != str(staff.id)]
    general = evaluation.general_points(scoring.general_points)
    return compute(scoring, policy.bands, outcomes, general, subordinates), versions


def decide_evaluation(uow: UnitOfWork, period: EvaluationPeriod, evaluation: Evaluation,
                      staff: StaffMember, leader_id: UUID | None, level: Level,
                      score: float, reasons: str, authority: str,
                      eligibility: Eligibility | None) -> None:
    """The decision, by work when the person is scored by work (the typed score is then
    ignored: the computed one is recorded), else as before."""
    if not scored_by_work(period, staff):
        evaluation.decide(level, score, reasons, period.policy, authority, eligibility)
        return
    breakdown, versions = work_breakdown(uow, period, staff, evaluation, leader_id)
    evaluation.decide_from_work(level, breakdown, reasons, period.policy, versions,
                                authority, eligibility)


def period_breakdown(uow: UnitOfWork, staff_id: UUID, kind: str, year: int, number: int
                     ) -> tuple[bool, str, list[str], ScoreBreakdown, str | None] | None:
    """What the person and their leader see for a month or quarter: (scored by work,
    policy version, catalogue versions, breakdown, level decided if any), computed as
    the decision computes it — or, once decided, what the decision recorded
    (``_recorded_breakdown``). None when the person is unknown."""
    staff = uow._find(StaffMember, staff_id)
    if staff is None:
        return None
    period = uow._find(EvaluationPeriod, period_id_for(UnitId(staff.unit_id), kind,
                                                         year, number))
    unit = uow._find(Unit, staff.unit_id)
    leader = unit.leader_id if unit is not None else None
    if period is None or str(staff_id) not in {str(m) for m in period.members}:
        policy = uow.policy_for(kind)
        outcomes, versions = work_outcomes(uow, staff_id, kind, year, number)
        breakdown = compute(policy.work_policy.scoring, policy.bands, outcomes, 0.0)
        scored = policy.work is not None and policy.work_policy.rules_for(
            staff.staff_type).score_method == WORK_OUTPUTS
        return scored, policy.version, versions, breakdown, None
    evaluation = uow._get(Evaluation, loading.evaluation_id(period.id, staff_id),
                           "phiếu đánh giá", "Evaluation")
    recorded = _recorded_score(uow, evaluation.id)
    if recorded is not None:
        breakdown = _recorded_breakdown(uow, period, staff, recorded)
        return (True, recorded.policy_version, list(recorded.catalogue_versions),
                breakdown, evaluation.level)
    breakdown, versions = work_breakdown(uow, period, staff, evaluation, leader)
    return (scored_by_work(period, staff), period.policy.version, versions,
            breakdown, evaluation.level)


def _recorded_score(uow: UnitOfWork, evaluation_id: UUID) -> Any | None:
    """The computation the decision recorded (``WorkScoreComputed``), if it was by work."""
    found = None
    for event in uow.app.events.get(evaluation_id):
        if type(event).__name__ == "WorkScoreComputed":
            found = event
    return found


def _recorded_breakdown(uow: UnitOfWork, period: EvaluationPeriod, staff: StaffMember,
                        recorded: Any) -> ScoreBreakdown:
    """What the leader decided on, once decided: the totals exactly as recorded, and
    each line from the person's items as they stood when the decision was recorded (their
    events up to its position in the log) — an item reported, confirmed, reassigned or
    cancelled afterwards changes nothing."""
    at = (recorded.originator_id, recorded.originator_version)
    ledger_id = work_ledger_id(staff.id, period.kind, period.year, period.number)
    ledger = uow.app.as_of([ledger_id], at).get(ledger_id)
    item_ids = ledger.item_ids if isinstance(ledger, WorkLedger) else []
    items = uow.app.as_of(item_ids, at)
    outcomes = []
    for item_id in item_ids:
        item = items.get(item_id)
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

