"""Transfers between tenants and tenant merges over GraphQL, and history across a merge.

The receiving/successor tenant is looked up in the registry by slug (never a schema name
from the client); history of predecessors is read from the schemas the registry names.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import anyio
import strawberry
from strawberry.types import Info

from domain.actor import Actor, acting_as
from domain.errors import NotFoundError, ValidationFailedError
from domain.ids import StaffId
from services.gql.context import access_of, ctx_of
from services.gql.inputs import check_text, parse_id
from services.gql.queries import RATING_COLUMNS
from services.gql.scope import require_staff, visible_staff
from services.gql.types import Rating, WriteResult
from services.grants import roles_in
from services.reorganisation import merge_tenants, transfer_between_tenants


@strawberry.type(description="Quan hệ sáp nhập của địa phương")
class LineageEntry:
    relation: str
    other_tenant: str
    staff: int | None
    periods: int | None


@strawberry.type
class ReorganisationMutation:
    @strawberry.mutation(description="Chuyển cán bộ sang địa phương khác, kèm kết quả hằng tháng")
    async def transfer_staff_to_tenant(self, info: Info[Any, Any], staff_id: strawberry.ID,
                                       to_tenant: str, to_unit_id: strawberry.ID,
                                       reasons: str) -> WriteResult:
        ctx = ctx_of(info)
        principal, tenant = await ctx.caller("hr_officer")
        if to_tenant == tenant.slug:
            raise ValidationFailedError("Địa phương nhận phải khác địa phương hiện tại.",
                                        "The receiving tenant must be another tenant.")
        # The receiving tenant's log is written too: the sender must also be an HR officer
        # there by a grant in the platform log. Without one, the tenant reads as absent.
        if "hr_officer" not in await roles_in(ctx.runtime.pool, principal.user_id, to_tenant):
            raise NotFoundError("Không tìm thấy địa phương nhận.", "Receiving tenant not found.")
        target = await ctx.runtime.registry.get(to_tenant)
        staff = StaffId(parse_id(staff_id, "cán bộ", "Staff member"))
        await require_staff(info, staff)
        unit = parse_id(to_unit_id, "đơn vị nhận", "Receiving unit")
        source_service, target_service = ctx.runtime.service(tenant), ctx.runtime.service(target)
        text = check_text(reasons, "lý do", "reasons")

        def work() -> int:
            with acting_as(Actor(principal.user_id, "hr_officer")):
                return transfer_between_tenants(source_service, tenant.slug, target_service,
                                                target.slug, staff, unit, text, date.today())

        position = await anyio.to_thread.run_sync(work)
        await ctx.runtime.written(tenant)
        await ctx.runtime.written(target)
        return WriteResult(position=position, id=staff_id)

    @strawberry.mutation(description="Sáp nhập các địa phương vào địa phương này (quản trị)")
    async def merge_tenants(self, info: Info[Any, Any], predecessors: list[str],
                            reasons: str) -> WriteResult:
        ctx = ctx_of(info)
        principal, successor = await ctx.caller("platform_admin")
        if not predecessors or successor.slug in predecessors:
            raise ValidationFailedError("Danh sách địa phương sáp nhập không hợp lệ.",
                                        "The list of merged tenants is not valid.")
        olds = [await ctx.runtime.registry.get(slug) for slug in predecessors]
        pairs = [(t.slug, ctx.runtime.service(t)) for t in olds]
        service = ctx.runtime.service(successor)
        text = check_text(reasons, "lý do", "reasons")

        def work() -> int:
            with acting_as(Actor(principal.user_id, "platform_admin")):
                return merge_tenants(pairs, successor.slug, service, text, date.today())

        position = await anyio.to_thread.run_sync(work)
        for t in [successor, *olds]:
            await ctx.runtime.written(t)
        return WriteResult(position=position, id=strawberry.ID(successor.slug))


@strawberry.type
class ReorganisationQuery:
    @strawberry.field(description="Sáp nhập: địa phương tiền thân hoặc kế thừa")
    async def tenant_lineage(self, info: Info[Any, Any],
                             at_least: int | None = None) -> list[LineageEntry]:
        ctx, access = ctx_of(info), await access_of(info)
        tenant = access.tenant
        await ctx.fresh(tenant, at_least)
        async with ctx.read(tenant) as conn:
            rows = await conn.fetch(
                f"SELECT * FROM {tenant.schema}.rm_tenant_lineage ORDER BY position")
        return [LineageEntry(relation=r["relation"], other_tenant=r["other_tenant"],
                             staff=r["staff"], periods=r["periods"]) for r in rows]

    @strawberry.field(description="Lịch sử xếp loại của một người ở các địa phương tiền thân")
    async def predecessor_history(self, info: Info[Any, Any],
                                  staff_id: strawberry.ID,
                                  at_least: int | None = None) -> list[Rating]:
        ctx, access = ctx_of(info), await access_of(info)
        principal, tenant = access.principal, access.tenant
        sid = parse_id(staff_id, "cán bộ", "Staff member")
        # The lineage is this tenant's read model; the predecessors' logs are closed.
        await ctx.fresh(tenant, at_least)
        if not await visible_staff(info, sid):
            return []  # someone else's history reads like nobody's
        async with ctx.read(tenant) as conn:
            slugs = await conn.fetch(
                f"SELECT other_tenant FROM {tenant.schema}.rm_tenant_lineage "
                "WHERE relation = 'absorbed' ORDER BY position")
        ratings: list[Rating] = []
        for row in slugs:
            old = await ctx.runtime.registry.get(row["other_tenant"])
            # A read reaching into another tenant's schema is logged in the platform log,
            # under the tenant it was read in, like an auditor's read.
            await ctx.runtime.platform.record_access(
                Actor(principal.user_id, sorted(access.roles)[0]), old.slug,
                "predecessor_history", f"{sid}@{tenant.slug}")
            s = old.schema
            async with ctx.read(old) as conn:
                rows = await conn.fetch(
                    f"SELECT {RATING_COLUMNS} FROM {s}.rm_ratings r "
                    f"LEFT JOIN {s}.rm_staff s ON s.staff_id = r.staff_id "
                    "WHERE r.staff_id = $1 ORDER BY r.year DESC, r.number DESC, r.kind", sid)
            ratings += [Rating.from_row(r) for r in rows]
        return ratings
