"""Dashboard queries: unit boards, lists of boards, person timelines, trends, and a parent
tenant's view of its children — every list a Relay connection, every query with ``atLeast``.

Readers are the HR officer, unit leaders and auditors of the caller's tenant (from the
token); a person may read their own timeline.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from domain.actor import Actor
from services.gql.board import UnitBoard
from services.gql.child_tenants import children_trend_sql, granted_children, month_key, trend_args
from services.gql.connections import (
    Connection,
    Keyset,
    build,
    cursor_int,
    cursor_uuid,
    decode_cursor,
    keyset_page,
    page_size,
)
from services.gql.context import access_of, ctx_of
from services.gql.dashboard_types import (
    BoardsFilter,
    ChildTenantPoint,
    MonthInput,
    TimelineEntry,
    TrendPoint,
)
from services.gql.filters import Columns, InvalidFilterError, ListFilter, subtree, where
from services.gql.ids import StaffID, UnitID, UnitIDOrNone
from services.gql.inputs import check_month, parse_id
from services.gql.loaders import Reads
from services.gql.permissions import scope_sql
from services.platform.tenants import Tenant

READERS = ("hr_officer", "unit_leader", "auditor")
PARENT_READERS = ("hr_officer", "auditor")
BOARDS, TIMELINE, CHILDREN = "boards", "timeline", "children"


async def open_reads(info: Info[Any, Any], roles: tuple[str, ...],
                     at_least: int | None) -> Reads:
    """Check the caller (role, tenant from the token), wait for ``atLeast``, then read."""
    ctx = ctx_of(info)
    access = await access_of(info)
    if roles:  # narrower than the matrix row (a person's own timeline needs none)
        access.capacity(*roles)
    tenant = access.tenant
    await ctx.fresh(tenant, at_least)
    if ctx.reads is None or ctx.reads.tenant != tenant:
        ctx.reads = Reads(ctx.runtime.pool_of(tenant), tenant)
    reads: Reads = ctx.reads
    return reads


def month_range(start: MonthInput | None, end: MonthInput | None) -> tuple[int, int]:
    for m in (start, end):
        if m is not None:
            check_month(m.year, m.month)
    return (month_key(start.year, start.month) if start else 0,
            month_key(end.year, end.month) if end else 999912)


BOARD_SQL = (
    "SELECT * FROM {s}.rm_boards WHERE kind = 'monthly' "
    "AND year * 100 + number BETWEEN $1 AND $2 AND ($3::uuid IS NULL OR unit_id = $3 "
    "OR ($7 AND unit_id IN {subtree})) "
    "AND (year * 100 + number, unit_id) > ($4, $5) AND " + scope_sql("unit_id", 8) + " "
    "ORDER BY year * 100 + number, unit_id LIMIT $6"
)
# Month counts from the trend read model; $1 the unit (NULL: the whole tenant), $2/$3 the
# month range, then the filter's own conditions.
TREND_SQL = (
    "SELECT year, number, count(*)::int AS units, sum(members)::int AS members, "
    "sum(decided)::int AS decided, sum(level_a)::int AS level_a, sum(level_b)::int AS level_b, "
    "sum(level_c)::int AS level_c, sum(level_d)::int AS level_d, {key} "
    "FROM {s}.rm_trend_months t "
    "WHERE kind = 'monthly' AND ($1::uuid IS NULL OR unit_id = $1) "
    "AND year * 100 + number BETWEEN $2 AND $3 AND {where} GROUP BY year, number"
)
# The same counts over the people on the boards, when the filter names who is counted (staff
# type, peer group, level): the trend read model holds no such split, the boards' members do.
MEMBER_TREND_SQL = (
    "SELECT b.year, b.number, count(DISTINCT b.unit_id)::int AS units, "
    "count(*)::int AS members, count(m.level)::int AS decided, "
    "count(*) FILTER (WHERE m.level = 'A')::int AS level_a, "
    "count(*) FILTER (WHERE m.level = 'B')::int AS level_b, "
    "count(*) FILTER (WHERE m.level = 'C')::int AS level_c, "
    "count(*) FILTER (WHERE m.level = 'D')::int AS level_d, {key} "
    "FROM {s}.rm_board_members m JOIN {s}.rm_boards b ON b.period_id = m.period_id "
    "WHERE b.kind = 'monthly' AND ($1::uuid IS NULL OR b.unit_id = $1) "
    "AND b.year * 100 + b.number BETWEEN $2 AND $3 AND {where} GROUP BY b.year, b.number"
)
TREND = Keyset("trend", (("year * 100 + number", int),))


@strawberry.type
class DashboardQuery:
    @strawberry.field(description="Bảng theo dõi tháng của một đơn vị / a unit's month board")
    async def unit_board(self, info: Info[Any, Any], unit_id: UnitID, year: int,
                         month: int, at_least: int | None = None) -> UnitBoard | None:
        check_month(year, month)
        unit = parse_id(unit_id, "đơn vị", "Unit")
        reads = await open_reads(info, READERS, at_least)
        row = await reads.fetchrow(
            f"SELECT * FROM {reads.schema}.rm_boards WHERE unit_id = $1 AND kind = 'monthly' "
            "AND year = $2 AND number = $3", unit, year, month)
        return UnitBoard.from_row(row) if row else None

    @strawberry.field(description="Các bảng theo dõi theo tháng và đơn vị / boards, by month")
    async def boards(self, info: Info[Any, Any], filter: BoardsFilter | None = None,
                     first: int | None = None, after: str | None = None,
                     at_least: int | None = None) -> Connection[UnitBoard]:
        f = filter or BoardsFilter()
        low, high = month_range(f.from_month, f.to_month)
        unit = parse_id(f.unit_id, "đơn vị", "Unit") if f.unit_id else None
        size = page_size(first)
        key = decode_cursor(BOARDS, after, 2)
        reads = await open_reads(info, READERS, at_least)
        if f.include_subunits and unit is None:
            raise InvalidFilterError("Chọn đơn vị (unitId) trước khi lấy kèm đơn vị trực thuộc.",
                                     "includeSubunits needs a unitId.")
        rows = await reads.fetch(
            BOARD_SQL.format(s=reads.schema, subtree=subtree(reads.schema, "$3")), low, high,
            unit, cursor_int(key[0]) if key else 0,
            cursor_uuid(key[1]) if key else UUID(int=0), size + 1, f.include_subunits,
            (await access_of(info)).unit_ids)
        return build(rows, size, BOARDS,
                     lambda r: (month_key(r["year"], r["number"]), r["unit_id"]),
                     UnitBoard.from_row, after)

    @strawberry.field(description="Quá trình đánh giá của một người / a person's timeline")
    async def person_timeline(self, info: Info[Any, Any], staff_id: StaffID,
                              from_month: MonthInput | None = None,
                              to_month: MonthInput | None = None, first: int | None = None,
                              after: str | None = None,
                              at_least: int | None = None) -> Connection[TimelineEntry]:
        principal = (await access_of(info)).principal
        own = principal.user_id == str(staff_id)
        reads = await open_reads(info, () if own else READERS, at_least)
        low, high = month_range(from_month, to_month)
        size = page_size(first)
        key = decode_cursor(TIMELINE, after, 1)
        rows = await reads.fetch(
            f"SELECT * FROM {reads.schema}.rm_timeline WHERE staff_id = $1 "
            "AND year * 100 + number BETWEEN $2 AND $3 AND position > $4 "
            "ORDER BY position LIMIT $5",
            parse_id(staff_id, "cán bộ", "Staff member"), low, high,
            cursor_int(key[0]) if key else 0, size + 1)
        return build(rows, size, TIMELINE, lambda r: (r["position"],),
                     TimelineEntry.from_row, after)

    @strawberry.field(description="Xu hướng theo tháng của đơn vị, hoặc của cả địa phương")
    async def trend(self, info: Info[Any, Any], unit_id: UnitIDOrNone = None,
                    from_month: MonthInput | None = None, to_month: MonthInput | None = None,
                    filter: ListFilter | None = None, first: int | None = None,
                    after: str | None = None,
                    at_least: int | None = None) -> Connection[TrendPoint]:
        """``filter`` narrows further: a unit with its sub-units, and who is counted (staff
        type, peer group, level — then ``members`` counts only those people)."""
        low, high = month_range(from_month, to_month)
        unit = parse_id(unit_id, "đơn vị", "Unit") if unit_id else None
        reads = await open_reads(info, READERS, at_least)
        s = reads.schema
        f = filter or ListFilter()
        if f.staff_type is None and f.peer_group is None and f.level is None:
            w = where(f, Columns(month="t.year * 100 + t.number", unit="t.unit_id"), s,
                      [unit, low, high])
            sql = TREND_SQL
        else:
            w = where(f, Columns(month="b.year * 100 + b.number", unit="b.unit_id",
                                 staff_type="m.staff_type", peer_group="m.peer_group",
                                 level="m.level"), s, [unit, low, high])
            sql = MEMBER_TREND_SQL.replace("{key}", "b.year * 100 + b.number AS _k0")
        w.args.append((await access_of(info)).unit_ids)
        w.conditions.append(scope_sql("t.unit_id" if sql is TREND_SQL else "b.unit_id",
                                      len(w.args)))
        return await keyset_page(
            reads.fetch, sql.format(s=s, key=TREND.select(), where=w.sql()), w.args, TREND,
            first, after, TrendPoint.from_row, count=False)

    @strawberry.field(description="Số liệu tổng hợp của các địa phương cấp dưới đã cho phép "
                                  "(chỉ số lượng và tỷ lệ) / granted children's aggregates")
    async def child_tenant_trend(self, info: Info[Any, Any],
                                 from_month: MonthInput | None = None,
                                 to_month: MonthInput | None = None, first: int | None = None,
                                 after: str | None = None,
                                 at_least: int | None = None) -> Connection[ChildTenantPoint]:
        low, high = month_range(from_month, to_month)
        size = page_size(first)
        key = decode_cursor(CHILDREN, after, 2)
        if key is not None:
            key = [str(key[0]), cursor_int(key[1])]
        reads = await open_reads(info, PARENT_READERS, at_least)
        ctx = ctx_of(info)
        principal = (await access_of(info)).principal
        # Grants and the registry are in the home database; the children's read models are
        # where each child is placed: one statement per database holding any of them.
        children = await granted_children(ctx.runtime.pool, reads.tenant, principal.user_id,
                                          PARENT_READERS)
        rows: list[Any] = []
        # A grant narrowed to a unit of this tenant reaches no other tenant's figures.
        if children and (await access_of(info)).whole_tenant:
            # Reads reaching into other tenants are logged there, one record per child.
            capacity = next(r for r in PARENT_READERS if principal.has(r))
            await ctx_of(info).runtime.platform.record_accesses(
                Actor(principal.user_id, capacity),
                [(c.slug, info.field_name, f"from {reads.tenant.slug}") for c in children])
            placed: dict[str, list[Tenant]] = defaultdict(list)
            for child in children:
                placed[ctx.runtime.directory.name_of(child.slug)].append(child)
            args = trend_args(low, high, key, size + 1)
            for name, group in sorted(placed.items()):
                pool = ctx.runtime.directory.databases[name].pool
                rows += await reads.fetch_across_tenants(children_trend_sql(group), *args,
                                                         pool=pool)
            # Each database's page starts after the same cursor: merged, the first
            # size + 1 in (tenant, month) order are the page across all of them.
            rows.sort(key=lambda r: (r["tenant"], r["year"], r["number"]))
            del rows[size + 1:]
        return build(rows, size, CHILDREN,
                     lambda r: (r["tenant"], month_key(r["year"], r["number"])),
                     lambda r: ChildTenantPoint(tenant=r["tenant"], tenant_name=r["tenant_name"],
                                                point=TrendPoint.from_row(r)), after)
