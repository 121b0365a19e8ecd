"""Object-level checks (OWASP API1) for the ids a client passes, one call per id.

``visible_*`` answer whether the record is in the caller's reach for this operation (see
services/gql/permissions.py); ``require_*`` turn "no" into the very same ``NOT_FOUND`` an absent
id gets. A caller whose grant covers the whole tenant needs no lookup: the tenant schema
holds only that tenant's records, so any id is either theirs or absent. Narrower grants
look the record's unit up in the read models.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.gql.context import access_of, ctx_of


async def _unit_of(info: Any, table: str, key: str, value: UUID) -> UUID | None:
    access = await access_of(info)
    async with ctx_of(info).read(access.tenant) as conn:
        unit: UUID | None = await conn.fetchval(
            f"SELECT unit_id FROM {access.tenant.schema}.{table} WHERE {key} = $1", value)
    return unit


async def visible_unit(info: Any, unit_id: UUID | None) -> bool:
    access = await access_of(info)
    return access.whole_tenant if unit_id is None else access.sees_unit(unit_id)


async def visible_staff(info: Any, staff_id: UUID) -> bool:
    access = await access_of(info)
    if access.whole_tenant or (access.own and str(staff_id) == access.principal.user_id):
        return True
    if not access.units:
        return False
    return access.sees_unit(await _unit_of(info, "rm_staff", "staff_id", staff_id))


async def visible_period(info: Any, period_id: UUID) -> bool:
    access = await access_of(info)
    if access.whole_tenant:
        return True
    if not access.units:
        return False
    return access.sees_unit(await _unit_of(info, "rm_periods", "period_id", period_id))


async def require_unit(info: Any, unit_id: UUID | None) -> None:
    (await access_of(info)).require(await visible_unit(info, unit_id), "đơn vị", "Unit")


async def require_staff(info: Any, staff_id: UUID) -> None:
    (await access_of(info)).require(await visible_staff(info, staff_id), "cán bộ",
                                    "Staff member")


async def require_period(info: Any, period_id: UUID) -> None:
    (await access_of(info)).require(await visible_period(info, period_id), "kỳ đánh giá",
                                    "Evaluation period")
