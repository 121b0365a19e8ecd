"""The annual self-assessment form lists the criteria of the tenant's annual policy, with
their maximum points, in the PDF's own text (issue 20): the national ones by default, the
tenant's own wording once it adjusts them."""

from __future__ import annotations

import asyncio
import io

import httpx
import pypdf
import pytest

from tests.e2e.conftest import Staffing
from tests.e2e.test_evaluation_domain import ADJUST
from tests.support.gql import data, gql

pytestmark = pytest.mark.e2e

ADOPT_ANNUAL = """mutation { adoptPolicy(cycle: ANNUAL, preset: VN_ANNUAL_2026,
  reasons: "Nghị định 335/2025") { position } }"""


async def _form_text(http: httpx.AsyncClient, token: str, staff: str) -> str:
    for _ in range(100):  # the person's row reaches the read model just after registering
        pdf = await http.get("/reports/self-assessment.pdf",
                             params={"staff": staff, "year": 2026},
                             headers={"Authorization": f"Bearer {token}"})
        if pdf.status_code != 404:
            break
        await asyncio.sleep(0.05)
    assert pdf.status_code == 200, pdf.text
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    return " ".join(text.split())  # a long criterion wraps inside its cell


async def test_the_form_names_the_criteria_of_the_tenants_annual_policy(
    http: httpx.AsyncClient, staffed: Staffing,
) -> None:
    _tenant, org, hr = await staffed(members=1)
    staff = str(org.members[0])

    text = await _form_text(http, hr, staff)
    assert "Tiêu chí chung (chính trị, đạo đức, tác phong, kỷ luật)" in text, text
    assert "Kết quả thực hiện nhiệm vụ 70" in text, text

    data(await gql(http, hr, ADOPT_ANNUAL))
    at = data(await gql(http, hr, ADJUST, {"input": {
        "cycle": "ANNUAL", "reasons": "Tiêu chí riêng của phường", "criteria": [
            {"key": "general", "label": "Phẩm chất chính trị và kỷ cương công vụ",
             "maxPoints": 40},
            {"key": "results", "label": "Kết quả phục vụ người dân", "maxPoints": 60}]}}))
    assert at["adjustPolicy"]["position"] > 0
    for _ in range(50):  # the policies read model catches up with the adjustment
        text = await _form_text(http, hr, staff)
        if "Phẩm chất chính trị" in text:
            break
        await asyncio.sleep(0.1)
    assert "Phẩm chất chính trị và kỷ cương công vụ 40" in text, text
    assert "Kết quả phục vụ người dân 60" in text, text
    assert "Tiêu chí chung (chính trị" not in text
