"""What an import would change, against the staff a tenant already has: new people to
register, profiles to update, unchanged rows to skip — so a re-import writes nothing twice."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from domain.ids import StaffId, UnitId

from .keys import staff_key
from .staff import StaffRow


@dataclass(frozen=True)
class ExistingStaff:
    """A person already in the tenant, as the read model holds them."""

    staff_id: StaffId
    full_name: str
    staff_type: str
    position: str
    unit_id: UnitId
    unit_name: str
    party_member: bool = False
    peer_group: str = ""
    party_cell: str = ""
    start_date: date | None = None
    code: str = ""


@dataclass(frozen=True)
class StaffPlan:
    """``register``: new people. ``update``: same person, profile changed (type, position,
    Party membership, peer group, cell, start date). ``transfer``: same person, other unit
    (a transferred row may carry a changed profile too: compare it after the move).
    ``unchanged``: nothing to write. ``possible_transfers``: a new row whose name matches
    someone in another unit (no staff code to tell) — for the officer to confirm."""

    register: tuple[StaffRow, ...] = ()
    update: tuple[StaffRow, ...] = ()
    transfer: tuple[StaffRow, ...] = ()
    unchanged: tuple[StaffRow, ...] = ()
    possible_transfers: tuple[tuple[StaffRow, ExistingStaff], ...] = field(default=())

    @property
    def writes_nothing(self) -> bool:
        return not (self.register or self.update or self.transfer)


def plan_staff(rows: Iterable[StaffRow], existing: Iterable[ExistingStaff]) -> StaffPlan:
    """Match each row to an existing person by id (a previous import of the same key), then
    by natural key (people registered by hand), and say what would change."""
    by_id = {e.staff_id: e for e in existing}
    by_key = {staff_key(e.full_name, e.unit_name, e.code): e for e in by_id.values()}
    by_name: dict[str, ExistingStaff] = {
        staff_key(e.full_name, ""): e for e in by_id.values()}
    register, update, transfer, unchanged, possible = [], [], [], [], []
    for row in rows:
        match = by_id.get(row.staff_id) or by_key.get(row.key)
        if match is None:
            register.append(row)
            namesake = by_name.get(staff_key(row.full_name, ""))
            if namesake is not None and not row.code:
                possible.append((row, namesake))
            continue
        if match.unit_id != row.unit_id:
            transfer.append(row)
        elif _profile(match) != _profile(row):
            update.append(row)
        else:
            unchanged.append(row)
    return StaffPlan(tuple(register), tuple(update), tuple(transfer), tuple(unchanged),
                     tuple(possible))


def _profile(p: ExistingStaff | StaffRow) -> tuple[str, str, bool, str, str, date | None]:
    return (str(p.staff_type), p.position, p.party_member, p.peer_group, p.party_cell,
            p.start_date)
