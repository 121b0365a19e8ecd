"""Commendation proposals over real HTTP: HR proposes whoever meets the rules (A in every
month of a quarter), the head approves or returns, and the list equals a recount from the
event log (issue 20)."""

from __future__ import annotations

import io
from typing import Any

import httpx
import openpyxl
import pypdf
import pytest

from projections.codec import decode
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.conftest import Staffing
from tests.e2e.months import decided_month
from tests.support.gql import data, error_code, gql, token_for
from tests.support.operations import operation

pytestmark = pytest.mark.e2e

CANDIDATES = operation("CommendationCandidates")
PROPOSALS = operation("CommendationProposals")
PROPOSE = operation("ProposeCommendations")
DECIDE = operation("DecideCommendation")


async def _recount(runtime: Runtime, tenant: Tenant) -> dict[str, str]:
    """Nominee → status, folded straight from the stored events."""
    rows = await runtime.pool_of(tenant).fetch(
        f"SELECT notification_id, originator_id, originator_version, topic, state "
        f"FROM {tenant.schema}.evaluations_events WHERE topic LIKE 'domain.commendation:%' "
        "ORDER BY notification_id")
    nominee: dict[str, str] = {}
    status: dict[str, str] = {}
    for row in rows:
        e: Any = decode(row)
        kind = row["topic"].rpartition(".")[2]
        if kind == "Proposed":
            nominee[str(e.originator_id)] = str(e.staff_id)
            status[str(e.staff_id)] = "proposed"
        else:
            status[nominee[str(e.originator_id)]] = kind.lower()
    return status


async def _listed(http: httpx.AsyncClient, token: str, q: dict[str, int], at: int
                  ) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = data(await gql(http, token, PROPOSALS, {**q, "at": at}))[
        "commendationProposals"]["proposals"]
    return found


async def test_a_quarter_of_a_is_proposed_approved_and_equals_the_log(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=7)
    # Member 0: A, A, A → meets the rule; member 1: A, A, B → does not.
    for month, levels in ((4, "AABBCBB"), (5, "AABCBBB"), (6, "ABBBBBB")):
        at = await decided_month(http, settings, tenant, org, month, levels)
    q2 = {"year": 2026, "quarter": 2}
    found = data(await gql(http, hr, CANDIDATES, {**q2, "at": at}))[
        "commendationCandidates"]["nominees"]
    assert [c["nomineeId"] for c in found] == [str(org.members[0])]
    assert found[0]["evidence"] == ["2026-04: A", "2026-05: A", "2026-06: A"]

    proposed = data(await gql(http, hr, PROPOSE, {**q2, "reasons": "Ba tháng liền xuất sắc"}))
    again = data(await gql(http, hr, PROPOSE, q2))  # nothing more to propose
    assert again["proposeCommendations"]["position"] == 0
    listed = await _listed(http, hr, q2, proposed["proposeCommendations"]["position"])
    assert [(p["nomineeId"], p["status"], p["name"]) for p in listed] == [
        (str(org.members[0]), "proposed", "Lê Văn Thành Viên 00")]

    # The proposer may not approve their own proposal; the head does.
    own = token_for(settings, tenant.slug, org.hr, "unit_leader")
    assert error_code(await gql(http, own, DECIDE, {"id": listed[0]["id"], "approve": True})
                      ) == "SELF_APPROVAL"
    head = token_for(settings, tenant.slug, org.chair, "unit_leader")
    decided = data(await gql(http, head, DECIDE, {"id": listed[0]["id"], "approve": True,
                                                  "reasons": "Đồng ý"}))
    assert error_code(await gql(http, head, DECIDE, {"id": listed[0]["id"], "approve": False})
                      ) == "ALREADY_DECIDED"
    assert error_code(await gql(http, hr, DECIDE, {"id": listed[0]["id"], "approve": True})
                      ) == "FORBIDDEN"
    listed = await _listed(http, hr, q2, decided["decideCommendation"]["position"])
    assert {p["nomineeId"]: p["status"] for p in listed} == await _recount(runtime, tenant)
    assert listed[0]["status"] == "approved"
    assert listed[0]["decidedReasons"] == "Đồng ý"

    # The proposal list, printed: the nominee and the head's decision, diacritics intact.
    pdf = await http.get("/reports/commendations.pdf", params=q2,
                         headers={"Authorization": f"Bearer {hr}"})
    assert pdf.status_code == 200, pdf.text
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Lê Văn Thành Viên 00" in text
    assert "Đã phê duyệt" in text
    xlsx = await http.get("/reports/commendations.xlsx", params=q2,
                          headers={"Authorization": f"Bearer {hr}"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Lê Văn Thành Viên 00" in cells
    assert "Đã phê duyệt" in cells
