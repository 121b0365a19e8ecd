"""Organisation mutations (cán bộ tổ chức): units, staff, heads of unit."""

from __future__ import annotations

import uuid
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from domain.ids import StaffId, UnitId
from services.commands import AppointLeader, RegisterStaff, RegisterUnit
from services.gql.inputs import check_text, parse_id
from services.gql.mutations import run_command
from services.gql.types import WriteResult


@strawberry.enum(description="Loại cán bộ / staff type")
class StaffType(Enum):
    CADRE = "cadre"
    CIVIL_SERVANT = "civil_servant"
    PUBLIC_EMPLOYEE = "public_employee"
    CONTRACT_WORKER = "contract_worker"


@strawberry.input
class RegisterUnitInput:
    name: str
    kind: str
    parent_id: strawberry.ID | None = None


@strawberry.input
class RegisterStaffInput:
    full_name: str
    staff_type: StaffType
    position: str
    unit_id: strawberry.ID
    party_member: bool = False


HR = ("hr_officer",)


@strawberry.type
class OrganisationMutation:
    @strawberry.mutation(description="Thêm đơn vị (cán bộ tổ chức)")
    async def register_unit(self, info: Info[Any, Any], input: RegisterUnitInput) -> WriteResult:
        unit_id = UnitId(uuid.uuid4())
        parent = UnitId(parse_id(input.parent_id, "đơn vị cấp trên", "Parent unit")) \
            if input.parent_id else None
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
            UnitId(parse_id(input.unit_id, "đơn vị", "Unit")), input.party_member)
        position = await run_command(info, HR, lambda s: s.register_staff(cmd))
        return WriteResult(position=position, id=strawberry.ID(str(staff_id)))

    @strawberry.mutation(description="Bổ nhiệm người đứng đầu đơn vị (cán bộ tổ chức)")
    async def appoint_leader(self, info: Info[Any, Any], unit_id: strawberry.ID,
                             staff_id: strawberry.ID) -> WriteResult:
        cmd = AppointLeader(UnitId(parse_id(unit_id, "đơn vị", "Unit")),
                            StaffId(parse_id(staff_id, "cán bộ", "Staff member")))
        position = await run_command(info, HR, lambda s: s.appoint_leader(cmd))
        return WriteResult(position=position, id=unit_id)
