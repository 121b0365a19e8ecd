"""The printable reports, filled from the read models at one log position (issue 20).

Each ``fill_*`` reads every table it needs inside one read-only REPEATABLE READ transaction
(one snapshot of the read models) and states on the document the position every projection
had reached in that snapshot (the slowest one's, ``tracked_position``): the same report can
be rebuilt from the log at that position (services/audit as_of). Rows are those of the
official rating (Party ratings are another subject). ``None`` means absent — for a unit or
person outside the caller's scope too, so the edge answers both alike.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from datetime import date
from typing import Any
from uuid import UUID

from domain.evaluation import OFFICIAL
from domain.levels import Level
from domain.policy import Policy
from domain.tenant_policy import default_policy
from projections.runner import tracked_position
from services.platform.tenants import Tenant
from services.reports import inputs as report
from services.runtime import Runtime
from services.store.dbroles import reading_as
from storage.db import DbConn

Scope = Collection[UUID] | None  # the units a caller reaches; None: the whole tenant


@asynccontextmanager
async def snapshot(rt: Runtime, tenant: Tenant) -> AsyncIterator[tuple[DbConn, int]]:
    """One consistent view of the tenant's read models, and the position it stands for."""
    async with rt.pool_of(tenant).acquire() as conn, reading_as(conn, tenant.schema):
        await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield conn, await tracked_position(conn, tenant.schema)


def _level(value: str | None) -> Level | None:
    return Level(value) if value else None


def _score(value: Any) -> float | None:
    return None if value is None else float(value)


@asynccontextmanager
async def unit_snapshot(rt: Runtime, tenant: Tenant, unit_id: UUID,
                        scope: Scope) -> AsyncIterator[tuple[DbConn, int, Any]]:
    """A ``snapshot`` and, in it, the unit's name and head: None outside ``scope``."""
    s = tenant.schema
    async with snapshot(rt, tenant) as (conn, position):
        unit = None if scope is not None and unit_id not in scope else await conn.fetchrow(
            f"SELECT u.name, l.full_name AS head FROM {s}.rm_units u "
            f"LEFT JOIN {s}.rm_staff l ON l.staff_id = u.leader_id WHERE u.unit_id = $1",
            unit_id)
        yield conn, position, unit


async def fill_unit_month(rt: Runtime, tenant: Tenant, unit_id: UUID, year: int, month: int,
                          scope: Scope, prepared_by: str = "") -> report.UnitMonthReport | None:
    s = tenant.schema
    async with unit_snapshot(rt, tenant, unit_id, scope) as (conn, position, unit):
        if unit is None:
            return None
        rows = await conn.fetch(
            f"SELECT p.full_name, p.position_title, r.self_score, r.self_level, r.score, "
            f"r.level, r.reasons FROM {s}.rm_ratings r JOIN {s}.rm_staff p USING (staff_id) "
            "WHERE r.unit_id = $1 AND r.kind = 'monthly' AND r.year = $2 AND r.number = $3 "
            "AND r.subject = $4 ORDER BY p.full_name, r.staff_id", unit_id, year, month,
            OFFICIAL)
    return report.UnitMonthReport(
        tenant.name, unit["name"], year, month, position,
        tuple(report.UnitMonthRow(r["full_name"], r["position_title"], _score(r["self_score"]),
                                  _score(r["score"]), _level(r["level"]),
                                  _level(r["self_level"]), r["reasons"] or "") for r in rows),
        prepared_by=prepared_by, head_name=unit["head"] or "")


async def fill_self_assessment(rt: Runtime, tenant: Tenant, staff_id: UUID, year: int,
                               scope: Scope, own: str | None = None
                               ) -> report.SelfAssessmentForm | None:
    """``own``: the caller's own staff id when their role reaches only themself."""
    s = tenant.schema
    async with snapshot(rt, tenant) as (conn, position):
        person = await conn.fetchrow(
            f"SELECT p.full_name, p.position_title, p.staff_type, p.unit_id, u.name AS unit, "
            f"l.full_name AS head FROM {s}.rm_staff p JOIN {s}.rm_units u USING (unit_id) "
            f"LEFT JOIN {s}.rm_staff l ON l.staff_id = u.leader_id WHERE p.staff_id = $1",
            staff_id)
        if person is None or not (scope is None or person["unit_id"] in scope
                                  or str(staff_id) == own):
            return None
        r = await conn.fetchrow(
            f"SELECT r.self_score, r.self_level, r.score, r.level, r.reasons, r.criteria, "
            f"p.policy_version FROM {s}.rm_ratings r "
            f"LEFT JOIN {s}.rm_periods p USING (period_id) "
            "WHERE r.staff_id = $1 AND r.kind = 'annual' AND r.year = $2 AND r.subject = $3 "
            "ORDER BY r.position DESC LIMIT 1", staff_id, year, OFFICIAL)
        policy = await _annual_policy(conn, s, r["policy_version"] if r else None)
    return report.SelfAssessmentForm(
        tenant.name, person["unit"], year, position, person["full_name"],
        person["position_title"], person["staff_type"],
        self_score=_score(r["self_score"]) if r else None,
        self_level=_level(r["self_level"]) if r else None,
        leader_name=person["head"] or "",
        decided_level=_level(r["level"]) if r else None,
        decided_score=_score(r["score"]) if r else None,
        decision_reasons=(r["reasons"] or "") if r else "",
        criteria=_criteria(policy, _points(r["criteria"]) if r else {}),
        policy_version=policy.version)


async def _annual_policy(conn: DbConn, s: str, version: str | None) -> Policy:
    """The policy the year is rated under: the period's version as the tenant adopted it,
    else the tenant's annual policy in force, else the default annual policy."""
    row = await conn.fetchrow(
        f"SELECT policy FROM {s}.rm_policies WHERE ($1::text IS NOT NULL AND version = $1) "
        "OR ($1::text IS NULL AND cycle = 'annual') "
        "ORDER BY (version = coalesce($1, '')) DESC, revision DESC LIMIT 1", version)
    if row is None:
        return default_policy("annual")
    state = row["policy"]
    return Policy.from_state(json.loads(state) if isinstance(state, str) else dict(state))


def _points(raw: Any) -> dict[str, float]:
    if raw is None:
        return {}
    found = json.loads(raw) if isinstance(raw, str) else dict(raw)
    return {str(k): float(v) for k, v in found.items()}


def _criteria(policy: Policy, points: dict[str, float]
              ) -> tuple[tuple[str, float, float | None], ...]:
    return tuple((c.label_vi, c.max_points, points.get(c.key)) for c in policy.criteria)


async def _year_rows(conn: DbConn, s: str, unit_id: UUID, year: int
                     ) -> tuple[report.UnitYearRow, ...]:
    """Each person of the unit: the year's level, and how many months at each level."""
    people = await conn.fetch(
        f"SELECT p.staff_id, p.full_name, p.position_title, a.score, a.level, "
        f"coalesce(m.levels, '{{}}') AS levels FROM {s}.rm_staff p "
        f"LEFT JOIN LATERAL (SELECT score, level FROM {s}.rm_ratings WHERE staff_id = "
        "p.staff_id AND kind = 'annual' AND year = $2 AND subject = $3 "
        "ORDER BY position DESC LIMIT 1) a ON true "
        f"LEFT JOIN LATERAL (SELECT array_agg(level) AS levels FROM {s}.rm_ratings "
        "WHERE staff_id = p.staff_id AND kind = 'monthly' AND year = $2 AND subject = $3 "
        "AND level IS NOT NULL) m ON true WHERE p.unit_id = $1 "
        "ORDER BY p.full_name, p.staff_id", unit_id, year, OFFICIAL)
    rows = []
    for p in people:
        monthly = {lv: list(p["levels"]).count(lv.value) for lv in Level}
        rows.append(report.UnitYearRow(p["full_name"], p["position_title"],
                                       {k: v for k, v in monthly.items() if v},
                                       _score(p["score"]), _level(p["level"])))
    return tuple(rows)


async def fill_unit_year(rt: Runtime, tenant: Tenant, unit_id: UUID, year: int, scope: Scope,
                         prepared_by: str = "") -> report.UnitYearReport | None:
    async with unit_snapshot(rt, tenant, unit_id, scope) as (conn, position, unit):
        if unit is None:
            return None
        rows = await _year_rows(conn, tenant.schema, unit_id, year)
        collectives = await conn.fetch(
            f"SELECT unit_name, level, reasons FROM {tenant.schema}.rm_collective_ratings "
            "WHERE year = $2 AND (unit_id = $1 OR parent_id = $1) ORDER BY rank, unit_name",
            unit_id, year)
    return report.UnitYearReport(
        tenant.name, unit["name"], year, position, rows,
        tuple(report.CollectiveRow(c["unit_name"], _level(c["level"]), c["reasons"] or "")
              for c in collectives), prepared_by=prepared_by, head_name=unit["head"] or "")


async def fill_commune_month(rt: Runtime, tenant: Tenant, year: int, month: int, scope: Scope,
                             recipient: str = "Sở Nội vụ", prepared_by: str = "",
                             today: date | None = None) -> report.CommuneMonthReport:
    """Completion per unit: a unit is late when anyone decided after the deadline, or the
    deadline has passed with people still undecided."""
    s = tenant.schema
    today = today or date.today()
    async with snapshot(rt, tenant) as (conn, position):
        boards = await conn.fetch(
            f"SELECT b.unit_id, u.name, b.deadline, b.member_count, b.self_assessed, "
            f"b.decided, b.late_decided, t.level_a, t.level_b, t.level_c, t.level_d "
            f"FROM {s}.rm_boards b JOIN {s}.rm_units u USING (unit_id) "
            f"LEFT JOIN {s}.rm_trend_months t USING (period_id) "
            "WHERE b.kind = 'monthly' AND b.year = $1 AND b.number = $2 "
            "ORDER BY u.name, b.unit_id", year, month)
    units = tuple(
        report.UnitCompliance(
            b["name"], b["member_count"], b["self_assessed"], b["decided"],
            {lv: int(b[f"level_{lv.value.lower()}"] or 0) for lv in Level},
            late=b["late_decided"] > 0 or (b["deadline"] < today
                                           and b["decided"] < b["member_count"]))
        for b in boards if scope is None or b["unit_id"] in scope)
    return report.CommuneMonthReport(tenant.name, recipient, year, month, position, units,
                                     prepared_by=prepared_by)


async def fill_province_month(rt: Runtime, tenant: Tenant, children: list[Tenant], year: int,
                              month: int, prepared_by: str = "") -> report.ProvinceMonthRollup:
    """Counts per child tenant from its month counts (``rm_trend_months``: no person in
    it). The position stated is the province's own; each child's is in its row's note."""
    communes = []
    async with snapshot(rt, tenant) as (_, position):
        pass  # the province's own position, stated on the document
    for child in children:
        async with snapshot(rt, child) as (conn, _child_position):
            r = await conn.fetchrow(
                "SELECT count(*)::int AS units, coalesce(sum(t.members), 0)::int AS members, "
                "coalesce(sum(t.decided), 0)::int AS decided, "
                "coalesce(sum(t.level_a), 0)::int AS a, coalesce(sum(t.level_b), 0)::int AS b, "
                "coalesce(sum(t.level_c), 0)::int AS c, coalesce(sum(t.level_d), 0)::int AS d, "
                "count(*) FILTER (WHERE b.late_decided > 0)::int AS late "
                f"FROM {child.schema}.rm_trend_months t LEFT JOIN {child.schema}.rm_boards b "
                "USING (period_id) WHERE t.kind = 'monthly' AND t.year = $1 AND t.number = $2",
                year, month)
        assert r is not None  # an aggregate without GROUP BY answers one row
        communes.append(report.CommuneCounts(
            child.name, r["units"], r["members"], r["decided"],
            {Level.A: r["a"], Level.B: r["b"], Level.C: r["c"], Level.D: r["d"]},
            r["late"]))
    return report.ProvinceMonthRollup(tenant.name, "Sở Nội vụ", year, month, position,
                                      tuple(communes), prepared_by=prepared_by)
