"""The annual round of collectives on a real log: Party organisations and units rated in the
policy's order (lower before higher), by the head of the unit above, collectives before their
members and heads last; each broken rule refused with its code and nothing written."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from domain.actor import Actor
from domain.ids import PeriodId, StaffId, UnitId
from domain.levels import Level
from projections.runner import catch_up
from services.app.commands import (
    AdjustPolicy,
    AppointLeader,
    DecideRating,
    OpenCollectiveRound,
    OpenPeriod,
    RateCollective,
    RegisterStaff,
    RegisterUnit,
)
from services.app.handlers import TenantService
from services.runtime import Runtime
from tests.integration.test_domain_rules import _refused, _run, _setup
from tests.support.org import StaffedTenant
from tests.support.projection import holding

pytestmark = pytest.mark.integration


async def _unit_with_head(service: TenantService, name: str, kind: str, parent: UnitId
                          ) -> tuple[UnitId, StaffId]:
    unit, head = UnitId(uuid.uuid4()), StaffId(uuid.uuid4())
    await _run(lambda: service.register_unit(RegisterUnit(unit, name, kind, parent)))
    await _run(lambda: service.register_staff(RegisterStaff(
        head, f"Bí thư {name}", "cadre", "Bí thư", unit)))
    await _run(lambda: service.appoint_leader(AppointLeader(unit, head)))
    return unit, head


async def test_collectives_are_rated_lower_before_higher_and_before_their_members(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org, service = await _setup(runtime, staffed_tenant, members=2)
    chair, leader = Actor(str(org.chair), "unit_leader"), Actor(str(org.leader), "unit_leader")
    # The Front (a unit) has a Party cell below it; the office sits beside the Front.
    cell, secretary = await _unit_with_head(service, "Chi bộ Mặt trận", "party_cell", org.unit)
    office, _ = await _unit_with_head(service, "Văn phòng", "office", org.root)
    await _refused(runtime, tenant, "NOT_FOUND", lambda: service.rate_collective(
        RateCollective(cell, 2026, Level.B, 85, "", str(org.leader))), leader)
    await _run(lambda: service.open_collective_round(OpenCollectiveRound(2026)))
    await _refused(runtime, tenant, "PERIOD_ALREADY_OPEN",
                   lambda: service.open_collective_round(OpenCollectiveRound(2026)))

    def rate(unit: UnitId, by: StaffId, level: Level = Level.B, score: float = 85
             ) -> Callable[[], int]:
        return lambda: service.rate_collective(RateCollective(unit, 2026, level, score,
                                                              "Tự phê bình tốt", str(by)))

    # Lower before higher: the Front waits for its Party cell, and so does the office (the
    # cell is a level lower than both).
    await _refused(runtime, tenant, "ORDER_VIOLATION", rate(org.unit, org.chair), chair)
    await _refused(runtime, tenant, "ORDER_VIOLATION", rate(office, org.chair), chair)
    # The top unit is rated above the tenant; a collective by the head of the unit above only.
    await _refused(runtime, tenant, "NOT_IN_PERIOD", rate(org.root, org.chair), chair)
    await _refused(runtime, tenant, "NOT_COMPETENT_LEADER", rate(cell, org.chair), chair)
    await _refused(runtime, tenant, "SELF_RATING", rate(cell, secretary),
                   Actor(str(secretary), "unit_leader"))
    await _refused(runtime, tenant, "LEVEL_SCORE_MISMATCH", rate(cell, org.leader, Level.A, 80),
                   leader)
    await _run(rate(cell, org.leader), leader)
    await _refused(runtime, tenant, "ALREADY_DECIDED", rate(cell, org.leader), leader)

    # Collectives before their members: the Front's people wait for the Front's rating.
    year, _ = await _run(lambda: service.open_period(OpenPeriod(org.unit, 2026, 1,
                                                                kind="annual")))
    member = DecideRating(PeriodId(year), org.members[0], Level.B, 85, "", str(org.leader))
    await _refused(runtime, tenant, "ORDER_VIOLATION", lambda: service.decide_rating(member),
                   leader)
    await _run(rate(org.unit, org.chair, Level.A, 95), chair)
    await _run(lambda: service.decide_rating(member), leader)
    await _run(rate(office, org.chair), chair)

    async with holding(runtime, tenant) as conn:
        await catch_up(conn, tenant.schema)
        rows = await conn.fetch(
            f"SELECT unit_id, rank, status, level, policy_version FROM "
            f"{tenant.schema}.rm_collective_ratings WHERE year = 2026 ORDER BY rank, unit_name")
    assert [r["rank"] for r in rows] == [0, 1, 2]  # listed in the order they are rated
    assert rows[0]["unit_id"] == cell
    assert {r["unit_id"]: (r["status"], r["level"]) for r in rows} == {
        cell: ("decided", "B"), org.unit: ("decided", "A"), office: ("decided", "B")}
    assert {r["policy_version"] for r in rows} == {"vn-annual-2026.1"}


async def test_within_a_level_the_order_of_kinds_is_the_policys(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org, service = await _setup(runtime, staffed_tenant, members=1)
    chair = Actor(str(org.chair), "unit_leader")
    # Under the People's Committee: the Front (a unit), the office, and the committee's cell.
    cell, _ = await _unit_with_head(service, "Chi bộ cơ quan", "party_cell", org.root)
    office, _ = await _unit_with_head(service, "Văn phòng", "office", org.root)

    def rate(unit: UnitId, year: int) -> Callable[[], int]:
        return lambda: service.rate_collective(RateCollective(unit, year, Level.B, 85, "",
                                                              str(org.chair)))

    # By default a Party cell comes before the units of its level …
    await _run(lambda: service.open_collective_round(OpenCollectiveRound(2026)))
    await _refused(runtime, tenant, "ORDER_VIOLATION", rate(office, 2026), chair)
    await _run(rate(cell, 2026), chair)
    await _run(rate(office, 2026), chair)
    # … and a tenant whose policy rates its units first gets that order from then on.
    await _run(lambda: service.adjust_policy(AdjustPolicy(
        "annual", {"collective_order": ["unit", "party_cell", "party_committee"]},
        "Thứ tự xếp loại tập thể của phường")))
    await _run(lambda: service.open_collective_round(OpenCollectiveRound(2027)))
    await _refused(runtime, tenant, "ORDER_VIOLATION", rate(cell, 2027), chair)
    await _run(rate(office, 2027), chair)
    await _run(rate(org.unit, 2027), chair)
    await _run(rate(cell, 2027), chair)
