"""Handlers for the organisation and the tenant's policy (cán bộ tổ chức)."""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError

from domain.errors import AlreadyExistsError, ValidationFailedError
from domain.organisation import StaffMember, StaffType, Unit
from domain.tenant_policy import TenantPolicy, tenant_policy_id
from domain.text import required
from services.app.commands import (
    AdjustPolicy,
    AdoptPolicy,
    AppointLeader,
    FlagOutstandingUnit,
    RecordAbsence,
    RecordDiscipline,
    RegisterStaff,
    RegisterUnit,
    UpdateStaffProfile,
)
from services.app.handler_base import HandlerBase


def _check_staff_type(value: str) -> None:
    if value not in {t.value for t in StaffType}:
        raise ValidationFailedError(f"Loại cán bộ '{value}' không hợp lệ.",
                                    f"Unknown staff type '{value}'.")


class OrganisationHandlers(HandlerBase):
    def register_unit(self, cmd: RegisterUnit) -> int:
        required("name", cmd.name, "tên đơn vị")
        required("kind", cmd.kind, "loại đơn vị")
        if cmd.parent_id is not None:
            self._get(Unit, cmd.parent_id, "đơn vị cấp trên", "Parent unit")
        return self._save(Unit(id=cmd.unit_id, name=cmd.name, kind=cmd.kind,
                               parent_id=cmd.parent_id))

    def register_staff(self, cmd: RegisterStaff) -> int:
        required("fullName", cmd.full_name, "họ và tên")
        required("position", cmd.position, "chức vụ")
        _check_staff_type(cmd.staff_type)

        def attempt() -> int:
            unit = self._get(Unit, cmd.unit_id, "đơn vị", "Unit")
            staff = StaffMember(id=cmd.staff_id, full_name=cmd.full_name,
                                staff_type=cmd.staff_type, position=cmd.position,
                                unit_id=cmd.unit_id, party_member=cmd.party_member,
                                peer_group=cmd.peer_group, party_cell=cmd.party_cell,
                                start_date=cmd.start_date)
            unit.join(staff.id)  # type: ignore[arg-type]
            return self._save(staff, unit)
        return self._retrying(attempt)

    def appoint_leader(self, cmd: AppointLeader) -> int:
        def attempt() -> int:
            unit = self._get(Unit, cmd.unit_id, "đơn vị", "Unit")
            self._get(StaffMember, cmd.staff_id, "cán bộ", "Staff member")
            unit.appoint_leader(cmd.staff_id)
            return self._save(unit)
        return self._retrying(attempt)

    def _staff(self, staff_id: object) -> StaffMember:
        return self._get(StaffMember, staff_id, "cán bộ", "Staff member")  # type: ignore[arg-type]

    def update_staff_profile(self, cmd: UpdateStaffProfile) -> int:
        """Type, position, peer group, Party membership and cell, start date: only what is
        given changes; the rest is carried over into the new event."""
        def attempt() -> int:
            s = self._staff(cmd.staff_id)
            if cmd.position is not None:
                required("position", cmd.position, "chức vụ")
            staff_type = cmd.staff_type if cmd.staff_type is not None else s.staff_type
            _check_staff_type(staff_type)
            s.update_profile(
                staff_type, cmd.position if cmd.position is not None else s.position,
                cmd.peer_group if cmd.peer_group is not None else s.peer_group,
                cmd.party_member if cmd.party_member is not None else s.party_member,
                cmd.party_cell if cmd.party_cell is not None else s.party_cell,
                cmd.start_date if cmd.start_date is not None else s.start_date)
            return self._save(s)
        return self._retrying(attempt)

    def record_absence(self, cmd: RecordAbsence) -> int:
        if cmd.end < cmd.start:
            raise ValidationFailedError("Ngày kết thúc nghỉ phải sau ngày bắt đầu.",
                                        "An absence must end after it starts.")

        def attempt() -> int:
            s = self._staff(cmd.staff_id)
            s.record_absence(cmd.start, cmd.end, cmd.maternity, cmd.reason)
            return self._save(s)
        return self._retrying(attempt)

    def record_discipline(self, cmd: RecordDiscipline) -> int:
        def attempt() -> int:
            s = self._staff(cmd.staff_id)
            s.record_discipline(cmd.decided_on, cmd.form, cmd.reference)
            return self._save(s)
        return self._retrying(attempt)

    def flag_outstanding(self, cmd: FlagOutstandingUnit) -> int:
        """Đơn vị có thành tích nổi bật: a higher quota for the year (Hanoi 3814: A ≤ 40%)."""
        def attempt() -> int:
            unit = self._get(Unit, cmd.unit_id, "đơn vị", "Unit")
            unit.flag_outstanding(cmd.year, cmd.outstanding, cmd.reasons)
            return self._save(unit)
        return self._retrying(attempt)

    # Policy --------------------------------------------------------------------

    def adopt_policy(self, cmd: AdoptPolicy) -> int:
        """Adopt a preset for a cycle; adopting again switches preset as a new version."""
        def attempt() -> int:
            current = self._find(TenantPolicy, tenant_policy_id(cmd.cycle))
            if current is None:
                return self._save(TenantPolicy.adopt(cmd.cycle, cmd.preset, cmd.reasons))
            current.readopt(cmd.preset, cmd.reasons)
            return self._save(current)
        try:
            return self._retrying(attempt)
        except IntegrityError:  # pragma: no cover - two first adoptions at once
            raise AlreadyExistsError("Chính sách vừa được áp dụng; vui lòng tải lại.",
                                     "The policy was just adopted; reload.") from None

    def adjust_policy(self, cmd: AdjustPolicy) -> int:
        """A new version of the tenant's policy; periods already open keep theirs."""
        def attempt() -> int:
            current = self._find(TenantPolicy, tenant_policy_id(cmd.cycle))
            if current is None:
                current = TenantPolicy.adopt(cmd.cycle, default_preset(cmd.cycle), "")
            current.adjust(cmd.changes, cmd.reasons)
            return self._save(current)
        return self._retrying(attempt)


def default_preset(cycle: str) -> str:
    return "vn-annual-2026" if cycle == "annual" else "hn-monthly-2018"
