"""Organisation of a tenant: units (đơn vị) and staff (cán bộ, công chức, viên chức…).

The head of a unit (người đứng đầu, thủ trưởng) decides the ratings of its members;
a head is rated by the head of the parent unit (domain: "a head is rated by the level above").
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.actor import TenantAggregate
from domain.errors import (
    NotCompetentHigherLevelError,
    NotCompetentLeaderError,
    SelfRatingError,
)
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
        self.outstanding_years: dict[str, bool] = {}

    def outstanding_in(self, year: int) -> bool:
        """Flagged as a unit with outstanding results for ``year`` (Hanoi 3814: A up to 40%)."""
        return self.outstanding_years.get(str(year), False)

    def flag_outstanding(self, year: int, outstanding: bool, reasons: str) -> None:
        self._outstanding_flagged(year, outstanding, reasons)

    @event("OutstandingFlagged")
    def _outstanding_flagged(self, year: int, outstanding: bool, reasons: str) -> None:
        self.outstanding_years[str(year)] = outstanding

    def leave(self, staff_id: StaffId) -> None:
        if staff_id in self.members:
            self._member_left(staff_id)

    @event("MemberLeft")
    def _member_left(self, staff_id: UUID) -> None:
        self.members.remove(staff_id)
        if self.leader_id == staff_id:
            self.leader_id = None

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
    """A person who is rated: identity, type, current unit, and what eligibility depends on.

    Fields added after the first version (peer group, Party cell, start date) have defaults,
    so events recorded before them still load.
    """

    @event("Registered")
    def __init__(
        self,
        id: UUID,
        full_name: str,
        staff_type: str,
        position: str,
        unit_id: UUID,
        party_member: bool,
        peer_group: str = "",
        party_cell: str = "",
        start_date: date | None = None,
    ) -> None:
        self.full_name = full_name
        self.unit_id = unit_id
        self._hold_profile(staff_type, position, peer_group, party_member, party_cell,
                           start_date)
        self.absences: list[tuple[date, date, bool]] = []
        self.disciplines: list[tuple[date, str]] = []
        self.unit_history: list[UUID] = [unit_id]  # every unit of this tenant they belonged to
        self.prior_results: list[dict[str, Any]] = []  # monthly results from other tenants

    @property
    def peer_group_key(self) -> str:
        """Nhóm có nhiệm vụ tương đồng: as recorded, else people with the same position."""
        return self.peer_group or self.position

    def update_profile(self, staff_type: str, position: str, peer_group: str,
                       party_member: bool, party_cell: str, start_date: date | None) -> None:
        self._profile_updated(staff_type, position, peer_group, party_member, party_cell,
                              start_date)

    @event("ProfileUpdated")
    def _profile_updated(self, staff_type: str, position: str, peer_group: str,
                         party_member: bool, party_cell: str, start_date: date | None) -> None:
        self._hold_profile(staff_type, position, peer_group, party_member, party_cell,
                           start_date)

    def _hold_profile(self, staff_type: str, position: str, peer_group: str,
                      party_member: bool, party_cell: str, start_date: date | None) -> None:
        """The post a person holds, as registered or last updated."""
        self.staff_type = staff_type
        self.position = position
        self.peer_group = peer_group
        self.party_member = party_member
        self.party_cell = party_cell
        self.start_date = start_date

    def record_absence(self, start: date, end: date, maternity: bool, reason: str) -> None:
        """Nghỉ (ốm đau, thai sản, việc riêng…): counts against time worked in the year."""
        self._absence_recorded(start, end, maternity, reason)

    @event("AbsenceRecorded")
    def _absence_recorded(self, start: date, end: date, maternity: bool, reason: str) -> None:
        self.absences.append((start, end, maternity))

    def record_discipline(self, decided_on: date, form: str, reference: str) -> None:
        """Kỷ luật (khiển trách trở lên): the year's annual rating is "not completed"."""
        self._discipline_recorded(decided_on, form, reference)

    @event("DisciplineRecorded")
    def _discipline_recorded(self, decided_on: date, form: str, reference: str) -> None:
        self.disciplines.append((decided_on, form))

    def move_to(self, unit_id: UUID, reasons: str, from_tenant: str = "") -> None:
        """Điều động, luân chuyển: the person now belongs to ``unit_id``."""
        self._transferred(self.unit_id, unit_id, reasons, from_tenant)

    @event("Transferred")
    def _transferred(self, from_unit: UUID, to_unit: UUID, reasons: str,
                     from_tenant: str) -> None:
        self.unit_id = to_unit
        if to_unit not in self.unit_history:
            self.unit_history.append(to_unit)

    def leave_tenant(self, to_tenant: str, reasons: str) -> None:
        """Chuyển công tác sang địa phương khác: this tenant keeps the history."""
        self._left_tenant(self.unit_id, to_tenant, reasons)

    @event("LeftTenant")
    def _left_tenant(self, from_unit: UUID, to_tenant: str, reasons: str) -> None:
        self.left_for = to_tenant

    def import_prior_results(self, from_tenant: str, results: list[dict[str, Any]]) -> None:
        """Decree 335/2025 art. 21: on transfer, the new unit rates with the old unit's data.
        The sending tenant's monthly results are copied here, naming their source."""
        if results:
            self._prior_results_imported(from_tenant, results)

    @event("PriorResultsImported")
    def _prior_results_imported(self, from_tenant: str, results: list[dict[str, Any]]) -> None:
        self.prior_results.extend({**r, "tenant": from_tenant} for r in results)


def competent_decider(
    subject: StaffId, unit: Unit, parent: Unit | None, decider: str
) -> str:
    """Check that ``decider`` may rate ``subject``, a member of ``unit``; return the basis.

    Rule: no one rates themselves; the head of the unit rates its members; the head is
    rated by the head of the parent unit (the level above). Raises a DomainError.
    """
    if str(subject) == decider:
        raise SelfRatingError(
            "Không ai được tự quyết định xếp loại của chính mình.",
            "No one may decide their own rating.",
        )
    head_rated = unit.leader_id is not None and subject == unit.leader_id
    if head_rated:
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
    head_of = parent if head_rated and parent is not None else unit
    return f"Người đứng đầu {head_of.name} (phân cấp quản lý cán bộ)"


def competent_higher_level(unit: Unit, parent: Unit | None, granter: str) -> str:
    """The level above a unit (the head of its parent unit) grants quota exceptions."""
    if parent is None or parent.leader_id is None or str(parent.leader_id) != granter:
        raise NotCompetentHigherLevelError(
            "Chỉ người đứng đầu cấp trên trực tiếp mới được cho phép vượt tỷ lệ.",
            "Only the head of the unit above may grant a quota exception.",
        )
    return f"Người đứng đầu {parent.name} (cấp có thẩm quyền)"


def competent_for_collective(unit: Unit, parent: Unit | None, decider: str) -> str:
    """A unit is rated as a collective by the head of the unit above; the head of the unit
    itself never rates its own collective (no one rates themselves)."""
    if unit.leader_id is not None and str(unit.leader_id) == decider:
        raise SelfRatingError(
            "Người đứng đầu không tự xếp loại tập thể đơn vị mình.",
            "A head may not rate their own unit as a collective.",
        )
    if parent is None or parent.leader_id is None or str(parent.leader_id) != decider:
        raise NotCompetentLeaderError(
            "Chỉ người đứng đầu cấp trên trực tiếp mới xếp loại tập thể đơn vị này.",
            "Only the head of the unit above rates this unit as a collective.",
        )
    return f"Người đứng đầu {parent.name} (cấp trên trực tiếp)"
