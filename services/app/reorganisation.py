"""Moving people and tenants: transfers between tenants and tenant merges (the 2025 reform).

Each tenant has its own log, so these span two logs and cannot be one transaction. The
receiving side is written first and is idempotent by id (the same staff, unit and period
ids are used in both logs), so a retry after a failure between the two writes completes
the move rather than duplicating it; the sending side is written last.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from domain.errors import AlreadyExistsError
from domain.evaluation import OFFICIAL, Evaluation
from domain.ids import PeriodId, StaffId, evaluation_id_for
from domain.organisation import StaffMember, Unit
from domain.period import EvaluationPeriod
from domain.tenant_record import TENANT_RECORD_ID, TenantRecord, read_only_error
from domain.work_item import WorkItem
from domain.work_ledger import WorkLedger, work_ledger_id
from services.app.handler_base import UnitOfWork
from services.app.results import monthly_results

_ORG_TOPICS = ("domain.organisation:Unit.Registered", "domain.organisation:StaffMember.Registered",
               "domain.period:EvaluationPeriod.Opened")


def _results_state(service: UnitOfWork, staff: StaffMember, as_of: date) -> list[dict[str, Any]]:
    """The person's decided monthly results of this year and the last, as plain data."""
    results = monthly_results(service, staff, date(as_of.year - 1, 1, 1), date(as_of.year, 12, 31))
    return [{"year": r.year, "month": r.month, "level": r.level.value, "score": r.score,
             "unit": r.source} for r in results]


def _record(service: UnitOfWork) -> TenantRecord:
    return service._find(TenantRecord, TENANT_RECORD_ID) or TenantRecord.start()


def _ensure_writable(service: UnitOfWork) -> None:
    record = service._find(TenantRecord, TENANT_RECORD_ID)
    if record is not None and record.merged_into is not None:
        raise read_only_error(record.merged_into)


def _copy_staff(source: StaffMember, unit_id: UUID, from_tenant: str,
                results: list[dict[str, Any]]) -> StaffMember:
    copy = StaffMember(id=source.id, full_name=source.full_name, staff_type=source.staff_type,
                       position=source.position, unit_id=unit_id,
                       party_member=source.party_member, peer_group=source.peer_group,
                       party_cell=source.party_cell, start_date=source.start_date)
    for start, end, maternity in source.absences:
        copy.record_absence(start, end, maternity, f"Chuyển từ {from_tenant}")
    for decided_on, form in source.disciplines:
        copy.record_discipline(decided_on, form, f"Chuyển từ {from_tenant}")
    copy.import_prior_results(from_tenant, results)
    return copy


def transfer_between_tenants(source: UnitOfWork, source_slug: str, target: UnitOfWork,
                             target_slug: str, staff_id: StaffId, to_unit: UUID, reasons: str,
                             as_of: date) -> int:
    """Chuyển công tác: the person joins ``to_unit`` of the target tenant with their monthly
    results (Decree 335/2025 art. 21); the source keeps its history. Returns the target's
    log position."""
    _ensure_writable(source)
    staff = source._get(StaffMember, staff_id, "cán bộ", "Staff member")
    unit = target._get(Unit, to_unit, "đơn vị nhận", "Receiving unit")
    if target._find(StaffMember, staff_id) is not None:
        raise AlreadyExistsError("Cán bộ này đã có trong địa phương nhận.",
                                 "This person already exists in the receiving tenant.")
    copy = _copy_staff(staff, to_unit, source_slug, _results_state(source, staff, as_of))
    unit.join(staff_id)
    position = target._save(copy, unit)
    old_unit = source._get(Unit, staff.unit_id, "đơn vị", "Unit")
    staff.leave_tenant(target_slug, reasons)
    old_unit.leave(staff_id)
    source._save(staff, old_unit)
    return position


def _ids_by_topic(service: UnitOfWork) -> dict[str, list[UUID]]:
    found: dict[str, list[UUID]] = {t: [] for t in _ORG_TOPICS}
    for n in service.app.recorder.select_notifications(start=1, limit=10**9,
                                                        topics=list(_ORG_TOPICS)):
        found[n.topic].append(UUID(str(n.originator_id)))
    return found


def merge_tenants(predecessors: Sequence[tuple[str, UnitOfWork]], successor_slug: str,
                  successor: UnitOfWork, reasons: str, as_of: date) -> int:
    """Sáp nhập: the successor takes over every unit, person and open period of each
    predecessor (same ids), with each person's monthly results; predecessors become
    read-only and keep their whole history, readable under their own name."""
    _ensure_writable(successor)
    position = 0
    for slug, old in predecessors:
        _ensure_writable(old)
        record = _record(successor)
        if slug not in record.predecessors:  # else written before: only the source is left
            copies, staff, periods = _copies(old, successor, slug, as_of)
            record.absorb(slug, staff, periods)
            position = successor._save(*copies, record)
        old_record = _record(old)
        old_record.merge_into(successor_slug, reasons)
        old._save(old_record)
    return position


def _copies(old: UnitOfWork, successor: UnitOfWork, slug: str, as_of: date
            ) -> tuple[list[Any], int, int]:
    """What the successor takes of predecessor ``slug``: its units, its staff still there
    (with their results), its open periods and the work that still counts in them; and how
    many staff and periods that is."""
    ids = _ids_by_topic(old)
    units = [u for uid in ids["domain.organisation:Unit.Registered"]
             if (u := old._find(Unit, uid)) is not None]
    copies: list[Any] = []
    for u in units:
        copy = Unit(id=u.id, name=u.name, kind=u.kind, parent_id=u.parent_id)
        for member in u.members:
            copy.join(StaffId(member))
        if u.leader_id is not None:
            copy.appoint_leader(StaffId(u.leader_id))
        copies.append(copy)
    staff = [s for sid in ids["domain.organisation:StaffMember.Registered"]
             if (s := old._find(StaffMember, sid)) is not None
             and getattr(s, "left_for", None) is None]
    copies += [_copy_staff(s, s.unit_id, slug, _results_state(old, s, as_of)) for s in staff]
    periods = 0
    ledgers: dict[UUID, WorkLedger] = {}
    for pid in ids["domain.period:EvaluationPeriod.Opened"]:
        period = old._find(EvaluationPeriod, pid)
        if period is None or period.closed:
            continue
        periods += 1
        copies += _copy_period(old, period, slug)
        copies += _carry_work(old, successor, period, slug, ledgers)
    return [*copies, *ledgers.values()], len(staff), periods


def _copy_period(old: UnitOfWork, period: EvaluationPeriod, slug: str) -> list[Any]:
    copy = EvaluationPeriod(id=period.id, unit_id=period.unit_id, kind=period.kind,
                            year=period.year, number=period.number, deadline=period.deadline,
                            policy=period.policy_state, members=list(period.members),
                            peer_groups=dict(period.peer_groups), outstanding=period.outstanding)
    copy.import_decisions(dict(period.decisions), slug)
    out: list[Any] = [copy]
    for member in period.members:
        eid = evaluation_id_for(PeriodId(period.id), StaffId(member), OFFICIAL)
        source = old._find(Evaluation, eid)
        evaluation = Evaluation(id=eid, period_id=period.id, unit_id=period.unit_id,
                                staff_id=member, subject=OFFICIAL, kind=period.kind,
                                year=period.year, number=period.number)
        if source is not None and (source.self_score is not None or source.level is not None):
            evaluation.import_outcome(slug, source.self_score, source.self_level, source.level,
                                      source.score, "", period.policy.version)
        out.append(evaluation)
    return out


def _carry_work(old: UnitOfWork, successor: UnitOfWork, period: EvaluationPeriod, slug: str,
                ledgers: dict[UUID, WorkLedger]) -> list[WorkItem]:
    """The work of the period's members that still counts (assigned, reported or
    confirmed; not cancelled or reassigned) continues in the successor under the same ids,
    each item citing its source, and joins the member's ledger there, so the successor's
    breakdown and decision read what the predecessor's would have."""
    carried: list[WorkItem] = []
    for member in period.members:
        lid = work_ledger_id(member, period.kind, period.year, period.number)
        source = old._find(WorkLedger, lid)
        if source is None:
            continue
        ledger = ledgers.get(lid) or successor._find(WorkLedger, lid) or WorkLedger.open(
            member, period.kind, period.year, period.number)
        ledgers[lid] = ledger
        items = old._get_many(WorkItem, list(source.item_ids), "việc được giao", "Work item")
        for item in items.values():
            if item.outcome() is None or item.id in ledger.item_ids:
                continue
            carried.append(WorkItem.carry_over(item, slug))
            ledger.add(item.id)
    return carried
