"""A province publishes its catalogue of outputs; the HR officer of a ward under it sees the
new version on their home page and applies it in one action — refused without reasons
(nothing written), then applied, and the notice is gone (issue 21)."""

from __future__ import annotations

import uuid
from typing import Any

import anyio
import pytest

from domain.actor import Actor, acting_as
from services.app.work_commands import EstablishCatalogue
from services.demo.work import CATALOGUE
from services.runtime import Runtime
from tests.web.conftest import (
    Ward,
    fitting_shot,
    make_ward,
    signed_in,
)
from tests.web.test_month_in_browser import HR

pytestmark = pytest.mark.e2e


@pytest.fixture
async def province_ward(runtime: Runtime, server: str) -> Ward:
    """A province with its catalogue, and a ward under it filled like the demo ones that has
    not applied it yet."""
    tag = uuid.uuid4().hex[:8]
    province = await runtime.registry.register(f"tinh-{tag}", "Thành phố Thử", "province", None)
    province_service = runtime.service(province)

    def publish() -> None:
        with acting_as(Actor("province-hr", "hr_officer")):
            province_service.establish_catalogue(EstablishCatalogue(
                CATALOGUE, "Quyết định của UBND Thành phố về danh mục sản phẩm"))
    await anyio.to_thread.run_sync(publish)
    await runtime.written(province)
    return await make_ward(runtime, f"web-p-{tag}", f"Phường Tỉnh {tag[-4:]}", province.slug)


async def test_hr_applies_the_provinces_new_catalogue_from_the_home_page(
        open_browser: Any, server: str, province_ward: Ward) -> None:
    page, watch = await signed_in(open_browser, server, province_ward, HR)
    notice = page.locator("#province-catalogue")
    assert await notice.get_attribute("data-available") == "catalogue/1"
    assert "Thành phố Thử" in await notice.inner_text()
    await fitting_shot(page, "province-catalogue")
    # No reasons: the API's refusal on the form, nothing applied (the notice stays).
    await notice.locator("button[type=submit]").click()
    await page.locator("#province-catalogue .error").wait_for()
    assert "căn cứ" in (await page.locator("#province-catalogue .error").inner_text()).lower()
    await page.fill("#province-reasons", "Áp dụng danh mục sản phẩm của Thành phố")
    await page.locator("#province-catalogue button[type=submit]").click()
    await page.wait_for_url(f"{server}/?applied=1&at=*")
    assert "Đã áp dụng danh mục mới của tỉnh" in await page.locator("main").inner_text()
    assert await page.locator("#province-catalogue").count() == 0
    watch.clean()
