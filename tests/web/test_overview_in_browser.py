"""Charts in a real Chromium: a district's inspector sees its granted wards' completion this
month, late wards first, against the month elapsed, and their levels by month — counts and
shares, never people; each chart an accessible SVG with a table of the same figures; and a
ward's HR officer sees their own months the same way."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import anyio
import pytest

from domain.actor import Actor
from services.demo.tenants import _build_tenant, demo_users, grant_demo_users
from services.runtime import Runtime
from tests.support.projection import granted, projected
from tests.web.conftest import Ward, fitting_shot, signed_in
from tests.web.test_month_in_browser import AUDITOR, HR, board_decided

pytestmark = pytest.mark.e2e


async def child_ward(runtime: Runtime, parent: str, name: str) -> Ward:
    slug = f"web-{uuid.uuid4().hex[:8]}"
    tenant = await runtime.registry.register(slug, name, "ward", parent)
    await anyio.to_thread.run_sync(lambda: _build_tenant(runtime.service(tenant), slug,
                                                         date.today(), work_month=False))
    await grant_demo_users(runtime, slug)
    await runtime.written(tenant)
    await projected(runtime, tenant)
    return Ward(tenant, {u.name: u for u in demo_users(slug)})


async def test_a_district_sees_its_wards_late_first_in_charts(open_browser: Any, server: str,
                                                              runtime: Runtime) -> None:
    slug = f"web-d-{uuid.uuid4().hex[:6]}"
    district = await runtime.registry.register(slug, f"Quận Thử {slug[-4:]}", "district", None)
    await grant_demo_users(runtime, slug)
    auditor = next(u for u in demo_users(slug) if u.name == AUDITOR)
    await runtime.platform.grant(Actor("platform-admin", "platform_admin"), auditor.user_id,
                                 slug, "auditor", include_children=True)
    await granted(runtime, auditor.user_id, include_children=True)
    ahead = await child_ward(runtime, slug, "Phường An Thử")
    behind = await child_ward(runtime, slug, "Phường Bình Thử")
    # The first ward's MTTQ board decided this month; the second's nothing yet.
    await board_decided(open_browser, server, ahead)
    await projected(runtime, ahead.tenant)

    page, watch = await signed_in(open_browser, server, Ward(district, {}), AUDITOR,
                                  then="/overview")
    await page.wait_for_selector("#children")
    rows = await page.locator("#late-first tbody tr th").all_inner_texts()
    assert rows == ["Phường Bình Thử", "Phường An Thử"]  # late first, not by name
    assert "Chậm" in await page.locator("#late-first tbody tr").first.inner_text()
    chart = page.locator("svg#chart-completion")
    assert await chart.get_attribute("role") == "img"
    assert "Hoàn thành so với hạn" in (await chart.locator("title").first.text_content() or "")
    assert await page.locator("svg#chart-distribution").count() == 1
    assert behind.tenant.name in await chart.inner_html()
    # Counts and shares only: no person of either ward appears.
    text = await page.locator("main").inner_text()
    assert "Cán bộ MTTQ" not in text
    await page.click("#children summary")  # the table of the same figures
    assert "Tháng" in await page.locator("#children details table").inner_text()
    await fitting_shot(page, "overview-district")
    watch.clean()


async def test_a_ward_sees_its_own_months_in_charts(open_browser: Any, server: str,
                                                   ward: Ward) -> None:
    page, watch = await signed_in(open_browser, server, ward, HR, then="/overview")
    await page.wait_for_selector("#own")
    assert await page.locator("#own svg#chart-distribution rect").count() >= 2
    assert await page.locator("#own svg#chart-trend circle").count() >= 2
    last = date.today().replace(day=1)
    await page.click("#own summary")
    table = await page.locator("#own table").inner_text()
    assert f"{last.month}/{last.year}" in table
    await fitting_shot(page, "overview-ward")
    watch.clean()
