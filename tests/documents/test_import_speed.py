"""How long 2,000 rows take to read and check (printed; nothing asserted about time, which
depends on the machine)."""

from __future__ import annotations

import time
import uuid

import pytest

from domain.ids import UnitId
from services.imports import parse_staff, staff_register_xlsx
from tests.documents.sheets import csv_text, xlsx

pytestmark = pytest.mark.unit

UNITS = {f"Đơn vị {u}": UnitId(uuid.uuid4()) for u in range(20)}
ROWS = [(f"CB{i:05d}", f"Nguyễn Thị Hằng {i}", "Công chức", "Chuyên viên", f"Đơn vị {i % 20}",
         "Có" if i % 3 else "Không", "Chuyên viên", "Chi bộ 1", f"{1 + i % 28:02d}/03/2019")
        for i in range(2_000)]


_PARSED = parse_staff(csv_text(ROWS), "bench", UNITS).rows


@pytest.mark.parametrize(("kind", "data"), [
    ("xlsx, inline strings (openpyxl)", xlsx(ROWS)),
    ("xlsx, shared strings (as Excel writes)", staff_register_xlsx(_PARSED)),
    ("csv", csv_text(ROWS)),
])
def test_2000_rows_are_read_and_checked(kind: str, data: bytes) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    result = parse_staff(data, "bench", UNITS)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert len(result.rows) == 2_000
    # CPU time too: on a shared machine the wall clock also counts other people's work.
    print(f"\n2,000-row {kind} ({len(data):,} bytes): parse+validate {elapsed * 1000:.0f} ms "
          f"wall, {cpu * 1000:.0f} ms CPU")
