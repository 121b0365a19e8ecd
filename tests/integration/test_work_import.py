"""``congtam import work-items`` as an operator runs it: a real process, the test database.
All rows or none; a second run of the same file writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.runtime import Runtime
from services.settings import Settings
from tests.support.cli import congtam
from tests.support.org import StaffedTenant
from tests.support.readmodels import event_count

pytestmark = pytest.mark.integration


async def test_work_items_are_imported_all_or_none_and_only_once(
    runtime: Runtime, settings: Settings, staffed_tenant: StaffedTenant, tmp_path: Path,
) -> None:
    tenant, org = await staffed_tenant(members=2)
    row = {"staff_id": str(org.members[0]), "assigned_by": str(org.leader), "year": 2026,
           "number": 3, "assigned_on": "2026-03-02", "deadline": "2026-03-20",
           "expected_quantity": 2, "title": "Trả lời đơn thư (VB 112/UBND)", "coefficient": 1.5}
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"items": [{**row, "ref": "VB-112"},
                                          {**row, "ref": "VB-113", "staff_id":
                                           str(org.members[1])}]}), encoding="utf-8")
    # CSV, one row breaking a rule (a deadline before the assignment): nothing is written.
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "ref;staff_id;assigned_by;year;number;assigned_on;deadline;expected_quantity;title;"
        "coefficient\n"
        f"VB-200;{org.members[0]};{org.leader};2026;3;2026-03-02;2026-03-20;1;Việc A;1\n"
        f"VB-201;{org.members[0]};{org.leader};2026;3;2026-03-10;2026-03-05;1;Việc B;1\n",
        encoding="utf-8")
    async with runtime.pool.acquire() as conn:
        before = await event_count(conn, tenant.schema)
    refused = await congtam(settings, "import", "work-items", str(bad), "--tenant",
                            tenant.slug)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "DEADLINE_BEFORE_ASSIGNMENT" in refused.stdout + refused.stderr
    async with runtime.pool.acquire() as conn:
        assert await event_count(conn, tenant.schema) == before

    first = await congtam(settings, "import", "work-items", str(good), "--tenant",
                          tenant.slug)
    assert first.returncode == 0, first.stderr
    assert "2 rows read, 2 items written" in first.stdout
    async with runtime.pool.acquire() as conn:
        after = await event_count(conn, tenant.schema)
    again = await congtam(settings, "import", "work-items", str(good), "--tenant",
                          tenant.slug)
    assert again.returncode == 0, again.stderr
    assert "0 items written (2 already there)" in again.stdout
    async with runtime.pool.acquire() as conn:
        assert await event_count(conn, tenant.schema) == after
