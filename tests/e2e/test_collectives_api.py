"""The round of collectives over real HTTP: HR opens it, the head of the unit above rates,
in order; other roles are refused and a broken order comes back with its code."""

from __future__ import annotations

import uuid

import anyio
import httpx
import pytest

from domain.actor import Actor, acting_as
from domain.ids import StaffId, UnitId
from services.app.commands import AppointLeader, RegisterStaff, RegisterUnit
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.conftest import Staffing
from tests.support.gql import data, error_code, gql, nodes, token_for

pytestmark = pytest.mark.e2e

OPEN = "mutation { openCollectiveRound(year: 2026) { id position } }"
RATE = """mutation($unit: ID!, $level: Level!, $score: Float!) { rateCollective(input: {
  unitId: $unit, year: 2026, level: $level, score: $score, reasons: "Tự kiểm điểm"}) {
  position } }"""
ROUND = """query($at: Int) { collectiveRatings(year: 2026, atLeast: $at) {
  edges { node { unitId kind rank status level levelLabel decidedBy } } } }"""


async def test_collectives_are_opened_by_hr_and_rated_in_order_by_the_level_above(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=1)
    cell, secretary = UnitId(uuid.uuid4()), StaffId(uuid.uuid4())
    service = runtime.service(tenant)

    def party_cell() -> None:
        with acting_as(Actor("test-hr", "hr_officer")):
            service.register_unit(RegisterUnit(cell, "Chi bộ Mặt trận", "party_cell", org.unit))
            service.register_staff(RegisterStaff(secretary, "Bí thư Chi bộ", "cadre", "Bí thư",
                                                 cell))
            service.appoint_leader(AppointLeader(cell, secretary))

    await anyio.to_thread.run_sync(party_cell)
    chair = token_for(settings, tenant.slug, org.chair, "unit_leader")
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader")
    staff = token_for(settings, tenant.slug, org.members[0], "staff")

    assert error_code(await gql(http, staff, OPEN)) == "FORBIDDEN"
    data(await gql(http, hr, OPEN))
    assert error_code(await gql(http, hr, OPEN)) == "PERIOD_ALREADY_OPEN"
    assert error_code(await gql(http, hr, RATE, {"unit": str(cell), "level": "B",
                                                 "score": 85})) == "FORBIDDEN"
    refused = await gql(http, chair, RATE, {"unit": str(org.unit), "level": "B", "score": 85})
    assert error_code(refused) == "ORDER_VIOLATION"
    assert "Chi bộ Mặt trận" in refused["errors"][0]["extensions"]["messageVi"]
    assert "first" in refused["errors"][0]["extensions"]["messageEn"]
    assert error_code(await gql(http, chair, RATE, {"unit": str(cell), "level": "B",
                                                    "score": 85})) == "NOT_COMPETENT_LEADER"
    data(await gql(http, leader, RATE, {"unit": str(cell), "level": "B", "score": 85}))
    rated = data(await gql(http, chair, RATE, {"unit": str(org.unit), "level": "A",
                                               "score": 93}))["rateCollective"]

    board = nodes(data(await gql(http, hr, ROUND, {"at": rated["position"]}))["collectiveRatings"])
    assert [(r["unitId"], r["rank"], r["status"], r["level"]) for r in board] == [
        (str(cell), 0, "decided", "B"), (str(org.unit), 1, "decided", "A")]
    assert board[1]["decidedBy"] == str(org.chair)
    assert error_code(await gql(http, staff, ROUND)) == "FORBIDDEN"


ADJUST = """mutation($input: AdjustPolicyInput!) { adjustPolicy(input: $input) { position } }"""
POLICY = """query($at: Int) { policy(cycle: ANNUAL, atLeast: $at) { revision collectiveOrder
  levelLabels { level label } } }"""


async def test_the_order_of_collectives_and_the_level_names_are_the_tenants_policy(
    http: httpx.AsyncClient, settings: Settings, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=1)
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader")
    change = {"cycle": "ANNUAL", "reasons": "Quy chế đánh giá của phường",
              "collectiveOrder": ["unit", "party_cell", "party_committee"],
              "levelLabels": [{"level": "A", "label": "Xuất sắc"}]}
    assert error_code(await gql(http, leader, ADJUST, {"input": change})) == "FORBIDDEN"
    assert error_code(await gql(http, hr, ADJUST, {"input": {
        **change, "collectiveOrder": ["unit", "unit"]}})) == "INVALID_POLICY"
    assert error_code(await gql(http, hr, ADJUST, {"input": {
        **change, "levelLabels": [{"level": "B", "label": "  "}]}})) == "INVALID_POLICY"
    at = data(await gql(http, hr, ADJUST, {"input": change}))["adjustPolicy"]["position"]
    policy = data(await gql(http, hr, POLICY, {"at": at}))["policy"]
    assert policy["collectiveOrder"] == ["unit", "party_cell", "party_committee"]
    labels = {x["level"]: x["label"] for x in policy["levelLabels"]}
    assert labels == {"A": "Xuất sắc", "B": "Hoàn thành tốt nhiệm vụ",
                      "C": "Hoàn thành nhiệm vụ", "D": "Không hoàn thành nhiệm vụ"}
