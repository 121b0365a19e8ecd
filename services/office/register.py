"""The tenant's register of units and staff as the import's own spreadsheets (an export that
imports back unchanged: services/imports/template.py).

Names, units and leaders come from the read models; the profile fields the read models do
not keep (peer group, Party cell, start date) from the people's aggregates, read from the
log in one round trip.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import anyio

from domain.ids import StaffId, UnitId
from domain.organisation import StaffMember, StaffType
from services.imports import (
    StaffRow,
    UnitRow,
    staff_key,
    staff_register_xlsx,
    unit_key,
    units_register_xlsx,
)
from services.office.staff_import import plain
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.store.dbroles import reading_as


async def register_rows(rt: Runtime, tenant: Tenant) -> tuple[list[UnitRow], list[StaffRow]]:
    s = tenant.schema
    async with rt.pool_of(tenant).acquire() as conn, reading_as(conn, s):
        units = await conn.fetch(
            f"SELECT u.unit_id, u.name, u.kind, u.parent_id, p.name AS parent FROM "
            f"{s}.rm_units u LEFT JOIN {s}.rm_units p ON p.unit_id = u.parent_id")
        people = await conn.fetch(
            f"SELECT p.staff_id, u.name AS unit FROM {s}.rm_staff p "
            f"JOIN {s}.rm_units u USING (unit_id) ORDER BY u.name, p.full_name, p.staff_id")
    app = rt.apps.get(tenant.slug)
    found = await anyio.to_thread.run_sync(app.get_many, [r["staff_id"] for r in people])
    by_id = {u["unit_id"]: u for u in units}
    depth = {u["unit_id"]: _depth(by_id, u["unit_id"]) for u in units}
    unit_rows = [UnitRow(0, UnitId(plain(u["unit_id"])), unit_key(u["name"]), u["name"],
                         u["kind"], u["parent"] or "",
                         UnitId(plain(u["parent_id"])) if u["parent_id"] else None)
                 for u in sorted(units, key=lambda u: (depth[u["unit_id"]], u["name"]))]
    staff_rows = []
    for r in people:
        p = found[r["staff_id"]]
        assert isinstance(p, StaffMember)
        staff_rows.append(StaffRow(
            0, StaffId(p.id), staff_key(p.full_name, r["unit"]), "", p.full_name,
            StaffType(p.staff_type), p.position, r["unit"], UnitId(p.unit_id), p.party_member,
            p.peer_group, p.party_cell, p.start_date))
    return unit_rows, staff_rows


def _depth(by_id: Mapping[Any, Any], unit_id: object) -> int:
    seen = 0
    row = by_id.get(unit_id)
    while row is not None and seen < 32:
        parent = row["parent_id"]
        row = by_id.get(parent) if parent else None
        seen += 1
    return seen


async def register_files(rt: Runtime, tenant: Tenant) -> tuple[bytes, bytes]:
    """(units.xlsx, staff.xlsx)."""
    units, staff = await register_rows(rt, tenant)
    return (await anyio.to_thread.run_sync(units_register_xlsx, units),
            await anyio.to_thread.run_sync(staff_register_xlsx, staff))
