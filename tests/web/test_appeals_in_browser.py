"""Appeals and a leader's record, clicked through in a real Chromium: the staff member
follows their appeal and answers the reviewer's question; the reviewer (the leader who
decided) is refused on the field the refusal concerns with nothing written, then dismisses;
the staff member takes it to the level above, where the chair accepts it; the leader reads
their accountability record. Names, never ids; no CSP violation; no scroll at 360 px."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.conftest import Ward, fitting_shot, no_horizontal_scroll, shoot, sign_in, signed_in
from tests.web.test_month_in_browser import CHAIR, MEMBER, MTTQ_HEAD

pytestmark = pytest.mark.e2e

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


async def open_appeal(page: Any, action: str) -> str:
    await page.click("nav a:has-text('Khiếu nại')")
    await page.wait_for_selector("#appeal-list")
    await page.click(f"#appeal-list a:has-text('{action}')")
    await page.wait_for_selector("#appeal-status")
    return str(page.url)


async def listed_appeal(page: Any, path: str, step: str) -> None:
    """From the appeals menu, the appeal at ``path`` in the list of those waiting on
    ``step``, opened."""
    await page.click("nav a:has-text('Khiếu nại')")
    link = page.locator(f"#appeal-list a[href='{path}']", has_text=step)
    await link.wait_for()  # one link: the same appeal may also be listed as "your decision"
    await link.click()
    await page.wait_for_selector("#appeal-status")


async def test_an_appeal_goes_from_question_to_the_level_above(open_browser: Any, server: str,
                                                               ward: Ward) -> None:
    _, staff, watch = await open_browser()
    await sign_in(staff, server, ward, MEMBER)
    url = await open_appeal(staff, "Bổ sung thông tin")
    status = await staff.locator("#appeal-status").inner_text()
    assert "Chờ bổ sung" in status
    assert "Lần đầu" in status
    steps = await staff.locator("#appeal-steps").inner_text()
    assert "Yêu cầu bổ sung" in steps
    assert "sổ theo dõi" in steps
    assert not UUID.search(await staff.locator("main").inner_text())  # names, never ids
    await fitting_shot(staff, "appeal-follow-up")
    await staff.fill("#information", "Đã nộp bản chụp sổ theo dõi văn bản đi.")
    await staff.click("button:has-text('Gửi')")
    await staff.wait_for_selector("p.ok")
    assert "Đã bổ sung" in await staff.locator("#appeal-steps").inner_text()
    watch.clean()

    _, leader, watch = await open_browser()
    await sign_in(leader, server, ward, MTTQ_HEAD)
    await listed_appeal(leader, url.split(server, 1)[1], "Quyết định giải quyết")
    # Upheld without a new level: the API's refusal, in Vietnamese, on the level field.
    await leader.select_option("#outcome", "UPHELD")
    await leader.fill("#reasons", "Đối chiếu hồ sơ.")
    await leader.click("button:has-text('Quyết định giải quyết')")
    await leader.wait_for_selector("#err-level")
    assert "phải nêu mức và điểm mới" in await leader.locator("#err-level").inner_text()
    assert await leader.locator("#level").get_attribute("aria-invalid") == "true"
    assert "Đang giải quyết" in await leader.locator("#appeal-status").inner_text()  # unchanged
    await shoot(leader, "appeal-refused-on-the-field")
    # A second question; the staff member answers it, then the leader dismisses.
    await leader.fill("#question", "Đề nghị nộp thêm bảng chấm công.")
    await leader.click("button:has-text('Yêu cầu bổ sung thông tin')")
    await leader.wait_for_selector("p.ok")
    assert "Chờ bổ sung" in await leader.locator("#appeal-status").inner_text()
    await staff.goto(url)
    await staff.fill("#information", "Bảng chấm công đã nộp kèm.")
    await staff.click("button:has-text('Gửi')")
    await staff.wait_for_selector("p.ok")
    await leader.goto(url)
    await leader.select_option("#outcome", "DISMISSED")
    await leader.fill("#reasons", "Đối chiếu hồ sơ: kết quả có căn cứ.")
    await leader.click("button:has-text('Quyết định giải quyết')")
    await leader.wait_for_selector("p.ok")
    assert "Bác đơn" in await leader.locator("#appeal-status").inner_text()
    await no_horizontal_scroll(leader)
    watch.clean()

    await staff.goto(url)
    assert "Hạn khiếu nại lần hai" in await staff.locator("#appeal-status").inner_text()
    await staff.fill("#grounds", "Đề nghị cấp trên xem xét lại.")
    await staff.click("button:has-text('Khiếu nại lần hai')")
    await staff.wait_for_selector("p.ok")
    assert "Lần hai" in await staff.locator("#appeal-status").inner_text()

    _, chair, watch = await open_browser()
    await sign_in(chair, server, ward, CHAIR)
    # Among the chair's appeals waiting (the demo holds others at the second instance):
    await listed_appeal(chair, url.split(server, 1)[1], "Thụ lý khiếu nại")
    await chair.click("button:has-text('Thụ lý khiếu nại')")
    await chair.wait_for_selector("p.ok")
    assert "Thụ lý" in await chair.locator("#appeal-steps").inner_text()
    assert await chair.locator("#outcome").count() == 1  # now theirs to decide
    watch.clean()


async def test_a_leader_reads_their_accountability_record(open_browser: Any, server: str,
                                                          ward: Ward) -> None:
    page, watch = await signed_in(open_browser, server, ward, MTTQ_HEAD)
    await page.click("nav a:has-text('Trách nhiệm giải trình')")
    await page.wait_for_selector("#accountability-totals")
    totals = await page.locator("#accountability-totals").inner_text()
    assert "Số quyết định" in totals
    assert "Tỷ lệ bị khiếu nại" in totals
    decisions = page.locator("#decisions li")
    assert await decisions.count() >= 6  # last month's board of MTTQ
    text = await page.locator("#decisions").inner_text()
    assert "Loại" in text
    assert "Phiên bản quy định" in text
    assert not UUID.search(await page.locator("main").inner_text())
    await fitting_shot(page, "accountability")
    watch.clean()
