"""A small organisation for tests: one parent unit and one unit with a leader and members."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import anyio

from domain.actor import Actor, acting_as
from domain.ids import PeriodId, StaffId, UnitId
from services.app.commands import AppointLeader, OpenPeriod, RegisterStaff, RegisterUnit
from services.app.handlers import TenantService
from services.platform.tenants import Tenant
from services.runtime import Runtime


@dataclass
class Org:
    root: UnitId
    unit: UnitId
    chair: StaffId  # head of the root unit: rates the unit's head
    leader: StaffId  # head of the unit
    members: list[StaffId] = field(default_factory=list)
    hr: StaffId = field(default_factory=lambda: StaffId(uuid.uuid4()))


def build_org(service: TenantService, members: int = 9, ids: dict[str, uuid.UUID] | None = None
              ) -> Org:
    """Register a root unit (with its chair) and a unit (leader + ``members`` staff).

    ``ids`` lets two tenants use the *same* ids, to prove ids never cross tenants.
    """
    # Not ``ids or {}``: an empty dict is how a caller asks for ids to be recorded and
    # shared with the next organisation, and a fresh one would silently share nothing.
    ids = {} if ids is None else ids

    def new(key: str) -> uuid.UUID:
        return ids.setdefault(key, uuid.uuid4())

    with acting_as(Actor("test-hr", "hr_officer")):
        root, unit = UnitId(new("root")), UnitId(new("unit"))
        service.register_unit(RegisterUnit(root, "Ủy ban nhân dân", "people_committee"))
        service.register_unit(RegisterUnit(unit, "Ủy ban Mặt trận Tổ quốc", "fatherland_front",
                                           root))
        chair, leader = StaffId(new("chair")), StaffId(new("leader"))
        service.register_staff(RegisterStaff(chair, "Nguyễn Văn Chủ", "cadre", "Chủ tịch", root))
        service.appoint_leader(AppointLeader(root, chair))
        service.register_staff(RegisterStaff(leader, "Trần Thị Trưởng", "cadre", "Chủ tịch MTTQ",
                                             unit))
        service.appoint_leader(AppointLeader(unit, leader))
        org = Org(root=root, unit=unit, chair=chair, leader=leader, hr=StaffId(new("hr")))
        for i in range(members):
            staff = StaffId(new(f"m{i}"))
            service.register_staff(RegisterStaff(staff, f"Lê Văn Thành Viên {i:02d}",
                                                 "civil_servant", "Chuyên viên", unit))
            org.members.append(staff)
    return org


StaffedTenant = Callable[..., Awaitable[tuple[Tenant, Org]]]
"""``await staffed_tenant(members=N)``: a fresh tenant and its organisation (``build_org``)."""


async def month_open(runtime: Runtime, staffed_tenant: StaffedTenant, members: int = 9,
                     month: int = 5) -> tuple[Tenant, Org, TenantService, PeriodId]:
    """A fresh tenant whose ``month`` of 2026 its HR officer has opened: its organisation,
    its service and the period."""
    tenant, org = await staffed_tenant(members=members)
    service = runtime.service(tenant)
    with acting_as(Actor("hr", "hr_officer")):
        opened, _ = await anyio.to_thread.run_sync(
            service.open_period, OpenPeriod(org.unit, 2026, month))
    return tenant, org, service, PeriodId(opened)
