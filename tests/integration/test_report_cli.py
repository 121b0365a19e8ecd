"""``congtam report`` as an operator runs it, a real process: the unit's month list written
as xlsx and PDF with the log position it was made at; a unit that is not there is refused
in both languages, nothing written."""

from __future__ import annotations

import uuid
from pathlib import Path

import openpyxl
import pypdf
import pytest

from services.runtime import Runtime
from services.settings import Settings
from tests.support.cli import congtam
from tests.support.org import StaffedTenant, month_open
from tests.support.projection import projected

pytestmark = pytest.mark.integration


async def test_the_report_command_writes_the_units_month_and_refuses_an_unknown_unit(
    runtime: Runtime, settings: Settings, staffed_tenant: StaffedTenant, tmp_path: Path,
) -> None:
    tenant, org, _service, _period = await month_open(runtime, staffed_tenant, members=2)
    await projected(runtime, tenant, drive=True)
    month = ("--year", "2026", "--month", "5")
    written = {}
    for fmt in ("xlsx", "pdf"):
        out = tmp_path / f"thang-5.{fmt}"
        done = await congtam(settings, "report", "unit-month", "--tenant", tenant.slug,
                             "--unit", str(org.unit), *month, "--format", fmt,
                             "--out", str(out))
        assert done.returncode == 0, done.stderr
        assert "log position" in done.stdout  # the answer, on stdout
        assert "log position" not in done.stderr
        written[fmt] = out
    cells = [c for row in openpyxl.load_workbook(written["xlsx"]).active.iter_rows(
        values_only=True) for c in row if c is not None]
    assert "STT" in cells
    text = "".join(p.extract_text() for p in pypdf.PdfReader(written["pdf"]).pages)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text

    nowhere = tmp_path / "none.pdf"
    refused = await congtam(settings, "report", "unit-month", "--tenant", tenant.slug,
                            "--unit", str(uuid.uuid4()), *month, "--out", str(nowhere))
    assert refused.returncode == 2, refused.stderr
    assert "NOT_FOUND" in refused.stderr
    assert "Không tìm thấy đơn vị." in refused.stderr
    assert "No such unit." in refused.stderr
    assert not nowhere.exists()
