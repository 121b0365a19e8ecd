"""Importing units and staff from a spreadsheet (issue 20): all rows or none, once.

The whole import is one call to the event store's ``save``: every new unit and person, every
profile change and every transfer is appended in one database transaction, so a failure
anywhere (a rule, a version clash, the connection) writes nothing. The plan is made here,
against the aggregates as the log holds them at this moment — not against the read models,
which may lag — and the version check on save refuses it if anyone wrote to one of them in
between (then it is planned again, up to ``RETRIES`` times). Re-importing the same rows
finds every person and unit as they are and saves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.organisation import StaffMember, Unit
from domain.text import required
from services.app.commands import RegisterStaff, RegisterUnit
from services.app.handler_base import UnitOfWork, not_found
from services.app.staffing import check_staff_type

IMPORT_REASONS = "Cập nhật từ bảng tính nhân sự (nhập tệp)"  # recorded on an import's transfer


@dataclass(frozen=True)
class ImportStaff:
    """Make the tenant hold these units and people as given. ``units`` come parents first;
    each ``staff`` entry is the person as they should be after the import (a known id is
    updated or transferred, an unknown one registered)."""

    units: tuple[RegisterUnit, ...] = ()
    staff: tuple[RegisterStaff, ...] = ()
    dry_run: bool = False  # plan only: the preview's counts, from the log's current state


@dataclass(frozen=True)
class ImportOutcome:
    position: int  # the log position of the import's last event; 0 when nothing was written
    units_registered: int = 0
    registered: int = 0
    updated: int = 0
    transferred: int = 0
    unchanged: int = 0
    events: int = 0
    touched: tuple[UUID, ...] = field(default=())  # people registered, updated or moved

    @property
    def writes_nothing(self) -> bool:
        return self.units_registered + self.registered + self.updated + self.transferred == 0


def import_staff(uow: UnitOfWork, cmd: ImportStaff) -> ImportOutcome:
    for u in cmd.units:
        required("name", u.name, "tên đơn vị")
        required("kind", u.kind, "loại đơn vị")
    for s in cmd.staff:
        required("fullName", s.full_name, "họ và tên")
        required("position", s.position, "chức vụ")
        check_staff_type(s.staff_type)
    outcome: list[ImportOutcome] = []

    def attempt() -> int:
        planned, changed = _plan(uow, cmd)
        position = 0
        if changed and not cmd.dry_run:
            # The new people's sealing keys in one round trip, not one per person.
            uow.app.prepare_to_seal([a.id for a in changed if isinstance(a, StaffMember)])
            position = uow._save(*changed)
        outcome.append(planned if cmd.dry_run else _at(planned, position))
        return position

    uow._retrying(attempt)
    return outcome[-1]


def _plan(uow: UnitOfWork, cmd: ImportStaff) -> tuple[ImportOutcome, list[Aggregate]]:
    ids: list[UUID] = [u.unit_id for u in cmd.units]
    ids += [u.parent_id for u in cmd.units if u.parent_id]
    ids += [s.staff_id for s in cmd.staff] + [s.unit_id for s in cmd.staff]
    found = uow.app.get_many(dict.fromkeys(ids))  # one round trip for the whole file
    units: dict[UUID, Unit] = {i: a for i, a in found.items() if isinstance(a, Unit)}
    changed: dict[UUID, Aggregate] = {}
    new_units = 0
    for u in cmd.units:
        if u.unit_id in units:
            continue  # a unit already there is left as it is (units are not renamed here)
        if u.parent_id is not None and u.parent_id not in units:
            raise not_found("đơn vị cấp trên", "Parent unit")
        unit = Unit(id=u.unit_id, name=u.name, kind=u.kind, parent_id=u.parent_id)
        units[u.unit_id] = changed[u.unit_id] = unit
        new_units += 1
    counts = {"registered": 0, "updated": 0, "transferred": 0, "unchanged": 0}
    touched: list[UUID] = []
    for s in cmd.staff:
        target = units.get(s.unit_id)
        if target is None:
            raise not_found("đơn vị", "Unit")
        existing = found.get(s.staff_id)
        if existing is not None and not isinstance(existing, StaffMember):
            raise not_found("cán bộ", "Staff member")
        if existing is None:
            person = StaffMember(id=s.staff_id, full_name=s.full_name,
                                 staff_type=s.staff_type, position=s.position,
                                 unit_id=s.unit_id, party_member=s.party_member,
                                 peer_group=s.peer_group, party_cell=s.party_cell,
                                 start_date=s.start_date)
            target.join(s.staff_id)
            changed[s.staff_id] = person
            changed[s.unit_id] = target
            counts["registered"] += 1
            touched.append(s.staff_id)
            continue
        kind = _bring_up_to_date(existing, s, units, changed)
        counts[kind] += 1
        if kind != "unchanged":
            touched.append(s.staff_id)
    events = sum(len(a.pending_events) for a in changed.values())
    return ImportOutcome(0, new_units, events=events, touched=tuple(touched),
                         **counts), list(changed.values())


def _bring_up_to_date(person: StaffMember, s: RegisterStaff, units: dict[UUID, Unit],
                      changed: dict[UUID, Aggregate]) -> str:
    """Transfer (other unit) or update (profile changed) a known person; the name is
    not changed by an import (a new name is a correction with its own reasons)."""
    kind = "unchanged"
    if person.unit_id != s.unit_id:
        source = units.get(person.unit_id)
        person.move_to(s.unit_id, IMPORT_REASONS)
        if source is not None:
            source.leave(s.staff_id)  # type: ignore[arg-type]
            changed[source.id] = source
        units[s.unit_id].join(s.staff_id)
        changed[s.unit_id] = units[s.unit_id]
        changed[s.staff_id] = person
        kind = "transferred"
    now = (s.staff_type, s.position, s.peer_group, s.party_member, s.party_cell,
           s.start_date)
    was = (person.staff_type, person.position, person.peer_group, person.party_member,
           person.party_cell, person.start_date)
    if now != was:
        person.update_profile(*now)
        changed[s.staff_id] = person
        kind = "updated" if kind == "unchanged" else kind
    return kind


def _at(planned: ImportOutcome, position: int) -> ImportOutcome:
    return ImportOutcome(position, planned.units_registered, planned.registered,
                         planned.updated, planned.transferred, planned.unchanged,
                         planned.events, planned.touched)
