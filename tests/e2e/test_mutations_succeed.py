"""Mutations that no other test saw succeed over HTTP: each one, called by the role that may,
is accepted and changes what the read models show."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest

from domain.evaluation import OFFICIAL
from domain.ids import PeriodId, StaffId, evaluation_id_for
from projections.runner import tracked_position
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.conftest import Staffing
from tests.support.gql import data, gql, nodes, token_for
from tests.support.operations import operation

pytestmark = pytest.mark.e2e

OPEN = """mutation($unit: ID!, $month: Int!, $kind: PeriodKind!) { openPeriod(input:
  {unitId: $unit, year: 2026, month: $month, kind: $kind}) { id position } }"""
DECIDE = operation("DecideRating")
FILE = """query($id: ID!, $at: Int) { evaluationFile(evaluationId: $id, atLeast: $at) {
  staffId proposedLevel proposedScore proposedBy level score authority } }"""


async def _projected(runtime: Runtime, tenant: Tenant, position: int) -> asyncpg.Pool:
    """Wait (bounded) until the served app's projector has applied ``position``."""
    for _ in range(300):
        async with runtime.pool.acquire() as conn:
            if await tracked_position(conn, tenant.schema) >= position:
                return runtime.pool
        await asyncio.sleep(0.05)
    raise AssertionError(f"position {position} was never projected")


def _write(body: dict[str, Any], field: str) -> dict[str, Any]:
    result: dict[str, Any] = data(body)[field]
    assert result["position"] > 0, body
    return result


async def test_an_absence_is_recorded_and_shows_on_the_staff_record(
    http: httpx.AsyncClient, runtime: Runtime, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=1)
    staff = org.members[0]
    written = _write(await gql(http, hr, """mutation($s: ID!) { recordAbsence(input:
        {staffId: $s, start: "2026-03-02", end: "2026-03-20", maternity: false,
         reason: "Nghỉ ốm dài ngày"}) { id position } }""", {"s": str(staff)}), "recordAbsence")
    assert written["id"] == str(staff)
    pool = await _projected(runtime, tenant, written["position"])
    rows = await pool.fetch(f"SELECT staff_id, kind, starts_on::text, ends_on::text, detail, "
                            f"recorded_by FROM {tenant.schema}.rm_staff_records")
    assert [tuple(r) for r in rows] == [(staff, "absence", "2026-03-02", "2026-03-20",
                                         "Nghỉ ốm dài ngày", str(org.hr))]


async def test_a_unit_is_flagged_outstanding_for_a_year(
    http: httpx.AsyncClient, runtime: Runtime, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=1)
    written = _write(await gql(http, hr, """mutation($u: ID!) { flagOutstandingUnit(unitId: $u,
        year: 2026, reasons: "Dẫn đầu phong trào thi đua") { id position } }""",
        {"u": str(org.unit)}), "flagOutstandingUnit")
    assert written["id"] == str(org.unit)
    pool = await _projected(runtime, tenant, written["position"])
    rows = await pool.fetch(f"SELECT unit_id, year, outstanding, reasons "
                            f"FROM {tenant.schema}.rm_unit_flags")
    assert [tuple(r) for r in rows] == [(org.unit, 2026, True, "Dẫn đầu phong trào thi đua")]


async def test_a_member_is_transferred_and_listed_in_the_new_unit_only(
    http: httpx.AsyncClient, runtime: Runtime, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=2)
    moving = org.members[0]
    written = _write(await gql(http, hr, """mutation($s: ID!, $u: ID!) { transferStaff(
        staffId: $s, toUnitId: $u, reasons: "Điều động theo quyết định 15/QĐ-UBND")
        { id position } }""", {"s": str(moving), "u": str(org.root)}), "transferStaff")
    staff_of = """query($u: ID!, $at: Int) { unitStaff(unitId: $u, first: 50, atLeast: $at)
        { edges { node { id } } } }"""

    async def members(unit: object) -> set[str]:
        body = await gql(http, hr, staff_of, {"u": str(unit), "at": written["position"]})
        return {n["id"] for n in nodes(data(body)["unitStaff"])}

    assert str(moving) in await members(org.root)
    assert str(moving) not in await members(org.unit)
    assert str(org.members[1]) in await members(org.unit)
    pool = await _projected(runtime, tenant, written["position"])
    rows = await pool.fetch(f"SELECT staff_id, from_unit, to_unit, reasons "
                            f"FROM {tenant.schema}.rm_transfers")
    assert [tuple(r) for r in rows] == [(moving, org.unit, org.root,
                                         "Điều động theo quyết định 15/QĐ-UBND")]


async def test_a_quarter_is_proposed_from_the_decided_months(
    http: httpx.AsyncClient, settings: Settings, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=3)  # four rated: room for one A under the 30% cap
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader", "staff")
    staff = org.members[0]
    for month, level, score in ((1, "A", 95.0), (2, "B", 85.0), (3, "B", 80.0)):
        period = _write(await gql(http, hr, OPEN, {"unit": str(org.unit), "month": month,
                                                   "kind": "MONTHLY"}), "openPeriod")
        _write(await gql(http, leader, DECIDE, {"period": period["id"], "staff": str(staff),
                                                "level": level, "score": score,
                                                "reasons": "Theo kết quả tháng"}), "decideRating")
    quarter = _write(await gql(http, hr, OPEN, {"unit": str(org.unit), "month": 1,
                                                "kind": "QUARTERLY"}), "openPeriod")
    written = _write(await gql(http, hr, "mutation($p: ID!) { proposeRollups(periodId: $p) "
                                         "{ id position } }", {"p": quarter["id"]}),
                     "proposeRollups")
    evaluation = evaluation_id_for(PeriodId(quarter["id"]), StaffId(staff), OFFICIAL)
    file = data(await gql(http, hr, FILE, {"id": str(evaluation),
                                           "at": written["position"]}))["evaluationFile"]
    # Mean of 95, 85 and 80 → 86.67, "good" under the default policy; not yet decided.
    assert (file["proposedLevel"], file["proposedScore"], file["level"]) == ("B", 86.67, None)
    assert file["proposedBy"] == str(org.hr)


async def test_a_party_rating_is_decided_after_the_official_one(
    http: httpx.AsyncClient, settings: Settings, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=1)
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader", "staff")
    member = org.members[0]
    _write(await gql(http, hr, """mutation($s: ID!) { updateStaffProfile(input: {staffId: $s,
        partyMember: true, partyCell: "Chi bộ MTTQ", startDate: "2010-01-01"})
        { id position } }""", {"s": str(member)}), "updateStaffProfile")
    year = _write(await gql(http, hr, OPEN, {"unit": str(org.unit), "month": 1,
                                             "kind": "ANNUAL"}), "openPeriod")
    _write(await gql(http, leader, DECIDE, {"period": year["id"], "staff": str(member),
                                            "level": "B", "score": 85.0,
                                            "reasons": "Hoàn thành tốt nhiệm vụ"}),
           "decideRating")
    written = _write(await gql(http, leader, """mutation($p: ID!, $s: ID!) { decidePartyRating(
        input: {periodId: $p, staffId: $s, level: B, score: 85,
        reasons: "Đảng viên hoàn thành tốt nhiệm vụ", authority: "Chi bộ MTTQ"})
        { id position } }""",
        {"p": year["id"], "s": str(member)}), "decidePartyRating")
    file = data(await gql(http, hr, FILE, {"id": written["id"],
                                           "at": written["position"]}))["evaluationFile"]
    assert (file["staffId"], file["level"], file["score"], file["authority"]) == (
        str(member), "B", 85.0, "Chi bộ MTTQ")
    # The official rating is its own record, unchanged by the party one.
    official = evaluation_id_for(PeriodId(year["id"]), StaffId(member), OFFICIAL)
    assert written["id"] != str(official)
