"""The month's list printed from the web app, as the leader and the HR officer find it: a
link on the board and on the periods page gives the PDF and the xlsx of the board on the
screen, for the signed-in person's session (the same permissions as ``/reports``); a staff
member is refused and a signed-out browser is sent to sign in."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pypdf
import pytest

from services.demo.tenants import demo_id
from tests.web.conftest import Ward, shoot, signed_in
from tests.web.test_month_in_browser import HR, MEMBER, MTTQ_HEAD

pytestmark = pytest.mark.e2e


async def test_the_leader_and_hr_print_the_months_list_from_their_pages(
        open_browser: Any, server: str, ward: Ward) -> None:
    unit = str(demo_id(ward.slug, "unit", "mttq"))
    leader, watch = await signed_in(open_browser, server, ward, MTTQ_HEAD, then=f"/board/{unit}")
    names = [n.strip() for n in await leader.locator("ol.lines li.line h3").all_inner_texts()]
    assert names
    await shoot(leader, "board-print-links")
    pdf = await leader.request.get(f"{server}{await leader.get_attribute('#print-pdf', 'href')}")
    assert pdf.status == 200, await pdf.text()
    assert pdf.headers["content-type"] == "application/pdf"
    assert int(pdf.headers["x-log-position"]) > 0
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(await pdf.body())).pages)
    assert all(name in text for name in names), (names, text)
    watch.clean()

    hr, watch = await signed_in(open_browser, server, ward, HR, then="/periods")
    href = await hr.get_attribute(f"#print-{unit}-xlsx", "href")
    sheet = await hr.request.get(f"{server}{href}")
    assert sheet.status == 200, await sheet.text()
    book = openpyxl.load_workbook(io.BytesIO(await sheet.body()))
    cells = {c for row in book.worksheets[0].iter_rows(values_only=True) for c in row}
    assert set(names) <= cells
    watch.clean()


async def test_a_staff_member_cannot_print_the_units_list_and_nobody_signed_out_can(
        open_browser: Any, server: str, ward: Ward) -> None:
    unit = str(demo_id(ward.slug, "unit", "mttq"))
    path = f"/print/unit-month.pdf?unit={unit}&year=2026&month=1"
    member, watch = await signed_in(open_browser, server, ward, MEMBER)
    refused = await member.request.get(f"{server}{path}")
    assert refused.status == 403
    assert (await refused.json())["error"]["code"] == "FORBIDDEN"
    _, anonymous, _ = await open_browser()
    away = await anonymous.request.get(f"{server}{path}", max_redirects=0)
    assert away.status == 303
    assert away.headers["location"].startswith("/login")
    watch.clean()
