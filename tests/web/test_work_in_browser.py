"""A month of work outputs (Decree 335/2025) clicked through in a real Chromium: the leader
assigns an item to two people at once and another to one; the person reports them done (a
quantity of 0 refused on the form, nothing written); the leader confirms one late and one
late with the delay waived (refused without reasons first); the breakdown on the page is
exactly what GraphQL ``scoreBreakdown`` returns; a person cannot open the leader's pages.
The leader reassigns and cancels items (refused without reasons), sets the quantity
confirmed, and, where the ward tracks work quarterly, works on the quarter's board."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import anyio
import httpx
import pytest
from playwright.async_api import expect

from services.app.commands import AdoptPolicy
from services.demo.tenants import _build_tenant, demo_id, demo_users, grant_demo_users
from services.runtime import Runtime
from services.settings import Settings
from tests.support.gql import data, gql, token_for
from tests.support.operations import operation
from tests.support.projection import projected
from tests.web.conftest import Ward, fitting_shot, no_horizontal_scroll, sign_in, signed_in

pytestmark = pytest.mark.e2e

LEADER, MEMBER = "Chủ tịch UBMTTQ", "Cán bộ MTTQ"
BREAKDOWN = operation("ScoreBreakdown")
FIGURES = ("assignedUnits", "completedUnits", "quantityPercent", "qualityPercent",
           "timelinessPercent", "qualityDeduction", "timelinessDeduction", "resultsPoints",
           "generalPoints", "score")


@pytest.fixture
async def work_ward(runtime: Runtime, server: str) -> Ward:
    """A fresh ward like the demo ones with this month under the 2026 rules (Decree 335):
    the catalogue in force and a month of demo work already assigned."""
    slug = f"web-w-{uuid.uuid4().hex[:8]}"
    tenant = await runtime.registry.register(slug, f"Phường Việc {slug[-4:]}", "ward", None)
    service = runtime.service(tenant)
    await anyio.to_thread.run_sync(lambda: _build_tenant(service, slug, date.today()))
    await grant_demo_users(runtime, slug)
    await runtime.written(tenant)
    await projected(runtime, tenant)
    return Ward(tenant, {u.name: u for u in demo_users(slug)})


async def _assign(page: Any, server: str, unit: str, staff: list[str], title: str) -> None:
    await page.goto(f"{server}/work/assign/{unit}")
    for person in staff:
        await page.check(f"#staff-{person}")
    await page.select_option("#catalogue_key", "")
    await page.fill("#title", title)
    await page.fill("#coefficient", "1.5")
    await page.fill("#expected_quantity", "2")
    await page.click("button:has-text('Giao việc')")
    await page.wait_for_url(f"{server}/work/board/{unit}?saved=1&at=*")


async def _shown(page: Any, box: str) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for name in FIGURES:
        text = await page.locator(f"#{box} dd[data-figure={name}]").inner_text()
        shown[name] = float(text.split("/")[0].strip())
    shown["level"] = await page.locator(f"#{box} dd[data-figure=level]").get_attribute(
        "data-level")
    shown["items"] = await page.locator(f"#{box} li[data-item]").count()
    return shown


def _expected(breakdown: dict[str, Any]) -> dict[str, Any]:
    return {**{k: float(breakdown[k]) for k in FIGURES}, "level": breakdown["level"],
            "items": len(breakdown["items"])}


def _mttq(ward: Ward) -> tuple[str, str, str]:
    """The ward's MTTQ unit, the member who signs in, and another member of it."""
    return (str(demo_id(ward.slug, "unit", "mttq")), ward.users[MEMBER].user_id,
            str(demo_id(ward.slug, "staff", "mttq", "3")))


async def test_a_month_of_work_from_assignment_to_the_breakdown_in_the_browser(
        open_browser: Any, server: str, work_ward: Ward, settings: Settings,
        http: httpx.AsyncClient) -> None:
    ward, slug = work_ward, work_ward.slug
    unit, me, other = _mttq(ward)
    late, waived = "Tổng hợp ý kiến cử tri khu 3", "Rà soát hộ nghèo quý IV"

    _, leader, watch_leader = await open_browser()
    await sign_in(leader, server, ward, LEADER, then=f"/work/assign/{unit}")
    await fitting_shot(leader, "work-assign")
    await _assign(leader, server, unit, [me, other], late)  # bulk: one item each
    assert await leader.locator("li.line[data-status]", has_text=late).count() == 2
    await _assign(leader, server, unit, [me], waived)

    _, person, watch_person = await open_browser()
    await sign_in(person, server, ward, MEMBER)
    assert "Báo cáo hoàn thành việc được giao" in await person.locator("main").inner_text()
    await person.goto(f"{server}/work")
    item = person.locator("li.line[data-status]", has_text=late)
    assert "1.5" in await item.inner_text()
    assert "Đã giao" in await item.inner_text()
    await item.locator("summary").click()
    await item.locator("input[name=quantity]").fill("0")
    await item.locator("button[type=submit]").click()
    error = person.locator("li.line[data-status]", has_text=late).locator(".error")
    await error.wait_for()
    assert "phải lớn hơn 0" in await error.inner_text()  # the API's refusal, in Vietnamese
    assert await person.locator("li.line[data-status]", has_text=late).get_attribute(
        "data-status") == "assigned"  # nothing written
    await fitting_shot(person, "work-report-refused")
    for title in (late, waived):
        item = person.locator("li.line[data-status]", has_text=title)
        if await item.locator("details[open]").count() == 0:
            await item.locator("summary").click()
        await item.locator("input[name=quantity]").fill("2")
        await item.locator("textarea[name=evidence]").fill("Báo cáo số 7/BC-MTTQ")
        await item.locator("button[type=submit]").click()
        await person.locator("li.line[data-status=reported]", has_text=title).wait_for()
        assert "saved=1&at=" in person.url

    await leader.goto(f"{server}/work/board/{unit}")
    line = leader.locator("li.line[data-status=reported]", has_text=late)
    await line.locator("details:not(.change) summary").click()
    await line.locator("input[name=timeliness][value=late]").check()
    await line.locator("form.confirm button[type=submit]").click()
    await leader.wait_for_url(f"{server}/work/board/{unit}?saved=1&at=*")
    line = leader.locator("li.line[data-status=reported]", has_text=waived)
    await line.locator("details:not(.change) summary").click()
    await line.locator("input[name=timeliness][value=late]").check()
    await line.locator("input[name=waived]").check()
    await line.locator("form.confirm button[type=submit]").click()
    refused = leader.locator("li.line.refused", has_text=waived)
    await refused.wait_for()
    assert "lý do" in (await refused.locator("form.confirm .error").inner_text()).lower()
    assert await refused.get_attribute("data-status") == "reported"  # nothing written
    await refused.locator("textarea[name=waiver_reasons]").fill(
        "Mưa bão kéo dài, không tổ chức được họp khu dân cư")
    await refused.locator("form.confirm button[type=submit]").click()
    await leader.locator("li.line[data-status=confirmed]", has_text=waived).wait_for()
    # Retried: htmx settles the swapped line's class a moment after its content.
    await expect(leader.locator("li.line.refused")).to_have_count(0)

    token = token_for(settings, slug, me, "staff")
    today = date.today()
    api = data(await gql(http, token, BREAKDOWN, {"staff": me, "year": today.year,
                                                  "number": today.month}))["scoreBreakdown"]
    titles = {i["title"]: i for i in api["items"]}
    assert titles[late]["timeliness"] == "late"
    assert titles[late]["timelinessDeduction"] > 0
    assert titles[waived]["timeliness"] == "waived"
    assert titles[waived]["timelinessDeduction"] == 0
    await leader.locator(f"#person-{me} summary").click()
    assert await _shown(leader, f"breakdown-{me}") == _expected(api)
    await fitting_shot(leader, "work-board")
    await person.goto(f"{server}/work")
    assert await _shown(person, "my-breakdown") == _expected(api)
    watch_leader.clean()
    watch_person.clean()


async def test_a_person_cannot_open_the_leaders_work_pages(
        open_browser: Any, server: str, work_ward: Ward) -> None:
    unit = str(demo_id(work_ward.slug, "unit", "mttq"))
    page, watch = await signed_in(open_browser, server, work_ward, MEMBER)
    assert await page.locator("nav a[href='/work/board']").count() == 0
    for path in (f"/work/assign/{unit}", f"/work/board/{unit}", "/work/board"):
        response = await page.goto(f"{server}{path}")
        assert response is not None
        assert response.status == 403, path
        assert await page.locator("#assign-form").count() == 0
        assert await page.locator("p.alert").count() == 1
    watch.clean()


async def test_the_leader_reassigns_and_cancels_with_reasons_and_sets_the_quantity_confirmed(
        open_browser: Any, server: str, work_ward: Ward, settings: Settings,
        http: httpx.AsyncClient) -> None:
    ward, slug = work_ward, work_ward.slug
    unit, me, other = _mttq(ward)
    taker = ""
    moved, dropped, counted = ("Lập danh sách hộ cận nghèo", "Tổ chức hội nghị khu 5",
                               "Tiếp nhận đơn thư")
    _, leader, watch = await open_browser()
    await sign_in(leader, server, ward, LEADER, then=f"/work/assign/{unit}")
    for title in (moved, dropped, counted):
        await _assign(leader, server, unit, [me], title)

    # Reassigning and cancelling without reasons: the API's refusal on the field, nothing
    # written (the item is still assigned to the same person).
    for title, form, box in ((moved, "form.reassign", "reassign_reasons"),
                             (dropped, "form.cancel", "cancel_reasons")):
        line = leader.locator("li.line[data-status=assigned]", has_text=title)
        await line.locator("details.change summary").click()
        # One's own work is assigned from above: the leader is never offered as the taker.
        leader_id = ward.users[LEADER].user_id
        assert await line.locator(f"select[name=to_staff] option[value='{leader_id}']"
                                  ).count() == 0
        await line.locator(f"{form} button[type=submit]").click()
        refused = leader.locator("li.line.refused", has_text=title)
        await refused.wait_for()
        assert "lý do" in (await refused.locator(f"{form} .error").inner_text()).lower()
        assert await refused.get_attribute("data-status") == "assigned"
        await refused.locator(f"textarea[name={box}]").fill("Điều chỉnh phân công theo "
                                                            "kết luận giao ban")
        if form == "form.reassign":
            await refused.locator("select[name=to_staff]").select_option(other)
            taker = (await refused.locator(
                f"select[name=to_staff] option[value='{other}']").inner_text()).strip()
        await refused.locator(f"{form} button[type=submit]").click()
        await leader.wait_for_url(f"{server}/work/board/{unit}?saved=1&at=*")
    assert await leader.locator("li.line[data-status=reassigned]", has_text=moved).count() == 1
    assert await leader.locator("li.line[data-status=cancelled]", has_text=dropped).count() == 1
    taken = leader.locator("li.line[data-status=assigned]", has_text=moved)
    assert await taken.count() == 1  # the new item, now the other person's
    assert taker in await taken.locator("strong").inner_text()

    # The person reports 2; the leader confirms 1.5 of them.
    _, person, watch_person = await open_browser()
    await sign_in(person, server, ward, MEMBER, then="/work")
    item = person.locator("li.line[data-status]", has_text=counted)
    await item.locator("summary").click()
    await item.locator("input[name=quantity]").fill("2")
    await item.locator("button[type=submit]").click()
    await person.locator("li.line[data-status=reported]", has_text=counted).wait_for()
    await leader.goto(f"{server}/work/board/{unit}")
    line = leader.locator("li.line[data-status=reported]", has_text=counted)
    await line.locator("details:not(.change) summary").click()
    assert await line.locator("input[name=quantity]").input_value() == "2"
    await line.locator("input[name=quantity]").fill("1,5")
    await line.locator("form.confirm button[type=submit]").click()
    done = leader.locator("li.line[data-status=confirmed]", has_text=counted)
    await done.wait_for()
    assert await done.locator("[data-confirmed]").inner_text() == "1.5"
    await fitting_shot(leader, "work-board-changes")

    # What the API records is what the page said.
    token = token_for(settings, slug, me, "staff")
    today = date.today()
    api = data(await gql(http, token, BREAKDOWN, {"staff": me, "year": today.year,
                                                  "number": today.month}))["scoreBreakdown"]
    titles = {i["title"]: i for i in api["items"]}
    assert moved not in titles  # no longer this person's work
    assert dropped not in titles
    assert titles[counted]["completedUnits"] == pytest.approx(1.5 * 1.5)
    watch.clean()
    watch_person.clean()


async def test_a_ward_tracking_quarterly_sees_the_quarter_on_its_work_board(
        open_browser: Any, server: str, work_ward: Ward, runtime: Runtime) -> None:
    ward, slug = work_ward, work_ward.slug
    unit = str(demo_id(slug, "unit", "mttq"))
    me = ward.users[MEMBER].user_id
    _, leader, watch = await open_browser()
    # A ward tracking monthly only: no quarter to choose, and asking for it shows the month.
    await sign_in(leader, server, ward, LEADER, then=f"/work/board/{unit}?kind=quarterly")
    assert await leader.locator("#work-cycles").count() == 0
    assert "Việc được giao tháng này" in await leader.locator("main").inner_text()

    service = runtime.service(ward.tenant)
    await anyio.to_thread.run_sync(lambda: service.adopt_policy(AdoptPolicy(
        "quarterly", "vn-quarterly-2026", "Theo dõi, đánh giá theo quý (NĐ 335/2025, Điều 13)")))
    await runtime.written(ward.tenant)
    await projected(runtime, ward.tenant)
    await leader.goto(f"{server}/work/board/{unit}")
    await leader.locator("#work-cycles a", has_text="Theo quý").click()
    await leader.wait_for_url(f"{server}/work/board/{unit}?kind=quarterly")
    quarter = (date.today().month - 1) // 3 + 1
    main = await leader.locator("main").inner_text()
    assert "Việc được giao quý này" in main
    assert f"Quý {quarter}/{date.today().year}" in main
    await leader.click(f"main a[href='/work/assign/{unit}?kind=quarterly']")
    await leader.wait_for_url(f"{server}/work/assign/{unit}?kind=quarterly")
    await leader.check(f"#staff-{me}")
    await leader.select_option("#catalogue_key", "")
    await leader.fill("#title", "Báo cáo quý công tác dân vận")  # the item checked below
    await leader.fill("#coefficient", "2")
    await leader.fill("#expected_quantity", "1")
    await leader.click("button:has-text('Giao việc')")
    await leader.wait_for_url(f"{server}/work/board/{unit}?saved=1&kind=quarterly&at=*")
    quarterly = "Báo cáo quý công tác dân vận"
    assert await leader.locator("li.line[data-status]", has_text=quarterly).count() == 1
    # The month's board does not hold the quarter's item.
    await leader.goto(f"{server}/work/board/{unit}")
    assert await leader.locator("li.line[data-status]", has_text=quarterly).count() == 0
    await no_horizontal_scroll(leader)
    watch.clean()


async def test_a_breakdown_says_when_the_persons_score_is_not_computed_from_work(
        open_browser: Any, server: str, runtime: Runtime) -> None:
    # The demo ward's people (seeded as Phường Đức Giang's): the MTTQ holds one civil
    # servant, scored by work, and others (a cadre head, a contract worker) who are not.
    slug = f"web-s-{uuid.uuid4().hex[:8]}"
    tenant = await runtime.registry.register(slug, f"Phường Loại {slug[-4:]}", "ward", None)
    service = runtime.service(tenant)
    await anyio.to_thread.run_sync(lambda: _build_tenant(
        service, slug, date.today(), seed="hn-long-bien-duc-giang"))
    await grant_demo_users(runtime, slug)
    await runtime.written(tenant)
    await projected(runtime, tenant)
    ward = Ward(tenant, {u.name: u for u in demo_users(slug)})
    unit = str(demo_id(slug, "unit", "mttq"))
    types = {str(r["staff_id"]): r["staff_type"] for r in await runtime.pool_of(tenant).fetch(
        f"SELECT staff_id, staff_type FROM {tenant.schema}.rm_staff WHERE unit_id = $1",
        uuid.UUID(unit))}

    page, watch = await signed_in(open_browser, server, ward, LEADER, then=f"/work/board/{unit}")
    shown = {}
    for person in types:
        card = page.locator(f"#breakdown-{person}")
        if await card.count():
            shown[person] = await card.locator(".not-by-work").count() == 1
    assert shown
    assert shown == {p: types[p] != "civil_servant" for p in shown}
    assert set(shown.values()) == {True, False}  # both kinds on the board
    member = ward.users[MEMBER].user_id
    assert types[member] != "civil_servant"
    await sign_in(page, server, ward, MEMBER, then="/work")
    note = page.locator("#my-breakdown .not-by-work")
    assert "không tính từ kết quả công việc" in await note.inner_text()
    watch.clean()
