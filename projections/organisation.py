"""Read models of the organisation: units and staff (rm_units, rm_staff)."""

from __future__ import annotations

from typing import Any, ClassVar

from projections.base import Handler, Projection, Statement


def _unit_registered(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.rm_units (unit_id, name, kind, parent_id, leader_id, position) "
        "VALUES ($1, $2, $3, $4, NULL, $5) ON CONFLICT (unit_id) DO NOTHING",
        (e.originator_id, e.name, e.kind, e.parent_id, pos),
    )]


def _leader_appointed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.rm_units SET leader_id = $2, position = $3 WHERE unit_id = $1",
        (e.originator_id, e.staff_id, pos),
    )]


def _staff_registered(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.rm_staff (staff_id, full_name, staff_type, position_title, unit_id, "
        "party_member, position) VALUES ($1, $2, $3, $4, $5, $6, $7) "
        "ON CONFLICT (staff_id) DO NOTHING",
        (e.originator_id, e.full_name, e.staff_type, e.position, e.unit_id, e.party_member, pos),
    )]


class OrganisationProjection(Projection):
    name = "organisation"
    tables = ("rm_units", "rm_staff")
    handlers: ClassVar[dict[str, Handler]] = {
        "domain.organisation:Unit.Registered": _unit_registered,
        "domain.organisation:Unit.LeaderAppointed": _leader_appointed,
        "domain.organisation:StaffMember.Registered": _staff_registered,
    }
