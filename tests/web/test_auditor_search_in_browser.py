"""The auditor finds by name, diacritics and case aside: a leader (to their accountability
record), a unit (to its board as of a date), a person (to their timeline)."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

import pytest

from services.runtime import Runtime
from tests.web.conftest import Ward, fitting_shot, signed_in
from tests.web.test_month_in_browser import AUDITOR, MTTQ_HEAD

pytestmark = pytest.mark.e2e


def plain(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).upper()


async def test_the_auditor_finds_a_leader_a_unit_and_a_person_by_name(
        open_browser: Any, server: str, ward: Ward, runtime: Runtime) -> None:
    head = ward.users[MTTQ_HEAD].user_id
    async with runtime.pool_of(ward.tenant).acquire() as conn:
        name = await conn.fetchval(
            f"SELECT full_name FROM {ward.tenant.schema}.rm_staff WHERE staff_id = $1",
            uuid.UUID(head))
    page, watch = await signed_in(open_browser, server, ward, AUDITOR, then="/audit")
    await page.fill("#q", plain(name))  # typed without accents, in capitals
    await page.click("button:has-text('Tìm kiếm')")
    await page.wait_for_selector("#hits")
    leader = page.locator("#hits li", has_text="Lãnh đạo").filter(has_text=name)
    assert await leader.count() >= 1
    await fitting_shot(page, "audit-search")
    await leader.first.locator("a").click()
    await page.wait_for_selector("#accountability-totals")
    assert name in await page.locator("h1").inner_text()
    assert await page.locator("#decisions li").count() >= 6

    await page.goto(f"{server}/audit/search?q=mat+tran")
    unit = page.locator("#hits li", has_text="Đơn vị").filter(has_text="Mặt trận")
    assert await unit.count() == 1
    await unit.locator("a").click()
    await page.wait_for_selector("#asOf")

    await page.goto(f"{server}/audit/search?q={plain(name).split()[-1].lower()}")
    person = page.locator("#hits li", has_text="Người").filter(has_text=name).first
    await person.locator("a").click()
    await page.wait_for_selector("ol.timeline li")
    assert name in await page.locator("h1").inner_text()

    await page.goto(f"{server}/audit/search?q=khong+co+ai+ten+nay")
    assert "Không tìm thấy" in await page.locator("#hits").inner_text()
    watch.clean()
