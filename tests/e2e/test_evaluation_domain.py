"""Policy, staff records, proposal, opinions, quota exceptions and publication over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from services.settings import Settings
from tests.e2e.conftest import Staffing
from tests.support.gql import data, error_code, gql, nodes, token_for

pytestmark = pytest.mark.e2e

ADOPT = """mutation($reasons: String!) { adoptPolicy(cycle: MONTHLY, preset: HN_MONTHLY_2018,
  reasons: $reasons) { position } }"""
ADJUST = """mutation($input: AdjustPolicyInput!) { adjustPolicy(input: $input) { position } }"""
POLICY = """query($at: Int) { policy(cycle: MONTHLY, atLeast: $at) { version revision
  appealWindowDays quotas { level share scope outstandingShare } criteria { key maxPoints } }
  policyVersions(cycle: MONTHLY, atLeast: $at) { edges { node { revision version reasons } }
  } }"""
PROFILE = """mutation($input: StaffProfileInput!) { updateStaffProfile(input: $input) {
  position } }"""
DISCIPLINE = """mutation($input: DisciplineInput!) { recordDiscipline(input: $input) {
  position } }"""
OPEN = """mutation($unit: ID!) { openPeriod(input: {unitId: $unit, year: 2026, month: 9}) {
  id position } }"""
SELF = """mutation($period: ID!) { submitSelfAssessment(input: {periodId: $period,
  criteria: [{key: "discipline", points: 20}, {key: "bonus", points: 5}],
  tasks: [{title: "Tiếp công dân", qualityPercent: 100, onTime: true, evidence: "Sổ tiếp"}]})
  { position } }"""
PROPOSE = """mutation($input: ProposeRatingInput!) { proposeRating(input: $input) {
  id position } }"""
OPINION = """mutation($input: OpinionInput!) { attachOpinion(input: $input) { position } }"""
DECIDE = """mutation($period: ID!, $staff: ID!, $level: Level!, $reasons: String!) {
  decideRating(input: {periodId: $period, staffId: $staff, level: $level, score: 95,
  reasons: $reasons}) { id position } }"""
EXCEPTION = """mutation($period: ID!) { grantQuotaException(input: {periodId: $period,
  level: A, extra: 1, reasons: "Thành tích đột xuất tháng 9"}) { position } }"""
PUBLISH = """mutation($period: ID!) { publishPeriod(periodId: $period) { position } }"""
FILE = """query($id: ID!, $at: Int) { evaluationFile(evaluationId: $id, atLeast: $at) {
  selfScore proposedLevel strengths level authority policyVersion publishedAt
  opinions { source text satisfaction } } }"""
MINE = """query($at: Int) { myResults(atLeast: $at) {
  edges { node { level score authority policyVersion } } } }"""
QUOTA = """query($period: ID!) { quotaUse(periodId: $period) { level scope taken cap
  exceptions } }"""


async def test_a_month_with_policy_proposal_opinions_exception_and_publication(
    http: httpx.AsyncClient, settings: Settings, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=3)  # 4 people to rate: 1 A at 30%
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader")
    chair = token_for(settings, tenant.slug, org.chair, "unit_leader")
    first, second = org.members[0], org.members[1]
    staff = token_for(settings, tenant.slug, first, "staff")
    colleague = token_for(settings, tenant.slug, second, "staff")

    assert error_code(await gql(http, staff, ADOPT, {"reasons": ""})) == "FORBIDDEN"
    data(await gql(http, hr, ADOPT, {"reasons": "QĐ 3814-QĐ/TU"}))
    adjusted = data(await gql(http, hr, ADJUST, {"input": {
        "cycle": "MONTHLY", "reasons": "Tỷ lệ riêng của phường", "appealWindowDays": 7}}))
    policy = data(await gql(http, hr, POLICY, {"at": adjusted["adjustPolicy"]["position"]}))
    assert policy["policy"]["revision"] == 2
    assert policy["policy"]["appealWindowDays"] == 7
    assert [v["revision"] for v in nodes(policy["policyVersions"])] == [1, 2]
    assert error_code(await gql(http, hr, ADJUST, {"input": {
        "cycle": "MONTHLY", "reasons": "x", "goodFrom": 95}})) == "INVALID_POLICY"

    data(await gql(http, hr, PROFILE, {"input": {"staffId": str(first),
                                                 "peerGroup": "một cửa", "partyMember": True,
                                                 "partyCell": "Chi bộ 3"}}))
    assert error_code(await gql(http, hr, DISCIPLINE, {"input": {
        "staffId": str(first), "decidedOn": "2026-05-01", "form": " "}})) == "INVALID_INPUT"

    period = data(await gql(http, hr, OPEN, {"unit": str(org.unit)}))["openPeriod"]["id"]
    data(await gql(http, staff, SELF, {"period": period}))
    proposal = {"periodId": period, "staffId": str(first), "level": "A", "score": 95,
                "strengths": "Tận tụy", "shortcomings": ""}
    assert error_code(await gql(http, staff, PROPOSE, {"input": proposal})) == "FORBIDDEN"
    eid = data(await gql(http, hr, PROPOSE, {"input": proposal}))["proposeRating"]["id"]
    data(await gql(http, colleague, OPINION, {"input": {
        "periodId": period, "staffId": str(first), "source": "COLLEAGUE",
        "text": "Nhiệt tình với dân"}}))
    assert error_code(await gql(http, colleague, OPINION, {"input": {
        "periodId": period, "staffId": str(first), "source": "CITIZENS", "text": "96%",
        "satisfaction": 96}})) == "FORBIDDEN"
    data(await gql(http, hr, OPINION, {"input": {
        "periodId": period, "staffId": str(first), "source": "CITIZENS",
        "text": "Khảo sát một cửa", "satisfaction": 96}}))

    data(await gql(http, leader, DECIDE, {"period": period, "staff": str(first), "level": "A",
                                          "reasons": ""}))
    refused = await gql(http, leader, DECIDE, {"period": period, "staff": str(second),
                                               "level": "A", "reasons": "Xuất sắc"})
    assert error_code(refused) == "QUOTA_EXCEEDED"
    assert error_code(await gql(http, leader, EXCEPTION, {"period": period})) == \
        "NOT_COMPETENT_HIGHER_LEVEL"
    data(await gql(http, chair, EXCEPTION, {"period": period}))
    quota = data(await gql(http, hr, QUOTA, {"period": period}))["quotaUse"]
    assert quota == [{"level": "A", "scope": "unit", "taken": 1, "cap": 2, "exceptions": 1}]
    data(await gql(http, leader, DECIDE, {"period": period, "staff": str(second), "level": "A",
                                          "reasons": "Xuất sắc"}))

    published = data(await gql(http, hr, PUBLISH, {"period": period}))["publishPeriod"]
    at = published["position"]
    file = data(await gql(http, hr, FILE, {"id": eid, "at": at}))["evaluationFile"]
    assert file["selfScore"] == 95
    assert file["proposedLevel"] == "A"
    assert file["level"] == "A"
    assert file["authority"].startswith("Người đứng đầu")
    assert file["publishedAt"]
    assert [o["source"] for o in file["opinions"]] == ["colleague", "citizens"]
    mine = nodes(data(await gql(http, staff, MINE, {"at": at}))["myResults"])
    assert [(r["level"], r["policyVersion"]) for r in mine] == [("A", policy["policy"]["version"])]
    assert error_code(await gql(http, staff, FILE, {"id": eid})) == "FORBIDDEN"
