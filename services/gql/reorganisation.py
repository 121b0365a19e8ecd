"""Transfers between tenants and tenant merges over GraphQL, and history across a merge.

The receiving/successor tenant is looked up in the registry by slug (never a schema name
from the client); history of predecessors is read from the schemas the registry names.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from domain.actor import Actor
from domain.errors import NotFoundError, ValidationFailedError
from domain.ids import StaffId
from services.app.reorganisation import merge_tenants, transfer_between_tenants
from services.gql.acting import run_as
from services.gql.connections import (
    Connection,
    Keyset,
    build,
    empty,
    keyset_page,
    page_size,
    reading,
)
from services.gql.context import access_of, ctx_of
from services.gql.ids import OtherTenantUnitID, StaffID
from services.gql.inputs import check_text, parse_id
from services.gql.queries import RATING_COLUMNS
from services.gql.scope import require_staff, visible_staff
from services.gql.types import Rating, WriteResult
from services.platform.grants import roles_in


@strawberry.type(description="Quan hệ sáp nhập của địa phương")
class LineageEntry:
    relation: str
    other_tenant: str
    staff: int | None
    periods: int | None


@strawberry.type
class ReorganisationMutation:
    @strawberry.mutation(description="Chuyển cán bộ sang địa phương khác, kèm kết quả hằng tháng")
    async def transfer_staff_to_tenant(self, info: Info[Any, Any], staff_id: StaffID,
                                       to_tenant: str, to_unit_id: OtherTenantUnitID,
                                       reasons: str) -> WriteResult:
        ctx, access = ctx_of(info), await access_of(info)
        principal, tenant = access.principal, access.tenant
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

        position = await run_as(info, "hr_officer", lambda: transfer_between_tenants(
            source_service, tenant.slug, target_service, target.slug, staff, unit, text,
            date.today()), tenant, target, bounded=False)
        return WriteResult(position=position, id=staff_id)

    @strawberry.mutation(description="Sáp nhập các địa phương vào địa phương này (quản trị)")
    async def merge_tenants(self, info: Info[Any, Any], predecessors: list[str],
                            reasons: str) -> WriteResult:
        ctx, access = ctx_of(info), await access_of(info)
        successor = access.tenant
        if not predecessors or successor.slug in predecessors:
            raise ValidationFailedError("Danh sách địa phương sáp nhập không hợp lệ.",
                                        "The list of merged tenants is not valid.")
        olds = [await ctx.runtime.registry.get(slug) for slug in predecessors]
        pairs = [(t.slug, ctx.runtime.service(t)) for t in olds]
        service = ctx.runtime.service(successor)
        text = check_text(reasons, "lý do", "reasons")

        position = await run_as(info, "platform_admin", lambda: merge_tenants(
            pairs, successor.slug, service, text, date.today()), successor, *olds,
            bounded=False)
        return WriteResult(position=position, id=strawberry.ID(successor.slug))


@strawberry.type
class ReorganisationQuery:
    @strawberry.field(description="Sáp nhập: địa phương tiền thân hoặc kế thừa")
    async def tenant_lineage(self, info: Info[Any, Any], first: int | None = None,
                             after: str | None = None,
                             at_least: int | None = None) -> Connection[LineageEntry]:
        ctx, access = ctx_of(info), await access_of(info)
        tenant = access.tenant
        await ctx.fresh(tenant, at_least)
        return await keyset_page(
            reading(ctx, tenant),
            f"SELECT l.*, {LINEAGE.select()} FROM {tenant.schema}.rm_tenant_lineage l",
            [], LINEAGE, first, after,
            lambda r: LineageEntry(relation=r["relation"], other_tenant=r["other_tenant"],
                                   staff=r["staff"], periods=r["periods"]))

    @strawberry.field(description="Lịch sử xếp loại của một người ở các địa phương tiền thân "
                                  "(địa phương sáp nhập sau cùng trước, mới nhất trước)")
    async def predecessor_history(self, info: Info[Any, Any],
                                  staff_id: StaffID, first: int | None = None,
                                  after: str | None = None,
                                  at_least: int | None = None) -> Connection[Rating]:
        """Page by page across the predecessors: each is read in its own schema (its own
        read connection), newest merge first, so a page costs one statement per predecessor
        it reaches — a handful, whatever the page size."""
        ctx, access = ctx_of(info), await access_of(info)
        principal, tenant = access.principal, access.tenant
        sid = parse_id(staff_id, "cán bộ", "Staff member")
        size = page_size(first)
        key = PREDECESSOR.parse(after)
        # The lineage is this tenant's read model; the predecessors' logs are closed.
        await ctx.fresh(tenant, at_least)
        if not await visible_staff(info, sid):
            return empty()  # someone else's history reads like nobody's
        async with ctx.read(tenant) as conn:
            slugs = await conn.fetch(
                f"SELECT other_tenant, position FROM {tenant.schema}.rm_tenant_lineage "
                "WHERE relation = 'absorbed' AND ($1::bigint IS NULL OR position <= $1) "
                "ORDER BY position DESC", key[0] if key else None)
        rows: list[Any] = []
        for row in slugs:
            if len(rows) > size:
                break
            old = await ctx.runtime.registry.get(row["other_tenant"])
            # A read reaching into another tenant's schema is logged in the platform log,
            # under the tenant it was read in, like an auditor's read.
            await ctx.runtime.platform.record_access(
                Actor(principal.user_id, sorted(access.roles)[0]), old.slug,
                "predecessor_history", f"{sid}@{tenant.slug}")
            s = old.schema
            seek = key is not None and key[0] == row["position"]
            async with ctx.read(old) as conn:
                found = await conn.fetch(
                    f"SELECT {RATING_COLUMNS}, $2::bigint AS lineage, "
                    "r.year AS _k1, r.number AS _k2, r.kind AS _k3, r.evaluation_id AS _k4 "
                    f"FROM {s}.rm_ratings r LEFT JOIN {s}.rm_staff s ON s.staff_id = r.staff_id "
                    "WHERE r.staff_id = $1 AND (NOT $3 OR (r.year, r.number, r.kind, "
                    "r.evaluation_id) < ($4::int, $5::int, $6::text, $7::uuid)) "
                    "ORDER BY r.year DESC, r.number DESC, r.kind DESC, r.evaluation_id DESC "
                    "LIMIT $8", sid, row["position"], seek,
                    *(key[1:] if seek and key else (0, 0, "", UUID(int=0))),
                    size + 1 - len(rows))
            rows += [{**dict(r), "_k0": r["lineage"]} for r in found]
        return build(rows, size, PREDECESSOR.kind, PREDECESSOR.key, Rating.from_row, after)


# Newest merge first, then each predecessor's ratings newest first.
PREDECESSOR = Keyset("predecessor-history", (
    ("lineage", int), ("r.year", int), ("r.number", int), ("r.kind", str),
    ("r.evaluation_id", UUID)), descending=True)
LINEAGE = Keyset("tenant-lineage", (("l.position", int),))
