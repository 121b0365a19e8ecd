"""Organisation of a tenant: units (đơn vị) and staff (cán bộ, công chức, viên chức…).

The head of a unit (người đứng đầu, thủ trưởng) decides the ratings of its members;
a head is rated by the head of the parent unit (domain: "a head is rated by the level above").
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import event

from domain.actor import TenantAggregate
from domain.errors import NotCompetentLeaderError, SelfRatingError
from domain.ids import StaffId, UnitId


class StaffType(StrEnum):
    CADRE = "cadre"  # cán bộ
    CIVIL_SERVANT = "civil_servant"  # công chức
    PUBLIC_EMPLOYEE = "public_employee"  # viên chức
    CONTRACT_WORKER = "contract_worker"  # người lao động hợp đồng


class Unit(TenantAggregate):
    """A unit inside a tenant: People's Committee office, MTTQ, Hội LHPN, Đoàn TNCS HCM…"""

    @event("Registered")
    def __init__(self, id: UUID, name: str, kind: str, parent_id: UUID | None) -> None:
        self.name = name
        self.kind = kind
        self.parent_id = parent_id
        self.leader_id: UUID | None = None
        self.members: list[UUID] = []

    @property
    def unit_id(self) -> UnitId:
        return UnitId(self.id)

    def join(self, staff_id: StaffId) -> None:
        if staff_id not in self.members:
            self._member_joined(staff_id)

    @event("MemberJoined")
    def _member_joined(self, staff_id: UUID) -> None:
        self.members.append(staff_id)

    def appoint_leader(self, staff_id: StaffId) -> None:
        self.join(staff_id)
        self._leader_appointed(staff_id)

    @event("LeaderAppointed")
    def _leader_appointed(self, staff_id: UUID) -> None:
        self.leader_id = staff_id


class StaffMember(TenantAggregate):
    """A person who is rated: identity, type and current unit."""

    @event("Registered")
    def __init__(
        self,
        id: UUID,
        full_name: str,
        staff_type: str,
        position: str,
        unit_id: UUID,
        party_member: bool,
    ) -> None:
        self.full_name = full_name
        self.staff_type = staff_type
        self.position = position
        self.unit_id = unit_id
        self.party_member = party_member


def competent_decider(
    subject: StaffId, unit: Unit, parent: Unit | None, decider: str
) -> None:
    """Check that ``decider`` may rate ``subject``, a member of ``unit``.

    Rule: no one rates themselves; the head of the unit rates its members; the head is
    rated by the head of the parent unit (the level above). Raises a DomainError.
    """
    if str(subject) == decider:
        raise SelfRatingError(
            "Không ai được tự quyết định xếp loại của chính mình.",
            "No one may decide their own rating.",
        )
    if unit.leader_id is not None and subject == unit.leader_id:
        competent = parent.leader_id if parent is not None else None
        where_vi, where_en = "người đứng đầu cấp trên", "the head of the parent unit"
    else:
        competent = unit.leader_id
        where_vi, where_en = "người đứng đầu đơn vị", "the head of the unit"
    if competent is None or str(competent) != decider:
        raise NotCompetentLeaderError(
            f"Chỉ {where_vi} mới có thẩm quyền quyết định xếp loại người này.",
            f"Only {where_en} is competent to decide this person's rating.",
        )
