"""The HR officer imports the catalogue of outputs in a real Chromium: a bad row is named by
row and column with nothing written; the fixed sheet is checked, kept on the server under its
SHA-256 (the commit form carries the digest only) and committed once; a commit naming a
digest the server does not hold is refused, nothing written."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import anyio
import pytest

from services.runtime import Runtime
from tests.support.readmodels import events_in
from tests.web.conftest import Ward, shoot, signed_in
from tests.web.imports import preview, template_bytes
from tests.web.test_month_in_browser import HR

pytestmark = pytest.mark.e2e

# Separated by ";" and with decimal commas, as Excel saves a CSV in a Vietnamese locale.
HEADER = "Mã sản phẩm;Vị trí việc làm;Tên sản phẩm;Đơn vị tính;Hệ số quy đổi\n"
GOOD, BAD, FIXED = ("NK-01;Công chức văn phòng;Báo cáo tổng hợp tháng;báo cáo;1,2\n",
                    "NK-02;Công chức văn phòng;Tờ trình;tờ trình;0\n",  # not above 0
                    "NK-02;Công chức văn phòng;Tờ trình;tờ trình;0,8\n")


async def test_hr_imports_a_catalogue_sheet_once_keeping_the_checked_file_on_the_server(
        open_browser: Any, server: str, ward: Ward, runtime: Runtime, tmp_path: Path) -> None:
    page, watch = await signed_in(open_browser, server, ward, HR, then="/import")
    assert (await template_bytes(page, server, "catalogue"))[:2] == b"PK"
    before = await events_in(runtime, ward.tenant)

    sheet = tmp_path / "danh-muc.csv"
    await preview(page, "catalogue", sheet, HEADER + GOOD + BAD)
    problems = await page.locator("#problems").inner_text()
    assert "Dòng 3, cột 'Hệ số quy đổi'" in problems, problems
    assert await page.locator("#commit").count() == 0
    assert await events_in(runtime, ward.tenant) == before

    await preview(page, "catalogue", sheet, HEADER + GOOD + FIXED)
    assert await page.locator("#plan-items").inner_text() == "2"
    digest = hashlib.sha256(await anyio.Path(sheet).read_bytes()).hexdigest()
    fields = await page.locator("#commit input[type=hidden]").evaluate_all(
        "inputs => Object.fromEntries(inputs.map(i => [i.name, i.value]))")
    assert fields["digest"] == digest
    assert set(fields) == {"_csrf", "kind", "step", "digest"}  # the digest, never the file
    assert await events_in(runtime, ward.tenant) == before
    await shoot(page, "import-catalogue-preview")

    await page.click("#commit button")
    await page.wait_for_selector("#committed")
    written = await events_in(runtime, ward.tenant)
    assert written == before + 1  # one catalogue version
    assert [i.key for i in (await anyio.to_thread.run_sync(
        runtime.service(ward.tenant).catalogue)).items] == ["NK-01", "NK-02"]

    await page.goto(f"{server}/import")
    await preview(page, "catalogue", sheet)  # the same sheet again
    await page.wait_for_selector("#nothing-to-do")
    assert await page.locator("#commit").count() == 0
    assert await events_in(runtime, ward.tenant) == written
    watch.clean()


async def test_a_commit_naming_a_digest_the_server_does_not_hold_is_refused(
        open_browser: Any, server: str, ward: Ward, runtime: Runtime) -> None:
    page, watch = await signed_in(open_browser, server, ward, HR, then="/import")
    csrf = await page.locator("input[name=_csrf]").first.get_attribute("value")
    before = await events_in(runtime, ward.tenant)
    for kind in ("staff", "catalogue"):
        posted = await page.request.post(f"{server}/import", multipart={
            "_csrf": csrf or "", "kind": kind, "step": "commit",
            "digest": hashlib.sha256(b"never previewed").hexdigest()})
        assert posted.status == 410, await posted.text()
        assert 'data-code="UPLOAD_EXPIRED"' in await posted.text()
        assert "Không tìm thấy tệp đã kiểm tra" in await posted.text()
    assert await events_in(runtime, ward.tenant) == before
    watch.clean()
