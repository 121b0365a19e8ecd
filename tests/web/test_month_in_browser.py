"""A ward's month, clicked through in a real Chromium: each role signs in, a staff member
self-assesses, the leader decides the whole board (refused over the quota on the line that
broke it, then within it), HR opens and publishes, the staff member sees the result, an
auditor reads a timeline and a board as of a date. Every page: no request to another host,
no CSP violation, no horizontal scroll at 360 px."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

try:
    from playwright.async_api import expect
except ImportError:  # the ``browser`` fixture says loudly why these tests did not run
    expect = None

from tests.web.conftest import (
    Ward,
    fitting_shot,
    make_ward,
    no_horizontal_scroll,
    shoot,
    sign_in,
    signed_in,
)

pytestmark = pytest.mark.e2e

HR, CHAIR, MTTQ_HEAD, MEMBER, AUDITOR = ("Cán bộ tổ chức (HR)", "Chủ tịch UBND",
                                          "Chủ tịch UBMTTQ", "Cán bộ MTTQ", "Thanh tra thành phố")


async def test_each_demo_role_signs_in_to_their_own_home(open_browser: Any, server: str,
                                                         ward: Ward) -> None:
    expected = {HR: "Theo dõi tiến độ tháng", CHAIR: "Xếp loại cán bộ của đơn vị",
                MTTQ_HEAD: "Xếp loại cán bộ của đơn vị", MEMBER: "Tự đánh giá tháng này",
                AUDITOR: "Thanh tra"}
    for who, task in expected.items():
        page, watch = await signed_in(open_browser, server, ward, who)
        assert await page.locator("h1").inner_text() == "Việc cần làm"
        assert task in await page.locator("main").inner_text()
        assert ward.tenant.name in await page.locator("header").inner_text()
        await no_horizontal_scroll(page)
        await shoot(page, f"home-{who.split()[0].lower()}-{len(who)}")
        watch.clean()


async def test_staff_member_self_assesses_and_a_refusal_lands_on_the_field(
        open_browser: Any, server: str, ward: Ward) -> None:
    page, watch = await signed_in(open_browser, server, ward, MEMBER, then="/self")
    await page.fill("#score", "150")
    await page.click("button:has-text('Nộp phiếu tự đánh giá')")
    error = page.locator("#err-score")
    await error.wait_for()
    assert "0 đến 100" in await error.inner_text()  # the API's own refusal, in Vietnamese
    assert "Chưa tự đánh giá" in await page.locator("main").inner_text()  # nothing written
    await page.fill("#score", "88")
    await page.fill("#task-0-title", "Báo cáo tháng của MTTQ")
    await page.fill("#task-0-evidence", "Báo cáo số 12/BC-MTTQ")
    await page.check("input[name=task-0-on-time]")
    await page.click("button:has-text('Nộp phiếu tự đánh giá')")
    await page.wait_for_url(f"{server}/self?saved=1&at=*")
    assert "Đã tự đánh giá" in await page.locator("main").inner_text()
    assert "88" in await page.locator("main").inner_text()
    await fitting_shot(page, "self-assessment")
    watch.clean()


async def decide_all(page: Any, level: str, score: str = "95") -> list[str]:
    choices = page.locator("select.level-choice")
    staff = []
    for i in range(await choices.count()):
        choice = choices.nth(i)
        staff_id = (await choice.get_attribute("id") or "")[len("level-"):]
        await choice.select_option(level)
        await page.fill(f"#score-{staff_id}", score)
        # Reasons on every line: a civil servant's level above what their confirmed work
        # earns (Decree 335) needs them, and they never hurt.
        await page.fill(f"#reasons-{staff_id}", "Hoàn thành các việc được giao trong tháng")
        staff.append(staff_id)
    return staff


async def test_leader_decides_the_whole_board_in_one_act_refused_on_the_over_quota_line(
        open_browser: Any, server: str, ward: Ward) -> None:
    _, page, watch = await open_browser(width=1024)
    await sign_in(page, server, ward, MTTQ_HEAD, then="/board")
    await page.wait_for_selector("#board-form")
    staff = await decide_all(page, "A")
    assert len(staff) == 7  # everyone of MTTQ but its head, rated by the level above
    meter = page.locator(".meter[data-level=A]")
    assert "over" in (await meter.get_attribute("class") or "")  # live, before sending
    await page.click("button:has-text('Quyết định cả bảng')")
    refused = page.locator(".line.refused")
    await refused.wait_for()
    assert await refused.count() == 1
    assert "Vượt tỷ lệ" in await refused.locator(".error").inner_text()
    assert "Không ghi gì" in await page.locator("main").inner_text()
    assert "Đã quyết định 0/" in await page.locator("main").inner_text()  # nothing written
    await shoot(page, "board-refused-over-quota")
    # Within the quota: two excellent, the rest good.
    await decide_all(page, "B", "80")
    for staff_id in staff[:2]:
        await page.select_option(f"#level-{staff_id}", "A")
        await page.fill(f"#score-{staff_id}", "95")
    assert "over" not in (await meter.get_attribute("class") or "")
    await page.click("button:has-text('Quyết định cả bảng')")
    await page.wait_for_selector("p.ok")
    text = await page.locator("main").inner_text()
    assert "Đã quyết định 7/" in text
    assert "Hoàn thành xuất sắc nhiệm vụ" in text
    assert "Hoàn thành tốt nhiệm vụ" in text
    assert await page.locator("select.level-choice").count() == 0
    await shoot(page, "board-decided")
    watch.clean()


async def test_a_stale_board_is_shown_not_overwritten(open_browser: Any, server: str,
                                                      ward: Ward) -> None:
    _, first, _ = await open_browser(width=1024)
    _, second, watch = await open_browser(width=1024)
    for page in (first, second):
        await sign_in(page, server, ward, MTTQ_HEAD, then="/board")
        await page.wait_for_selector("#board-form")
    await decide_all(first, "B", "80")
    await first.click("button:has-text('Quyết định cả bảng')")
    await first.wait_for_selector("p.ok")
    await decide_all(second, "C", "60")
    await second.click("button:has-text('Quyết định cả bảng')")
    await second.wait_for_selector("p.alert")
    text = await second.locator("main").inner_text()
    assert "Bảng đã thay đổi" in text
    assert "Hoàn thành nhiệm vụ (" not in text.split("Quyết định:")[-1]  # the first decision stands
    watch.clean()


async def test_hr_opens_and_publishes_a_month_and_the_staff_member_sees_the_result(
        open_browser: Any, server: str, ward: Ward) -> None:
    await board_decided(open_browser, server, ward)

    _, hr, watch = await open_browser()
    await sign_in(hr, server, ward, HR, then="/periods")
    nxt = date.today().replace(day=1) + timedelta(days=32)
    await hr.goto(f"{server}/periods?year={nxt.year}&month={nxt.month}")
    mttq = hr.locator("li.line", has_text="Mặt trận")
    await mttq.locator("button[value=open]").click()
    await hr.wait_for_selector("p.ok")
    assert "Đang mở" in await hr.locator("li.line", has_text="Mặt trận").inner_text()
    await shoot(hr, "periods-opened")
    await hr.goto(f"{server}/periods")
    await hr.locator("li.line", has_text="Mặt trận").locator("button[value=publish]").click()
    await hr.wait_for_selector("p.ok")
    assert "Đã công khai" in await hr.locator("li.line", has_text="Mặt trận").inner_text()
    await hr.goto(f"{server}/tracker")
    await fitting_shot(hr, "tracker")
    watch.clean()

    _, staff, watch = await open_browser()
    await sign_in(staff, server, ward, MEMBER, then="/results")
    today = date.today()
    row = staff.locator(f"#month-{today.year}-{today.month}")
    assert "Hoàn thành tốt nhiệm vụ" in await row.inner_text()
    assert "Đã công khai" in await row.inner_text()
    assert await staff.locator("summary", has_text=f"{today.month}/{today.year}").count() == 1
    await fitting_shot(staff, "results")
    watch.clean()


async def test_auditor_reads_a_timeline_and_a_board_as_of_a_date(open_browser: Any, server: str,
                                                                 ward: Ward) -> None:
    page, watch = await signed_in(open_browser, server, ward, AUDITOR, then="/audit")
    assert "Chuỗi nguyên vẹn" in await page.locator("#chain-result").inner_text()
    await page.select_option("#unit", label="Ủy ban Mặt trận Tổ quốc")
    await page.click("button:has-text('Xem')")
    await page.wait_for_url(f"{server}/audit?unit=*")
    await page.locator("main ul.tasks a").nth(1).click()
    await page.wait_for_selector("ol.timeline li")
    text = await page.locator("ol.timeline").inner_text()
    assert "Đã quyết định" in text  # last month's decision, with who and in which capacity
    assert "Lãnh đạo đơn vị" in text
    await fitting_shot(page, "timeline")
    last = date.today().replace(day=1) - timedelta(days=1)
    before = date(last.year, last.month, 1) - timedelta(days=1)  # before the month opened
    await page.goto(f"{server}/audit/board")
    await page.select_option("#unit", label="Ủy ban Mặt trận Tổ quốc")
    await page.fill("#month", str(last.month))
    await page.fill("#year", str(last.year))
    await page.fill("#asOf", date.today().isoformat())
    await page.click("button:has-text('Xem')")
    await page.wait_for_selector("#as-of")
    now_text = await page.locator("#as-of").inner_text()
    assert "nhiệm vụ" in now_text  # decided levels, by name
    await fitting_shot(page, "board-as-of")
    await page.fill("#asOf", before.isoformat())
    async with page.expect_navigation():  # the form's answer, not the page already shown
        await page.click("button:has-text('Xem')")
    await page.wait_for_load_state("networkidle")
    assert "nhiệm vụ (" not in await page.locator("main").inner_text()  # nothing decided
    watch.clean()


async def test_without_a_session_a_page_sends_to_sign_in_and_back(open_browser: Any,
                                                                  server: str,
                                                                  ward: Ward) -> None:
    context, page, watch = await open_browser()
    await page.goto(f"{server}/results")
    assert "/login" in page.url
    await page.goto(f"{server}/login?tenant={ward.slug}&next=/results")
    await page.click(f'button[data-user="{MEMBER}"]')
    await page.wait_for_url(f"{server}/results")
    await context.clear_cookies(name="congtam_session")
    await page.goto(f"{server}/self")
    await page.wait_for_url(f"{server}/login?expired=1&next=/self")
    assert "hết hạn" in await page.locator("main").inner_text()
    # A form sent after the session ended: to sign in, then back to the form's page.
    await page.click(f'button[data-user="{MEMBER}"]')
    await page.wait_for_url(f"{server}/self")
    await context.clear_cookies(name="congtam_session")
    await page.fill("#score", "80")
    await page.click("button:has-text('Nộp phiếu tự đánh giá')")
    await page.wait_for_url(f"{server}/login?expired=1&next=/self")
    await page.click(f'button[data-user="{MEMBER}"]')
    await page.wait_for_url(f"{server}/self")
    assert "Chưa tự đánh giá" in await page.locator("main").inner_text()  # nothing written
    watch.clean()


async def test_english_on_request(open_browser: Any, server: str, ward: Ward) -> None:
    page, watch = await signed_in(open_browser, server, ward, MEMBER)
    await page.click("a.lang")
    await page.wait_for_selector("h1:has-text('What to do now')")
    await page.goto(f"{server}/self")
    assert await page.locator("h1").inner_text() == "Self-assessment — Month " + \
        f"{date.today().month}/{date.today().year}"
    watch.clean()


async def test_first_load_of_each_page_is_under_200_kb(open_browser: Any, server: str,
                                                       ward: Ward) -> None:
    weights = {}
    for who, path in ((MEMBER, "/"), (MEMBER, "/self"), (MEMBER, "/results"),
                      (MTTQ_HEAD, "/board"), (HR, "/periods"), (HR, "/tracker"),
                      (AUDITOR, "/audit"), (MEMBER, "/appeals"), (MTTQ_HEAD, "/accountability"),
                      (HR, "/register"), (HR, "/policy"), (HR, "/collective"), (HR, "/overview"),
                      (AUDITOR, "/audit/search?q=nguyen")):
        signed_in, page, _ = await open_browser()
        await sign_in(page, server, ward, who)
        # A fresh context holding only the session cookie: nothing cached, a first load.
        _, page, _ = await open_browser(storage_state=await signed_in.storage_state())
        sizes: list[int] = []

        async def on_response(response: Any, sizes: list[int] = sizes) -> None:
            # What crossed the wire: headers and the (possibly compressed) body.
            transferred = await response.request.sizes()
            sizes.append(transferred["responseBodySize"] + transferred["responseHeadersSize"])

        page.on("response", on_response)
        await page.goto(f"{server}{path}")
        await page.wait_for_load_state("networkidle")
        weights[(who, path)] = sum(sizes)
    print("page weights (bytes):", weights)
    assert all(w < 200_000 for w in weights.values()), weights


async def test_graphiql_loads_offline_from_our_files(open_browser: Any, server: str) -> None:
    _, page, watch = await open_browser(width=1280, height=800)
    await page.goto(f"{server}/graphql")
    await page.wait_for_selector(".graphiql-container", timeout=20_000)
    assert not watch.foreign


async def test_hr_closes_a_month(open_browser: Any, server: str, ward: Ward) -> None:
    _, hr, watch = await open_browser()
    nxt = date.today().replace(day=1) + timedelta(days=32)
    await sign_in(hr, server, ward, HR, then="/periods")
    await hr.goto(f"{server}/periods?year={nxt.year}&month={nxt.month}")
    await hr.locator("li.line", has_text="Cựu chiến binh").locator("button[value=open]").click()
    await hr.wait_for_selector("p.ok")
    await hr.locator("li.line", has_text="Cựu chiến binh").locator("button[value=close]").click()
    await expect(hr.locator("li.line", has_text="Cựu chiến binh")).to_contain_text("Đã khóa sổ")
    watch.clean()


async def board_decided(open_browser: Any, server: str, ward: Ward) -> None:
    """The MTTQ head decides the whole board (B, 80 each) and sees it recorded."""
    _, leader, _ = await open_browser(width=1024)
    await sign_in(leader, server, ward, MTTQ_HEAD, then="/board")
    await leader.wait_for_selector("#board-form")
    await decide_all(leader, "B", "80")
    await leader.click("button:has-text('Quyết định cả bảng')")
    await leader.wait_for_selector("p.ok")


async def decide_and_publish(open_browser: Any, server: str, ward: Ward) -> None:
    await board_decided(open_browser, server, ward)
    _, hr, _ = await open_browser()
    await sign_in(hr, server, ward, HR, then="/periods")
    await hr.locator("li.line", has_text="Mặt trận").locator("button[value=publish]").click()
    await hr.wait_for_selector("p.ok")


async def test_staff_member_appeals_a_published_result(open_browser: Any, server: str,
                                                       ward: Ward) -> None:
    await decide_and_publish(open_browser, server, ward)
    page, watch = await signed_in(open_browser, server, ward, MEMBER, then="/results")
    # Last month's result is already under appeal: the API's refusal, on that form.
    last = date.today().replace(day=1) - timedelta(days=1)
    await page.click(f"summary:has-text('{last.month}/{last.year}')")
    form = page.locator("details[open] form")
    await form.locator("textarea[name=grounds]").fill("Xin xem xét lại.")
    await form.locator("button[type=submit]").click()
    await page.wait_for_selector("p.error")
    assert "khiếu nại chưa giải quyết" in await page.locator("p.error").inner_text()
    # This month's, just published: filed.
    today = date.today()
    await page.click(f"summary:has-text('{today.month}/{today.year}')")
    form = page.locator("details[open] form").first
    await form.locator("textarea[name=grounds]").fill("Kết quả công việc tháng vượt kế hoạch.")
    await form.locator("select[name=claimed]").select_option("A")
    await form.locator("button[type=submit]").click()
    await page.wait_for_selector("p.ok")
    watch.clean()


async def test_a_double_submitted_board_writes_once(open_browser: Any, server: str,
                                                   ward: Ward) -> None:
    _, page, watch = await open_browser(width=1024)
    await sign_in(page, server, ward, MTTQ_HEAD, then="/board")
    await page.wait_for_selector("#board-form")
    await decide_all(page, "B", "80")
    sent = await page.evaluate(
        "() => Array.from(new FormData(document.getElementById('board-form')).entries())")
    action = await page.locator("#board-form").get_attribute("action")
    await page.click("button:has-text('Quyết định cả bảng')")
    await page.wait_for_selector("p.ok")
    # The very same form again (a second click, a resent request): recorded once.
    again = await page.request.post(
        f"{server}{action}", data=urlencode([(k, v) for k, v in sent]), max_redirects=0,
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert again.status == 303
    assert "saved=1" in again.headers["location"]
    await page.reload()
    assert "Đã quyết định 7/" in await page.locator("main").inner_text()
    assert await page.locator(".error").count() == 0
    watch.clean()


async def test_a_person_granted_in_two_tenants_switches_between_them(
        open_browser: Any, server: str, ward: Ward, runtime: Any) -> None:
    other = await make_ward(runtime)
    page, watch = await signed_in(open_browser, server, ward, AUDITOR)
    await page.select_option("#tenant-switch", other.slug)
    await page.click("button:has-text('Chuyển địa phương')")
    await expect(page.locator("header")).to_contain_text(other.tenant.name)
    watch.clean()
