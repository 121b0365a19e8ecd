"""Read models of the organisation: units and staff (rm_units, rm_staff), a person's absences
and discipline (rm_staff_records), outstanding-unit flags (rm_unit_flags) and transfers
(rm_transfers)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

from projections.base import Handler, Projection, Sql, Statement, key, rows


@lru_cache(maxsize=1024)
def _unit_registered_sql(s: str) -> Sql:
    return Sql(
        f"INSERT INTO {s}.rm_units (unit_id, name, kind, parent_id, leader_id, position) "
        "VALUES ($1, $2, $3, $4, NULL, $5) ON CONFLICT (unit_id) DO NOTHING",
        keys=key("unit"))


def _unit_registered(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_unit_registered_sql(s), (e.originator_id, e.name, e.kind, e.parent_id, pos))]


@lru_cache(maxsize=1024)
def _leader_appointed_sql(s: str) -> Sql:
    return Sql(f"UPDATE {s}.rm_units SET leader_id = $2, position = $3 WHERE unit_id = $1",
               keys=key("unit"))


def _leader_appointed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_leader_appointed_sql(s), (e.originator_id, e.staff_id, pos))]


@lru_cache(maxsize=1024)
def _staff_registered_sql(s: str) -> Sql:
    return Sql(
        f"INSERT INTO {s}.rm_staff (staff_id, full_name, staff_type, position_title, unit_id, "
        "party_member, position, peer_group, party_cell, start_date) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
        "ON CONFLICT (staff_id) DO NOTHING",
        keys=key("staff"),
        bulk=f"INSERT INTO {s}.rm_staff (staff_id, full_name, staff_type, position_title, "
        "unit_id, party_member, position, peer_group, party_cell, start_date) SELECT * FROM "
        + rows("staff_id uuid", "full_name text", "staff_type text", "position_title text",
               "unit_id uuid", "party_member boolean", "pos bigint", "peer_group text",
               "party_cell text", "start_date date")
        + " ON CONFLICT (staff_id) DO NOTHING",
    )


def _staff_registered(s: str, e: Any, pos: int) -> list[Statement]:
    # Events recorded before peer group, Party cell and start date existed lack them.
    return [(_staff_registered_sql(s), (
        e.originator_id, e.full_name, e.staff_type, e.position, e.unit_id, e.party_member, pos,
        getattr(e, "peer_group", ""), getattr(e, "party_cell", ""),
        getattr(e, "start_date", None)))]


def _profile_updated(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.rm_staff SET staff_type = $2, position_title = $3, peer_group = $4, "
        "party_member = $5, party_cell = $6, start_date = $7, position = $8 WHERE staff_id = $1",
        (e.originator_id, e.staff_type, e.position, e.peer_group, e.party_member, e.party_cell,
         e.start_date, pos),
    )]


def _record(kind: str, starts: str, ends: str | None, detail: str) -> Handler:
    def handler(s: str, e: Any, pos: int) -> list[Statement]:
        record_kind = "maternity" if getattr(e, "maternity", False) else kind
        return [(
            f"INSERT INTO {s}.rm_staff_records (position, staff_id, kind, starts_on, ends_on, "
            "detail, recorded_by, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
            "ON CONFLICT (position) DO NOTHING",
            (pos, e.originator_id, record_kind, getattr(e, starts),
             getattr(e, ends) if ends else None, getattr(e, detail), e.actor, e.timestamp),
        )]
    return handler


def _outstanding_flagged(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.rm_unit_flags (unit_id, year, outstanding, reasons, position) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (unit_id, year) DO UPDATE SET "
        "outstanding = EXCLUDED.outstanding, reasons = EXCLUDED.reasons, "
        "position = EXCLUDED.position",
        (e.originator_id, e.year, e.outstanding, e.reasons, pos),
    )]


def _member_left(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.rm_units SET leader_id = NULL, position = $3 "
        "WHERE unit_id = $1 AND leader_id = $2",
        (e.originator_id, e.staff_id, pos),
    )]


def _transferred(s: str, e: Any, pos: int) -> list[Statement]:
    return [
        (f"UPDATE {s}.rm_staff SET unit_id = $2, position = $3 WHERE staff_id = $1",
         (e.originator_id, e.to_unit, pos)),
        (f"INSERT INTO {s}.rm_transfers (position, staff_id, from_unit, to_unit, from_tenant, "
         "reasons, at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (position) DO NOTHING",
         (pos, e.originator_id, e.from_unit, e.to_unit, e.from_tenant, e.reasons, e.timestamp)),
    ]


def _left_tenant(s: str, e: Any, pos: int) -> list[Statement]:
    return [(f"UPDATE {s}.rm_staff SET left_for = $2, position = $3 WHERE staff_id = $1",
             (e.originator_id, e.to_tenant, pos))]


def _prior_results(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.rm_prior_results (result_key, staff_id, year, month, level, score, "
        "from_tenant, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (result_key) DO UPDATE SET level = EXCLUDED.level, "
        "score = EXCLUDED.score, position = EXCLUDED.position",
        (f"{e.originator_id}/{r['year']}/{r['month']}/{e.from_tenant}", e.originator_id,
         int(r["year"]), int(r["month"]), r["level"], r["score"], e.from_tenant, pos),
    ) for r in e.results]


def _merged_into(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.rm_tenant_lineage (position, relation, other_tenant, reasons, at) "
        "VALUES ($1, 'merged_into', $2, $3, $4) ON CONFLICT (position) DO NOTHING",
        (pos, e.successor, e.reasons, e.timestamp),
    )]


def _absorbed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.rm_tenant_lineage (position, relation, other_tenant, staff, periods, "
        "at) VALUES ($1, 'absorbed', $2, $3, $4, $5) ON CONFLICT (position) DO NOTHING",
        (pos, e.predecessor, e.staff, e.periods, e.timestamp),
    )]


class OrganisationProjection(Projection):
    name = "organisation"
    tables = ("rm_units", "rm_staff", "rm_staff_records", "rm_unit_flags", "rm_transfers",
              "rm_prior_results", "rm_tenant_lineage")
    handlers: ClassVar[dict[str, Handler]] = {
        "domain.organisation:Unit.Registered": _unit_registered,
        "domain.organisation:Unit.LeaderAppointed": _leader_appointed,
        "domain.organisation:Unit.OutstandingFlagged": _outstanding_flagged,
        "domain.organisation:Unit.MemberLeft": _member_left,
        "domain.organisation:StaffMember.Registered": _staff_registered,
        "domain.organisation:StaffMember.ProfileUpdated": _profile_updated,
        "domain.organisation:StaffMember.AbsenceRecorded":
            _record("absence", "start", "end", "reason"),
        "domain.organisation:StaffMember.DisciplineRecorded":
            _record("discipline", "decided_on", None, "form"),
        "domain.organisation:StaffMember.Transferred": _transferred,
        "domain.organisation:StaffMember.LeftTenant": _left_tenant,
        "domain.organisation:StaffMember.PriorResultsImported": _prior_results,
        "domain.tenant_record:TenantRecord.MergedInto": _merged_into,
        "domain.tenant_record:TenantRecord.PredecessorAbsorbed": _absorbed,
    }
