"""Organisation mutations (cán bộ tổ chức): units, staff, heads of unit."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from domain.errors import ValidationFailedError
from domain.ids import StaffId, UnitId
from domain.organisation import StaffType
from services.app.commands import (
    AppointLeader,
    FlagOutstandingUnit,
    RecordAbsence,
    RecordDiscipline,
    RegisterStaff,
    RegisterUnit,
    TransferStaff,
    UpdateStaffProfile,
)
from services.gql.ids import Names, StaffID, UnitID, id_field
from services.gql.inputs import check_text, parse_id, staff_id_of
from services.gql.mutations import run_command
from services.gql.scope import require_staff, require_unit
from services.gql.types import WriteResult

# The staff types are the domain's own, named for the API.
strawberry.enum(StaffType, name="StaffType", description="Loại cán bộ / staff type")


@strawberry.input
class RegisterUnitInput:
    name: str
    kind: str
    parent_id: strawberry.ID | None = id_field(Names.UNIT, default=None)


@strawberry.input
class RegisterStaffInput:
    full_name: str
    staff_type: StaffType
    position: str
    unit_id: strawberry.ID = id_field(Names.UNIT)
    party_member: bool = False
    peer_group: str = strawberry.field(
        default="", description="Nhóm có nhiệm vụ tương đồng; bỏ trống = theo chức danh")
    party_cell: str = strawberry.field(default="", description="Chi bộ sinh hoạt")
    start_date: date | None = strawberry.field(default=None, description="Ngày bắt đầu công tác")


@strawberry.input(description="Cập nhật hồ sơ cán bộ: chỉ các trường được nhập thay đổi")
class StaffProfileInput:
    staff_id: strawberry.ID = id_field(Names.STAFF)
    staff_type: StaffType | None = None
    position: str | None = None
    peer_group: str | None = None
    party_member: bool | None = None
    party_cell: str | None = None
    start_date: date | None = None


@strawberry.input(description="Thời gian nghỉ (ốm đau, thai sản, việc riêng…)")
class AbsenceInput:
    staff_id: strawberry.ID = id_field(Names.STAFF)
    start: date
    end: date
    maternity: bool = False
    reason: str = ""


@strawberry.input(description="Quyết định kỷ luật (khiển trách trở lên)")
class DisciplineInput:
    staff_id: strawberry.ID = id_field(Names.STAFF)
    decided_on: date
    form: str
    reference: str = ""


HR = ("hr_officer",)


def _opt_text(value: str | None, field_vi: str, field_en: str) -> str | None:
    return check_text(value, field_vi, field_en) if value is not None else None


@strawberry.type
class OrganisationMutation:
    @strawberry.mutation(description="Thêm đơn vị (cán bộ tổ chức)")
    async def register_unit(self, info: Info[Any, Any], input: RegisterUnitInput) -> WriteResult:
        unit_id = UnitId(uuid.uuid4())
        parent = UnitId(parse_id(input.parent_id, "đơn vị cấp trên", "Parent unit")) \
            if input.parent_id else None
        await require_unit(info, parent)
        cmd = RegisterUnit(unit_id, check_text(input.name, "tên đơn vị", "name"),
                           check_text(input.kind, "loại đơn vị", "kind"), parent)
        position = await run_command(info, HR, lambda s: s.register_unit(cmd))
        return WriteResult(position=position, id=strawberry.ID(str(unit_id)))

    @strawberry.mutation(description="Thêm cán bộ vào đơn vị (cán bộ tổ chức)")
    async def register_staff(self, info: Info[Any, Any], input: RegisterStaffInput) -> WriteResult:
        staff_id = StaffId(uuid.uuid4())
        cmd = RegisterStaff(
            staff_id, check_text(input.full_name, "họ tên", "full name"), input.staff_type.value,
            check_text(input.position, "chức vụ", "position"),
            UnitId(parse_id(input.unit_id, "đơn vị", "Unit")), input.party_member,
            check_text(input.peer_group, "nhóm", "peer group"),
            check_text(input.party_cell, "chi bộ", "Party cell"), input.start_date)
        await require_unit(info, cmd.unit_id)
        position = await run_command(info, HR, lambda s: s.register_staff(cmd))
        return WriteResult(position=position, id=strawberry.ID(str(staff_id)))

    @strawberry.mutation(description="Bổ nhiệm người đứng đầu đơn vị (cán bộ tổ chức)")
    async def appoint_leader(self, info: Info[Any, Any], unit_id: UnitID,
                             staff_id: StaffID) -> WriteResult:
        cmd = AppointLeader(UnitId(parse_id(unit_id, "đơn vị", "Unit")),
                            staff_id_of(staff_id))
        await require_unit(info, cmd.unit_id)
        await require_staff(info, cmd.staff_id)
        position = await run_command(info, HR, lambda s: s.appoint_leader(cmd))
        return WriteResult(position=position, id=unit_id)

    @strawberry.mutation(description="Cập nhật hồ sơ cán bộ (loại, chức danh, nhóm, đảng viên)")
    async def update_staff_profile(self, info: Info[Any, Any],
                                   input: StaffProfileInput) -> WriteResult:
        cmd = UpdateStaffProfile(
            staff_id_of(input.staff_id), input.staff_type.value if input.staff_type else None,
            _opt_text(input.position, "chức vụ", "position"),
            _opt_text(input.peer_group, "nhóm", "peer group"), input.party_member,
            _opt_text(input.party_cell, "chi bộ", "Party cell"), input.start_date)
        position = await run_command(info, HR, lambda s: s.update_staff_profile(cmd))
        return WriteResult(position=position, id=input.staff_id)

    @strawberry.mutation(description="Ghi nhận thời gian nghỉ của cán bộ")
    async def record_absence(self, info: Info[Any, Any], input: AbsenceInput) -> WriteResult:
        cmd = RecordAbsence(staff_id_of(input.staff_id), input.start, input.end, input.maternity,
                            check_text(input.reason, "lý do", "reason"))
        position = await run_command(info, HR, lambda s: s.record_absence(cmd))
        return WriteResult(position=position, id=input.staff_id)

    @strawberry.mutation(description="Ghi nhận quyết định kỷ luật của cán bộ")
    async def record_discipline(self, info: Info[Any, Any],
                                input: DisciplineInput) -> WriteResult:
        if not input.form.strip():
            raise ValidationFailedError("Cần ghi hình thức kỷ luật.",
                                        "The form of discipline is required.")
        cmd = RecordDiscipline(staff_id_of(input.staff_id), input.decided_on,
                               check_text(input.form, "hình thức", "form"),
                               check_text(input.reference, "số quyết định", "reference"))
        position = await run_command(info, HR, lambda s: s.record_discipline(cmd))
        return WriteResult(position=position, id=input.staff_id)

    @strawberry.mutation(description="Đánh dấu đơn vị có thành tích nổi bật trong năm "
                         "(được áp dụng tỷ lệ cao hơn)")
    async def flag_outstanding_unit(self, info: Info[Any, Any], unit_id: UnitID,
                                    year: int, outstanding: bool = True,
                                    reasons: str = "") -> WriteResult:
        if not 2000 <= year <= 2100:
            raise ValidationFailedError(f"Năm {year} không hợp lệ.", f"Year {year} is not valid.")
        cmd = FlagOutstandingUnit(UnitId(parse_id(unit_id, "đơn vị", "Unit")), year,
                                  outstanding, check_text(reasons, "lý do", "reasons"))
        position = await run_command(info, HR, lambda s: s.flag_outstanding(cmd))
        return WriteResult(position=position, id=unit_id)

    @strawberry.mutation(description="Điều động cán bộ sang đơn vị khác trong địa phương")
    async def transfer_staff(self, info: Info[Any, Any], staff_id: StaffID,
                             to_unit_id: UnitID, reasons: str) -> WriteResult:
        cmd = TransferStaff(staff_id_of(staff_id), UnitId(parse_id(to_unit_id, "đơn vị", "Unit")),
                            check_text(reasons, "lý do", "reasons"))
        position = await run_command(info, HR, lambda s: s.transfer_staff(cmd))
        return WriteResult(position=position, id=staff_id)
