"""Object-level checks (OWASP API1) for the ids a client passes, one call per id.

``visible_*`` answer whether the record is in the caller's reach for this operation (see
services/gql/permissions.py); ``require_*`` turn "no" into the very same ``NOT_FOUND`` an absent
id gets. A caller whose grant covers the whole tenant needs no lookup: the tenant schema
holds only that tenant's records, so any id is either theirs or absent. Narrower grants
look the record's unit up in the read models.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from services.gql.context import access_of, ctx_of
from services.gql.ids import Names


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


async def visible_in(info: Any, table: str, key: str, value: UUID) -> bool:
    """A record read from ``table`` by ``key``: in reach if its unit is, or (with an
    ``own`` scope) if it is about the caller."""
    access = await access_of(info)
    if access.whole_tenant:
        return True
    async with ctx_of(info).read(access.tenant) as conn:
        row = await conn.fetchrow(
            f"SELECT unit_id, staff_id FROM {access.tenant.schema}.{table} WHERE {key} = $1",
            value)
    return row is not None and access.sees_staff(row["staff_id"], row["unit_id"])


async def require_appeal(info: Any, appeal_id: UUID) -> None:
    (await access_of(info)).require(
        await visible_in(info, "rm_appeals", "appeal_id", appeal_id), "khiếu nại", "Appeal")


async def require_evaluation(info: Any, evaluation_id: UUID) -> None:
    (await access_of(info)).require(
        await visible_in(info, "rm_ratings", "evaluation_id", evaluation_id),
        "phiếu đánh giá", "Evaluation")


async def require_work_item(info: Any, item_id: UUID) -> None:
    (await access_of(info)).require(
        await visible_in(info, "rm_work_items", "item_id", item_id), "việc được giao",
        "Work item")


async def require_commendation(info: Any, commendation_id: UUID) -> None:
    """A proposal is in reach with its nominee: the person's unit, or the unit rated."""
    access = await access_of(info)
    visible = access.whole_tenant
    if not visible:
        schema = access.tenant.schema
        async with ctx_of(info).read(access.tenant) as conn:
            row = await conn.fetchrow(
                f"SELECT coalesce(p.unit_id, c.nominee_id) AS unit, p.staff_id "
                f"FROM {schema}.rm_commendations c LEFT JOIN {schema}.rm_staff p "
                "ON p.staff_id = c.nominee_id WHERE c.commendation_id = $1", commendation_id)
        visible = row is not None and access.sees_staff(row["staff_id"], row["unit"])
    access.require(visible, "đề nghị khen thưởng", "Commendation proposal")


async def require_record(info: Any, record_id: UUID) -> None:
    """Any record of the tenant (the auditor's tools): a unit, a person, a period, an
    evaluation or an appeal in reach; an id of none of these is out of reach."""
    access = await access_of(info)
    visible = access.sees_unit(record_id) or await visible_staff(info, record_id) \
        or await visible_period(info, record_id) \
        or await visible_in(info, "rm_ratings", "evaluation_id", record_id) \
        or await visible_in(info, "rm_appeals", "appeal_id", record_id)
    access.require(visible, "bản ghi", "Record")


# The check each kind of id gets from the guard (services/gql/guard.py); the kinds in
# ``ids.UNSCOPED`` name nothing of the caller's tenant and have none.
REQUIRE: dict[Names, Callable[[Any, UUID], Awaitable[None]]] = {
    Names.UNIT: require_unit, Names.STAFF: require_staff, Names.PERIOD: require_period,
    Names.APPEAL: require_appeal, Names.EVALUATION: require_evaluation,
    Names.WORK_ITEM: require_work_item, Names.COMMENDATION: require_commendation,
    Names.RECORD: require_record,
}
