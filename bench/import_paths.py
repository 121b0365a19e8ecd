"""Importing a ward's staff file (issue 20): 2,000 rows, parse + validate + write.

A fresh tenant gets its units by the units sheet (not timed), then the staff workbook is
imported end to end as the HTTP commit and ``congtam import staff`` do it: the read models
read for matching, every row parsed and checked, the plan made against the log, and every
event appended in one transaction. Then the same file again (the idempotent path: read,
parse, plan, write nothing). The goal is under 10 s for the first.
"""

from __future__ import annotations

import random
import time
from datetime import date

import anyio

from bench.stats import Measure
from domain.actor import Actor
from domain.organisation import StaffType
from projections.runner import catch_up
from services.imports import StaffRow, UnitRow, staff_register_xlsx, units_register_xlsx
from services.imports.keys import staff_id_for, staff_key, unit_id_for, unit_key
from services.office.staff_import import import_staff_file, import_units_file
from services.runtime import Runtime

ROWS = 2_000
UNITS = 25
HR = Actor("bench-hr", "hr_officer")
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng")
MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Đức", "Quang")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Khánh", "Lan", "Linh",
         "Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Yến")


def workbooks(slug: str) -> tuple[bytes, bytes]:
    rng = random.Random(20)
    units = [UnitRow(0, unit_id_for(slug, n), unit_key(n), n, "department", "", None)
             for n in (f"Phòng số {i + 1}" for i in range(UNITS))]
    staff = []
    for i in range(ROWS):
        unit = units[i % UNITS]
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)} {i:04d}"
        code = f"CB{i:05d}"
        key = staff_key(name, unit.name, code)
        staff.append(StaffRow(0, staff_id_for(slug, key), key, code, name,
                              rng.choice(list(StaffType)), "Chuyên viên", unit.name,
                              unit.unit_id, rng.random() < 0.4, "", "",
                              date(2010 + i % 15, 1 + i % 12, 1 + i % 28)))
    return units_register_xlsx(units), staff_register_xlsx(staff)


async def import_staff(rt: Runtime) -> Measure:
    tenant = await rt.registry.register(f"bench-import-{int(time.time())}", "Bench import",
                                        "ward")
    units_xlsx, staff_xlsx = await anyio.to_thread.run_sync(workbooks, tenant.slug)
    await import_units_file(rt, tenant, units_xlsx, HR, commit=True)
    async with rt.pool_of(tenant).acquire() as conn:
        await catch_up(conn, tenant.schema)
    started = time.perf_counter()
    first = await import_staff_file(rt, tenant, staff_xlsx, HR, commit=True)
    seconds = time.perf_counter() - started
    assert not first.problems, first.problems
    assert first.outcome is not None
    async with rt.pool_of(tenant).acquire() as conn:
        await catch_up(conn, tenant.schema)
    t0 = time.perf_counter()
    again = await import_staff_file(rt, tenant, staff_xlsx, HR, commit=True)
    again_s = time.perf_counter() - t0
    errors = int(first.outcome.registered != ROWS) + int(
        again.outcome is None or not again.outcome.writes_nothing)
    # Read against the raw COPY of rows: the floor of putting rows into PostgreSQL at all.
    return Measure("import_staff", "rows/s", ROWS, seconds, baseline="baseline_copy",
                   latencies_ms=[seconds * 1000],
                   errors=errors, extra={
                       "seconds": round(seconds, 2), "events": first.outcome.events,
                       "bytes": len(staff_xlsx), "reimport_seconds": round(again_s, 2),
                       "goal_seconds": 10})
