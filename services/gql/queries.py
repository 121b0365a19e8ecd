"""Read queries: served from the tenant's read models, always in the caller's schema."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from services.gql.context import ctx_of
from services.gql.inputs import check_month, parse_id
from services.gql.types import Me, Period, Rating, Staff, Unit

READERS = ("hr_officer", "unit_leader", "auditor")

RATING_COLUMNS = (
    "r.evaluation_id, r.period_id, r.unit_id, r.staff_id, s.full_name, r.year, r.number, "
    "r.status, r.self_score, r.self_level, r.self_assessed_at, r.level, r.score, r.reasons, "
    "r.policy_version, r.decided_by, r.decided_at, r.position, r.version"
)


@strawberry.type
class Query:
    @strawberry.field(description="Người đang gọi / who the token says you are")
    async def me(self, info: Info[Any, Any]) -> Me:
        principal, tenant = await ctx_of(info).caller()
        return Me(user_id=principal.user_id, name=principal.name, tenant=tenant.slug,
                  tenant_name=tenant.name, roles=sorted(principal.roles))

    @strawberry.field(description="Các đơn vị của địa phương / the tenant's units")
    async def units(self, info: Info[Any, Any], at_least: int | None = None) -> list[Unit]:
        ctx = ctx_of(info)
        _, tenant = await ctx.caller()
        await ctx.fresh(tenant, at_least)
        rows = await ctx.runtime.pool.fetch(
            f"SELECT * FROM {tenant.schema}.rm_units ORDER BY name, unit_id")
        return [Unit.from_row(r) for r in rows]

    @strawberry.field(description="Danh sách cán bộ của một đơn vị / staff of a unit")
    async def unit_staff(self, info: Info[Any, Any], unit_id: strawberry.ID,
                         at_least: int | None = None) -> list[Staff]:
        ctx = ctx_of(info)
        _, tenant = await ctx.caller()
        await ctx.fresh(tenant, at_least)
        rows = await ctx.runtime.pool.fetch(
            f"SELECT * FROM {tenant.schema}.rm_staff WHERE unit_id = $1 "
            "ORDER BY full_name, staff_id", parse_id(unit_id, "đơn vị", "Unit"))
        return [Staff.from_row(r) for r in rows]

    @strawberry.field(description="Kỳ đánh giá tháng của một đơn vị / a unit's monthly period")
    async def period(self, info: Info[Any, Any], unit_id: strawberry.ID, year: int, month: int,
                     at_least: int | None = None) -> Period | None:
        ctx = ctx_of(info)
        _, tenant = await ctx.caller()
        check_month(year, month)
        await ctx.fresh(tenant, at_least)
        row = await ctx.runtime.pool.fetchrow(
            f"SELECT * FROM {tenant.schema}.rm_periods WHERE unit_id = $1 AND kind = 'monthly' "
            "AND year = $2 AND number = $3", parse_id(unit_id, "đơn vị", "Unit"), year, month)
        return Period.from_row(row) if row else None

    @strawberry.field(description="Kết quả xếp loại của đơn vị trong tháng / a unit's month board")
    async def unit_ratings(self, info: Info[Any, Any], unit_id: strawberry.ID, year: int,
                           month: int, at_least: int | None = None) -> list[Rating]:
        ctx = ctx_of(info)
        _, tenant = await ctx.caller(*READERS)
        check_month(year, month)
        await ctx.fresh(tenant, at_least)
        s = tenant.schema
        rows = await ctx.runtime.pool.fetch(
            f"SELECT {RATING_COLUMNS} FROM {s}.rm_ratings r "
            f"LEFT JOIN {s}.rm_staff s ON s.staff_id = r.staff_id "
            "WHERE r.unit_id = $1 AND r.kind = 'monthly' AND r.year = $2 AND r.number = $3 "
            "ORDER BY s.full_name, r.staff_id",
            parse_id(unit_id, "đơn vị", "Unit"), year, month)
        return [Rating.from_row(r) for r in rows]

    @strawberry.field(description="Lịch sử xếp loại của một người / one person's rating history")
    async def rating_history(self, info: Info[Any, Any], staff_id: strawberry.ID,
                             at_least: int | None = None) -> list[Rating]:
        ctx = ctx_of(info)
        principal, tenant = await ctx.caller()
        if principal.user_id != str(staff_id):
            await ctx.caller(*READERS)
        await ctx.fresh(tenant, at_least)
        s = tenant.schema
        rows = await ctx.runtime.pool.fetch(
            f"SELECT {RATING_COLUMNS} FROM {s}.rm_ratings r "
            f"LEFT JOIN {s}.rm_staff s ON s.staff_id = r.staff_id "
            "WHERE r.staff_id = $1 ORDER BY r.year DESC, r.number DESC, r.kind",
            parse_id(staff_id, "cán bộ", "Staff member"))
        return [Rating.from_row(r) for r in rows]
