"""The HR officer's registers in a real Chromium: register a unit and a person in it (a
refusal of the API shown on the field, nothing written), the policy in force with its
versions, and the year's round of collectives opened and listed in rating order."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.web.conftest import Ward, fitting_shot, signed_in
from tests.web.test_month_in_browser import HR, MEMBER

pytestmark = pytest.mark.e2e


async def test_hr_registers_a_unit_and_a_person_in_it(open_browser: Any, server: str,
                                                      ward: Ward) -> None:
    page, watch = await signed_in(open_browser, server, ward, HR, then="/register")
    await page.wait_for_selector("#units")
    before = await page.locator("#units li").count()
    await page.fill("#name", "Tổ dân phố số 7")
    await page.fill("#kind", "to_dan_pho")
    await page.select_option("#parent", label="Ủy ban nhân dân")
    await page.click("button:has-text('Thêm đơn vị')")
    await page.wait_for_selector("p.ok")
    assert await page.locator("#units li").count() == before + 1
    await page.click("#units a:has-text('Tổ dân phố số 7')")
    await page.wait_for_selector("h2:has-text('Cán bộ của Tổ dân phố số 7')")
    # A control character in the name: the API's refusal, in Vietnamese, on the name field.
    # (set, not typed: a keyboard cannot type it, a pasted text can carry it)
    await page.eval_on_selector("#fullName", "(e, v) => { e.value = v; }", "Nguyễn Văn\u0007 Bảy")
    await page.fill("#position", "Tổ trưởng")
    await page.click("button:has-text('Thêm cán bộ')")
    await page.wait_for_selector("#err-fullName")
    assert "ký tự điều khiển" in await page.locator("#err-fullName").inner_text()
    assert await page.locator("#fullName").get_attribute("aria-invalid") == "true"
    assert await page.locator("#people tbody tr").count() == 0  # nothing written
    await page.fill("#fullName", "Nguyễn Văn Bảy")
    await page.select_option("#staffType", "PUBLIC_EMPLOYEE")
    await page.click("button:has-text('Thêm cán bộ')")
    await page.wait_for_selector("p.ok")
    people = await page.locator("#people").inner_text()
    assert "Nguyễn Văn Bảy" in people
    assert "Viên chức" in people
    await fitting_shot(page, "register")
    watch.clean()


async def test_hr_reads_the_policy_and_opens_the_round_of_collectives(
        open_browser: Any, server: str, ward: Ward) -> None:
    page, watch = await signed_in(open_browser, server, ward, HR, then="/policy")
    await page.wait_for_selector("#policy-in-force")
    text = await page.locator("#policy-in-force").inner_text()
    assert "Xuất sắc từ" in text
    assert "Loại A" in text  # the tenant's level names
    # The commendation rules the monthly policy holds (A in every month of a quarter).
    assert "Số tháng đạt A trong quý: 3/3" in text
    assert await page.locator("#policy-versions li").count() >= 1
    await fitting_shot(page, "policy")
    year = date.today().year + 1  # a year the demo has not opened
    await page.goto(f"{server}/collective?year={year}")
    assert "Chưa mở" in await page.locator("main").inner_text()
    await page.click(f"button:has-text('Mở đợt xếp loại tập thể năm {year}')")
    await page.wait_for_selector("p.ok")
    rows = page.locator("#collectives li")
    assert await rows.count() >= 4  # the ward's units under its head, lower levels first
    ranks = [int(text.split(".")[0]) for text in await rows.all_inner_texts()]
    assert ranks == sorted(ranks)
    assert "Chưa xếp loại" in await rows.first.inner_text()
    # Opening it twice: the API's refusal, shown, nothing written twice.
    await page.click(f"button:has-text('Mở đợt xếp loại tập thể năm {year}')")
    await page.wait_for_selector("#err-round")
    await fitting_shot(page, "collectives")
    watch.clean()


async def test_a_staff_member_is_refused_the_registers(open_browser: Any, server: str,
                                                      ward: Ward) -> None:
    page, watch = await signed_in(open_browser, server, ward, MEMBER)
    assert await page.locator("nav a:has-text('Danh sách cán bộ')").count() == 0
    await page.goto(f"{server}/collective")
    await page.click("button:has-text('Mở đợt xếp loại tập thể')")
    await page.wait_for_selector("#err-round")  # the API's word: not theirs to do
    watch.clean()
