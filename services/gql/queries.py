"""Read queries: served from the tenant's read models, always in the caller's schema.

Who may call each one, and over which records, is decided by services/gql/permissions.py; each
resolver applies that scope to the ids it is given (services/gql/scope.py) and reads through
``ctx.read`` — a transaction that can see the caller's tenant schema and nothing else.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from services.gql.connections import Connection, Keyset, empty, keyset_page, reading
from services.gql.context import access_of, ctx_of
from services.gql.filters import Columns, ListFilter, in_scope, where
from services.gql.ids import StaffID, UnitID
from services.gql.inputs import check_month, parse_id
from services.gql.scope import visible_staff, visible_unit
from services.gql.types import Me, Period, Rating, Staff, Unit
from services.platform.tenants import Tenant

RATING_COLUMNS = (
    "r.evaluation_id, r.period_id, r.unit_id, r.staff_id, s.full_name, r.year, r.number, "
    "r.status, r.self_score, r.self_level, r.self_assessed_at, r.level, r.score, r.reasons, "
    "r.policy_version, r.decided_by, r.decided_at, r.position, r.version"
)
# The peer group a person is counted in: as recorded, else people with the same position
# (domain.organisation.StaffMember.peer_group_key).
PEER_GROUP = "coalesce(nullif(s.peer_group, ''), s.position_title)"
UNITS = Keyset("units", (("u.name", str), ("u.unit_id", UUID)))
STAFF = Keyset("staff", (("s.full_name", str), ("s.staff_id", UUID)))
RATINGS_BY_NAME = Keyset("unit-ratings", (("coalesce(s.full_name, '')", str),
                                          ("r.evaluation_id", UUID)))
HISTORY = Keyset("rating-history", (("r.year", int), ("r.number", int), ("r.kind", str),
                                    ("r.evaluation_id", UUID)), descending=True)
# A rating's staff type and peer group as they were on its period's board.
RATING_FILTERS = Columns(month="r.year * 100 + r.number", unit="r.unit_id",
                         staff_type="m.staff_type", peer_group="m.peer_group", level="r.level")


def ratings_sql(schema: str, keyset: Keyset) -> str:
    return (f"SELECT {RATING_COLUMNS}, {keyset.select()} FROM {schema}.rm_ratings r "
            f"LEFT JOIN {schema}.rm_staff s ON s.staff_id = r.staff_id "
            f"LEFT JOIN {schema}.rm_board_members m ON m.evaluation_id = r.evaluation_id")


async def _recorded_name(info: Info[Any, Any], tenant: Tenant, user_id: str) -> str:
    """The caller's name when the token carries none (``congtam token`` without ``--name``):
    as on the tenant's staff list (staff and leaders sign in with their staff id), else as
    recorded with their platform account (an auditor)."""
    ctx = ctx_of(info)
    try:
        staff_id = UUID(user_id)
    except ValueError:
        staff_id = None
    if staff_id is not None:
        row = await ctx.fetchrow(
            tenant, f"SELECT full_name FROM {tenant.schema}.rm_staff WHERE staff_id = $1",
            staff_id)
        if row is not None and row["full_name"]:
            return str(row["full_name"])
    found = await ctx.runtime.pool.fetchval(
        "SELECT name FROM platform.users WHERE user_id = $1", user_id)
    return str(found or "")


@strawberry.type
class Query:
    @strawberry.field(description="Người đang gọi / who the token says you are")
    async def me(self, info: Info[Any, Any]) -> Me:
        access = await access_of(info)
        principal, tenant = access.principal, access.tenant
        name = principal.name or await _recorded_name(info, tenant, principal.user_id)
        return Me(user_id=principal.user_id, name=name, tenant=tenant.slug,
                  tenant_name=tenant.name, roles=sorted(principal.roles))

    @strawberry.field(description="Các đơn vị của địa phương / the tenant's units")
    async def units(self, info: Info[Any, Any], filter: ListFilter | None = None,
                    first: int | None = None, after: str | None = None,
                    at_least: int | None = None) -> Connection[Unit]:
        ctx, access = ctx_of(info), await access_of(info)
        tenant = access.tenant
        w = where(filter, Columns(unit="u.unit_id"), tenant.schema)
        in_scope(w, "u.unit_id", access)
        await ctx.fresh(tenant, at_least)
        return await keyset_page(
            reading(ctx, tenant),
            f"SELECT u.*, {UNITS.select()} FROM {tenant.schema}.rm_units u WHERE {w.sql()}",
            w.args, UNITS, first, after, Unit.from_row)

    @strawberry.field(description="Danh sách cán bộ của một đơn vị / staff of a unit")
    async def unit_staff(self, info: Info[Any, Any], unit_id: UnitID,
                         filter: ListFilter | None = None, first: int | None = None,
                         after: str | None = None,
                         at_least: int | None = None) -> Connection[Staff]:
        ctx, access = ctx_of(info), await access_of(info)
        tenant, unit = access.tenant, parse_id(unit_id, "đơn vị", "Unit")
        w = where(filter, Columns(staff_type="s.staff_type", peer_group=PEER_GROUP),
                  tenant.schema, [unit])
        if not await visible_unit(info, unit):
            return empty()
        await ctx.fresh(tenant, at_least)
        return await keyset_page(
            reading(ctx, tenant),
            f"SELECT s.*, {STAFF.select()} FROM {tenant.schema}.rm_staff s "
            f"WHERE s.unit_id = $1 AND {w.sql()}",
            w.args, STAFF, first, after, Staff.from_row)

    @strawberry.field(description="Kỳ đánh giá tháng của một đơn vị / a unit's monthly period")
    async def period(self, info: Info[Any, Any], unit_id: UnitID, year: int, month: int,
                     at_least: int | None = None) -> Period | None:
        ctx, access = ctx_of(info), await access_of(info)
        tenant, unit = access.tenant, parse_id(unit_id, "đơn vị", "Unit")
        check_month(year, month)
        if not await visible_unit(info, unit):
            return None
        await ctx.fresh(tenant, at_least)
        async with ctx.read(tenant) as conn:
            row = await conn.fetchrow(
                f"SELECT * FROM {tenant.schema}.rm_periods WHERE unit_id = $1 "
                "AND kind = 'monthly' AND year = $2 AND number = $3", unit, year, month)
        return Period.from_row(row) if row else None

    @strawberry.field(description="Kết quả xếp loại của đơn vị trong tháng / a unit's month board")
    async def unit_ratings(self, info: Info[Any, Any], unit_id: UnitID, year: int,
                           month: int, filter: ListFilter | None = None,
                           first: int | None = None, after: str | None = None,
                           at_least: int | None = None) -> Connection[Rating]:
        ctx, access = ctx_of(info), await access_of(info)
        tenant, unit = access.tenant, parse_id(unit_id, "đơn vị", "Unit")
        check_month(year, month)
        w = where(filter, dataclasses.replace(RATING_FILTERS, month=None, unit=None), tenant.schema,
                  [unit, year, month])
        if not await visible_unit(info, unit):
            return empty()
        await ctx.fresh(tenant, at_least)
        return await keyset_page(
            reading(ctx, tenant),
            ratings_sql(tenant.schema, RATINGS_BY_NAME) + " WHERE r.unit_id = $1 AND "
            f"r.kind = 'monthly' AND r.year = $2 AND r.number = $3 AND {w.sql()}",
            w.args, RATINGS_BY_NAME, first, after, Rating.from_row)

    @strawberry.field(description="Lịch sử xếp loại của một người, mới nhất trước / one "
                                  "person's rating history, newest first")
    async def rating_history(self, info: Info[Any, Any], staff_id: StaffID,
                             filter: ListFilter | None = None, first: int | None = None,
                             after: str | None = None,
                             at_least: int | None = None) -> Connection[Rating]:
        ctx, access = ctx_of(info), await access_of(info)
        tenant, staff = access.tenant, parse_id(staff_id, "cán bộ", "Staff member")
        w = where(filter, RATING_FILTERS, tenant.schema, [staff])
        if not await visible_staff(info, staff):
            return empty()  # someone else's history reads like nobody's
        await ctx.fresh(tenant, at_least)
        return await keyset_page(
            reading(ctx, tenant),
            ratings_sql(tenant.schema, HISTORY) + f" WHERE r.staff_id = $1 AND {w.sql()}",
            w.args, HISTORY, first, after, Rating.from_row)
