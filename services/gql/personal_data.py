"""Erasing a person's personal data over GraphQL (hr_officer of their tenant, platform_admin;
how far an officer's erasure may reach is the use case's rule, services/platform/erasure.py)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from domain.actor import Actor
from services.gql.context import access_of, ctx_of
from services.gql.ids import StaffID
from services.gql.inputs import check_text, parse_id
from services.gql.scope import require_staff
from services.platform.erasure import erase_personal_data


@strawberry.type(description="Kết quả xoá dữ liệu cá nhân / an erasure, as recorded")
class ErasureResult:
    staff_id: strawberry.ID
    position: int = strawberry.field(description="vị trí sự kiện trong nhật ký nền tảng")
    rebuilt_tenants: list[str]


@strawberry.type
class PersonalDataMutation:
    @strawberry.mutation(description="Xoá dữ liệu cá nhân của một người (xoá khoá): họ tên, lý do, "
                         "ý kiến… không còn đọc được; quyết định và chuỗi băm vẫn kiểm chứng được")
    async def erase_personal_data(self, info: Info[Any, Any], staff_id: StaffID,
                                  basis: str) -> ErasureResult:
        ctx = ctx_of(info)
        access = await access_of(info)
        principal, tenant = access.principal, access.tenant
        subject = parse_id(staff_id, "cán bộ", "Staff member")
        await require_staff(info, subject)
        capacity = "platform_admin" if principal.has("platform_admin") else "hr_officer"
        done = await erase_personal_data(
            ctx.runtime, Actor(principal.user_id, capacity), tenant, subject,
            check_text(basis, "căn cứ", "basis"))
        return ErasureResult(staff_id=staff_id, position=done.position,
                             rebuilt_tenants=list(done.tenants))
