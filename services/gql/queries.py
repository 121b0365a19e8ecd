"""Read queries: served from the tenant's read models, always in the caller's schema.

Who may call each one, and over which records, is decided by services/permissions.py; each
resolver applies that scope to the ids it is given (services/gql/scope.py) and reads through
``ctx.read`` — a transaction that can see the caller's tenant schema and nothing else.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from services.gql.context import access_of, ctx_of
from services.gql.inputs import check_month, parse_id
from services.gql.scope import visible_staff, visible_unit
from services.gql.types import Me, Period, Rating, Staff, Unit

READERS = ("hr_officer", "unit_leader", "auditor")  # kept for resolvers that still ask by role

RATING_COLUMNS = (
    "r.evaluation_id, r.period_id, r.unit_id, r.staff_id, s.full_name, r.year, r.number, "
    "r.status, r.self_score, r.self_level, r.self_assessed_at, r.level, r.score, r.reasons, "
    "r.policy_version, r.decided_by, r.decided_at, r.position, r.version"
)


@strawberry.type
class Query:
    @strawberry.field(description="Người đang gọi / who the token says you are")
    async def me(self, info: Info[Any, Any]) -> Me:
        access = await access_of(info)
        principal, tenant = access.principal, access.tenant
        return Me(user_id=principal.user_id, name=principal.name, tenant=tenant.slug,
                  tenant_name=tenant.name, roles=sorted(principal.roles))

    @strawberry.field(description="Các đơn vị của địa phương / the tenant's units")
    async def units(self, info: Info[Any, Any], at_least: int | None = None) -> list[Unit]:
        ctx, access = ctx_of(info), await access_of(info)
        tenant = access.tenant
        await ctx.fresh(tenant, at_least)
        async with ctx.read(tenant) as conn:
            rows = await conn.fetch(
                f"SELECT * FROM {tenant.schema}.rm_units ORDER BY name, unit_id")
        return [Unit.from_row(r) for r in rows if access.sees_unit(r["unit_id"])]

    @strawberry.field(description="Danh sách cán bộ của một đơn vị / staff of a unit")
    async def unit_staff(self, info: Info[Any, Any], unit_id: strawberry.ID,
                         at_least: int | None = None) -> list[Staff]:
        ctx, access = ctx_of(info), await access_of(info)
        tenant, unit = access.tenant, parse_id(unit_id, "đơn vị", "Unit")
        if not await visible_unit(info, unit):
            return []
        await ctx.fresh(tenant, at_least)
        async with ctx.read(tenant) as conn:
            rows = await conn.fetch(
                f"SELECT * FROM {tenant.schema}.rm_staff WHERE unit_id = $1 "
                "ORDER BY full_name, staff_id", unit)
        return [Staff.from_row(r) for r in rows]

    @strawberry.field(description="Kỳ đánh giá tháng của một đơn vị / a unit's monthly period")
    async def period(self, info: Info[Any, Any], unit_id: strawberry.ID, year: int, month: int,
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
    async def unit_ratings(self, info: Info[Any, Any], unit_id: strawberry.ID, year: int,
                           month: int, at_least: int | None = None) -> list[Rating]:
        ctx, access = ctx_of(info), await access_of(info)
        tenant, unit = access.tenant, parse_id(unit_id, "đơn vị", "Unit")
        check_month(year, month)
        if not await visible_unit(info, unit):
            return []
        await ctx.fresh(tenant, at_least)
        s = tenant.schema
        async with ctx.read(tenant) as conn:
            rows = await conn.fetch(
                f"SELECT {RATING_COLUMNS} FROM {s}.rm_ratings r "
                f"LEFT JOIN {s}.rm_staff s ON s.staff_id = r.staff_id "
                "WHERE r.unit_id = $1 AND r.kind = 'monthly' AND r.year = $2 AND r.number = $3 "
                "ORDER BY s.full_name, r.staff_id", unit, year, month)
        return [Rating.from_row(r) for r in rows]

    @strawberry.field(description="Lịch sử xếp loại của một người / one person's rating history")
    async def rating_history(self, info: Info[Any, Any], staff_id: strawberry.ID,
                             at_least: int | None = None) -> list[Rating]:
        ctx, access = ctx_of(info), await access_of(info)
        tenant, staff = access.tenant, parse_id(staff_id, "cán bộ", "Staff member")
        if not await visible_staff(info, staff):
            return []  # someone else's history reads like nobody's
        await ctx.fresh(tenant, at_least)
        s = tenant.schema
        async with ctx.read(tenant) as conn:
            rows = await conn.fetch(
                f"SELECT {RATING_COLUMNS} FROM {s}.rm_ratings r "
                f"LEFT JOIN {s}.rm_staff s ON s.staff_id = r.staff_id "
                "WHERE r.staff_id = $1 ORDER BY r.year DESC, r.number DESC, r.kind", staff)
        return [Rating.from_row(r) for r in rows]
