"""What a new user tries in their first hour answers as a person would expect: aliases are
ordinary GraphQL, every refusal speaks both languages, and input no one would mean is
refused with nothing written."""

from __future__ import annotations

import httpx
import pytest

from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.conftest import Staffing, events_in
from tests.support.auditors import granted_auditor
from tests.support.gql import data, gql, token_for
from tests.support.operations import operation

pytestmark = pytest.mark.e2e


async def test_aliased_root_fields_answer_under_their_alias(
    http: httpx.AsyncClient, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=1)
    body = data(await gql(http, hr, "{ x: me { tenantName } }"))
    assert body["x"]["tenantName"] == tenant.name
    months = data(await gql(http, hr, """query($u: ID!) {
      jan: unitRatings(unitId: $u, year: 2026, month: 1) { totalCount }
      feb: unitRatings(unitId: $u, year: 2026, month: 2) { totalCount }
      ...More }
      fragment More on Query { mar: unitRatings(unitId: $u, year: 2026, month: 3) {
        totalCount } }""", {"u": str(org.unit)}))
    assert {k: v["totalCount"] for k, v in months.items()} == {"jan": 0, "feb": 0, "mar": 0}


@pytest.mark.parametrize(("document", "code"), [
    ("{ me { nope } }", "GRAPHQL_VALIDATION_FAILED"),
    ("{ me { " + "userId " * 3000 + "} }", "TOKEN_LIMIT"),
    ("{ me { userId ", "GRAPHQL_PARSE_FAILED"),
])
async def test_validation_and_limit_errors_speak_vietnamese_and_english(
    settings: Settings, http: httpx.AsyncClient, document: str, code: str,
) -> None:
    token = token_for(settings, "no-matter", "someone", "hr_officer")
    error = (await gql(http, token, document))["errors"][0]
    ext = error["extensions"]
    assert ext["code"] == code
    assert ext["messageVi"] == error["message"]
    assert ext["messageEn"]
    assert ext["messageVi"] != ext["messageEn"]


@pytest.mark.parametrize("blank", [{"fullName": "   "}, {"position": ""}])
async def test_a_person_without_a_name_or_position_is_not_registered(
    runtime: Runtime, http: httpx.AsyncClient, staffed: Staffing, blank: dict[str, str],
) -> None:
    tenant, org, hr = await staffed(members=1)
    before = await events_in(runtime, tenant)
    person = {"fullName": "Nguyễn Văn An", "position": "Chuyên viên", **blank}
    body = await gql(http, hr,
                     "mutation($n: String!, $p: String!, $u: ID!) { registerStaff(input: "
                     "{fullName: $n, position: $p, staffType: CIVIL_SERVANT, unitId: $u}) "
                     "{ id } }", {"n": person["fullName"], "p": person["position"],
                                  "u": str(org.unit)})
    ext = body["errors"][0]["extensions"]
    assert ext["code"] == "TEXT_REQUIRED"
    assert ext["field"] == next(iter(blank))
    assert await events_in(runtime, tenant) == before


async def test_a_month_seventy_years_ahead_is_not_opened(
    runtime: Runtime, http: httpx.AsyncClient, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=1)
    before = await events_in(runtime, tenant)
    body = await gql(http, hr, operation("OpenPeriod"), {"unit": str(org.unit), "year": 2099,
                                                         "month": 5})
    ext = body["errors"][0]["extensions"]
    assert ext["code"] == "INVALID_INPUT"
    assert "2099" in ext["messageVi"]
    assert await events_in(runtime, tenant) == before


@pytest.mark.parametrize("as_of", ["999999999", "99999999999999999999"])
async def test_a_position_after_the_head_of_the_log_is_refused(
    settings: Settings, runtime: Runtime, http: httpx.AsyncClient, as_of: str, staffed: Staffing,
) -> None:
    tenant, org, _ = await staffed(members=1)
    _user, token = await granted_auditor(runtime, settings, tenant)
    body = await gql(http, token, operation("AuditUnitBoardAsOf"), {
        "unit": str(org.unit), "year": 2026, "month": 4, "asOf": as_of})
    assert body["errors"][0]["extensions"]["code"] == "POSITION_OUT_OF_RANGE"
    aggregate = await gql(http, token, "query($id: ID!, $at: String!) { "
                          "auditAggregateAsOf(id: $id, asOf: $at) }",
                          {"id": str(org.unit), "at": as_of})
    assert aggregate["errors"][0]["extensions"]["code"] == "POSITION_OUT_OF_RANGE"
