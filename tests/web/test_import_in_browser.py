"""The HR officer imports a staff sheet in a real Chromium: a bad row is named by row and
column in Vietnamese with nothing written; the fixed sheet is committed and its people are
in the register; the same sheet again changes nothing; a staff member is refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from services.runtime import Runtime
from tests.support.projection import projected
from tests.support.readmodels import events_in
from tests.web.conftest import Ward, no_horizontal_scroll, shoot, signed_in
from tests.web.imports import preview, template_bytes
from tests.web.test_month_in_browser import HR, MEMBER

pytestmark = pytest.mark.e2e

HEADER = "Họ và tên,Loại cán bộ,Chức vụ,Đơn vị\n"
GOOD = "Trịnh Thị Nhập Một,Công chức,Chuyên viên,Ủy ban nhân dân\n"
BAD = "Lò Văn Nhập Hai,Công chức,Chuyên viên,Ban Không Có Thật\n"
FIXED = "Lò Văn Nhập Hai,Công chức,Chuyên viên,Ủy ban nhân dân\n"


async def test_hr_imports_a_staff_sheet_after_fixing_its_bad_row(
        open_browser: Any, server: str, ward: Ward, runtime: Runtime, tmp_path: Path) -> None:
    page, watch = await signed_in(open_browser, server, ward, HR, then="/import")
    assert (await template_bytes(page, server, "staff"))[:2] == b"PK"  # an xlsx (a zip)
    before = await events_in(runtime, ward.tenant)

    sheet = tmp_path / "danh-sach.csv"
    await preview(page, "staff", sheet, HEADER + GOOD + BAD)
    problems = await page.locator("#problems").inner_text()
    assert "Dòng 3, cột 'Đơn vị'" in problems, problems
    assert "Không dòng nào được ghi" in await page.locator("#result").inner_text()
    assert await page.locator("#commit").count() == 0
    assert await events_in(runtime, ward.tenant) == before  # nothing written
    await shoot(page, "import-problems")

    await preview(page, "staff", sheet, HEADER + GOOD + FIXED)
    assert await page.locator("#plan-new").inner_text() == "2"
    assert await events_in(runtime, ward.tenant) == before  # a preview writes nothing
    await page.click("#commit button")
    await page.wait_for_selector("#committed")
    written = await events_in(runtime, ward.tenant)
    assert written > before
    await projected(runtime, ward.tenant)
    await page.click("#to-register")
    await page.click("#units a:text-is('Ủy ban nhân dân')")
    await page.wait_for_selector("h2:has-text('Cán bộ của Ủy ban nhân dân')")
    people = await page.locator("#people").inner_text()
    assert "Trịnh Thị Nhập Một" in people
    assert "Lò Văn Nhập Hai" in people

    await page.goto(f"{server}/import")
    await preview(page, "staff", sheet)  # the same sheet again
    await page.wait_for_selector("#nothing-to-do")
    assert await page.locator("#plan-same").inner_text() == "2"
    assert await page.locator("#commit").count() == 0
    assert await events_in(runtime, ward.tenant) == written
    await no_horizontal_scroll(page)
    watch.clean()


async def test_a_staff_member_cannot_open_the_import(open_browser: Any, server: str,
                                                     ward: Ward, runtime: Runtime) -> None:
    page, watch = await signed_in(open_browser, server, ward, MEMBER, then="/")
    assert await page.locator("nav a[href='/import']").count() == 0
    answer = await page.goto(f"{server}/import")
    assert answer is not None
    assert answer.status == 403
    assert await page.locator("main p.alert").get_attribute("role") == "alert"
    template = await page.request.get(f"{server}/import/template/staff.xlsx")
    assert template.status == 403
    # Posting a sheet anyway (with the session's own form token): refused, nothing written.
    await page.goto(f"{server}/")
    csrf = await page.locator("input[name=_csrf]").first.get_attribute("value")
    before = await events_in(runtime, ward.tenant)
    posted = await page.request.post(f"{server}/import", multipart={
        "_csrf": csrf or "", "kind": "staff", "step": "commit",
        "file": {"name": "ds.csv", "mimeType": "text/csv",
                 "buffer": (HEADER + GOOD).encode()}})
    assert posted.status == 403
    assert await events_in(runtime, ward.tenant) == before
    watch.clean()


async def test_a_staff_member_sees_the_self_assessment_they_owe_on_the_home_page(
        open_browser: Any, server: str, ward: Ward, runtime: Runtime) -> None:
    await runtime.pool.execute(  # remind a month ahead: this month's deadline is in view
        "INSERT INTO platform.reminder_settings VALUES ($1, 30)", ward.slug)
    page, watch = await signed_in(open_browser, server, ward, MEMBER, then="/")
    await page.wait_for_selector("#deadlines")
    owed = await page.locator("#deadlines").inner_text()
    today = date.today()
    assert f"tự đánh giá, xếp loại tháng {today.month}/{today.year}" in owed, owed
    assert "ngày" in owed
    await shoot(page, "home-deadlines")
    watch.clean()


async def test_hr_imports_a_units_sheet(open_browser: Any, server: str, ward: Ward,
                                        runtime: Runtime, tmp_path: Path) -> None:
    page, watch = await signed_in(open_browser, server, ward, HR, then="/import")
    sheet = tmp_path / "don-vi.csv"
    sheet.write_text("Tên đơn vị,Loại đơn vị,Đơn vị cấp trên\n"
                     "Tổ dân phố số 12,to_dan_pho,Ủy ban nhân dân\n", encoding="utf-8")
    await page.set_input_files("#file-units", str(sheet))
    await page.click("#upload-units button:has-text('Kiểm tra trước')")
    await page.wait_for_selector("#result")
    assert await page.locator("#plan-units").inner_text() == "1"
    await page.click("#commit button")
    await page.wait_for_selector("#committed")
    await projected(runtime, ward.tenant)
    await page.click("#to-register")
    await page.wait_for_selector("#units a:text-is('Tổ dân phố số 12')")
    watch.clean()
