"""Units and people (cán bộ tổ chức): registering them, the leader, a person's profile,
absences and discipline, a unit's outstanding year, a move within the tenant."""

from __future__ import annotations

from domain.errors import ValidationFailedError
from domain.organisation import StaffMember, StaffType, Unit
from domain.text import required
from services.app import commands, loading
from services.app.handler_base import UnitOfWork
from services.app.steps import aggregate_step


def check_staff_type(value: str) -> None:
    if value not in {t.value for t in StaffType}:
        raise ValidationFailedError(f"Loại cán bộ '{value}' không hợp lệ.",
                                    f"Unknown staff type '{value}'.")


def register_unit(uow: UnitOfWork, cmd: commands.RegisterUnit) -> int:
    required("name", cmd.name, "tên đơn vị")
    required("kind", cmd.kind, "loại đơn vị")
    if cmd.parent_id is not None:
        uow._get(Unit, cmd.parent_id, "đơn vị cấp trên", "Parent unit")
    return uow._save(Unit(id=cmd.unit_id, name=cmd.name, kind=cmd.kind,
                          parent_id=cmd.parent_id))


def register_staff(uow: UnitOfWork, cmd: commands.RegisterStaff) -> int:
    required("fullName", cmd.full_name, "họ và tên")
    required("position", cmd.position, "chức vụ")
    check_staff_type(cmd.staff_type)

    def attempt() -> int:
        unit = loading.unit(uow, cmd.unit_id)
        staff = StaffMember(id=cmd.staff_id, full_name=cmd.full_name,
                            staff_type=cmd.staff_type, position=cmd.position,
                            unit_id=cmd.unit_id, party_member=cmd.party_member,
                            peer_group=cmd.peer_group, party_cell=cmd.party_cell,
                            start_date=cmd.start_date)
        unit.join(staff.id)  # type: ignore[arg-type]
        return uow._save(staff, unit)
    return uow._retrying(attempt)


def appoint_leader(uow: UnitOfWork, cmd: commands.AppointLeader) -> int:
    def attempt() -> int:
        unit = loading.unit(uow, cmd.unit_id)
        loading.staff(uow, cmd.staff_id)
        unit.appoint_leader(cmd.staff_id)
        return uow._save(unit)
    return uow._retrying(attempt)


def update_staff_profile(uow: UnitOfWork, cmd: commands.UpdateStaffProfile) -> int:
    """Type, position, peer group, Party membership and cell, start date: only what is
    given changes; the rest is carried over into the new event."""
    def attempt() -> int:
        s = loading.staff(uow, cmd.staff_id)
        if cmd.position is not None:
            required("position", cmd.position, "chức vụ")
        staff_type = cmd.staff_type if cmd.staff_type is not None else s.staff_type
        check_staff_type(staff_type)
        s.update_profile(
            staff_type, cmd.position if cmd.position is not None else s.position,
            cmd.peer_group if cmd.peer_group is not None else s.peer_group,
            cmd.party_member if cmd.party_member is not None else s.party_member,
            cmd.party_cell if cmd.party_cell is not None else s.party_cell,
            cmd.start_date if cmd.start_date is not None else s.start_date)
        return uow._save(s)
    return uow._retrying(attempt)


def record_absence(uow: UnitOfWork, cmd: commands.RecordAbsence) -> int:
    if cmd.end < cmd.start:
        raise ValidationFailedError("Ngày kết thúc nghỉ phải sau ngày bắt đầu.",
                                    "An absence must end after it starts.")
    return aggregate_step(uow, lambda: loading.staff(uow, cmd.staff_id), lambda s: s.record_absence(
        cmd.start, cmd.end, cmd.maternity, cmd.reason))


def record_discipline(uow: UnitOfWork, cmd: commands.RecordDiscipline) -> int:
    return aggregate_step(uow, lambda: loading.staff(uow, cmd.staff_id),
                          lambda s: s.record_discipline(cmd.decided_on, cmd.form, cmd.reference))


def flag_outstanding(uow: UnitOfWork, cmd: commands.FlagOutstandingUnit) -> int:
    """Đơn vị có thành tích nổi bật: a higher quota for the year (Hanoi 3814: A ≤ 40%)."""
    return aggregate_step(uow, lambda: loading.unit(uow, cmd.unit_id),
                          lambda u: u.flag_outstanding(cmd.year, cmd.outstanding, cmd.reasons))


def transfer_staff(uow: UnitOfWork, cmd: commands.TransferStaff) -> int:
    """Điều động within the tenant: the receiving unit's roll-ups include the months
    rated in the sending unit (the person's unit history)."""
    def attempt() -> int:
        staff = loading.staff(uow, cmd.staff_id)
        if staff.unit_id == cmd.to_unit:
            raise ValidationFailedError("Cán bộ đã thuộc đơn vị này.",
                                        "The person already belongs to this unit.")
        source = loading.unit(uow, staff.unit_id)
        target = uow._get(Unit, cmd.to_unit, "đơn vị nhận", "Receiving unit")
        staff.move_to(cmd.to_unit, cmd.reasons)
        source.leave(cmd.staff_id)
        target.join(cmd.staff_id)
        return uow._save(staff, source, target)
    return uow._retrying(attempt)
