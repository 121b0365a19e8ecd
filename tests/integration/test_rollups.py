"""Roll-ups, the Party-member rating, heads last, and transfers on a real log."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from domain.actor import Actor
from domain.evaluation import OFFICIAL, Evaluation
from domain.ids import PeriodId, StaffId, UnitId, evaluation_id_for
from domain.levels import Level
from services.app.commands import (
    AdjustPolicy,
    AppointLeader,
    DecidePartyRating,
    DecideRating,
    OpenPeriod,
    ProposeRollups,
    RegisterStaff,
    RegisterUnit,
    TransferStaff,
    UpdateStaffProfile,
)
from services.runtime import Runtime
from tests.integration.test_domain_rules import _refused, _run, _setup
from tests.support.org import Org, StaffedTenant

pytestmark = pytest.mark.integration

MONTHS = [(1, Level.A, 95.0), (2, Level.B, 85.0), (3, Level.B, 80.0)]


async def _rate_months(service: object, org: Org, unit: UnitId, leader: StaffId,
                       staff: StaffId, months: list[tuple[int, Level, float]]) -> None:
    for month, level, score in months:
        pid, _ = await _run(lambda m=month: service.open_period(  # type: ignore[attr-defined]
            OpenPeriod(unit, 2026, m)))
        await _run(lambda p=pid, lv=level, sc=score: service.decide_rating(  # type: ignore[attr-defined]
            DecideRating(PeriodId(p), staff, lv, sc, "", str(leader))),
            Actor(str(leader), "unit_leader"))


def _proposal(service: object, period: uuid.UUID, staff: StaffId) -> tuple[str | None, float]:
    evaluation = service.app.repository.get(  # type: ignore[attr-defined]
        evaluation_id_for(PeriodId(period), staff, OFFICIAL))
    assert isinstance(evaluation, Evaluation)
    events = [e for e in service.app.events.get(evaluation.id)  # type: ignore[attr-defined]
              if type(e).__name__ == "Proposed"]
    return evaluation.proposed_level, float(events[-1].score) if events else -1.0


async def test_a_quarter_is_proposed_from_the_months_and_decided_with_reasons_to_depart(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org, service = await _setup(runtime, staffed_tenant, members=3)
    staff = org.members[0]
    await _rate_months(service, org, org.unit, org.leader, staff, MONTHS)
    q1, _ = await _run(lambda: service.open_period(OpenPeriod(org.unit, 2026, 1,
                                                              kind="quarterly")))
    await _run(lambda: service.propose_rollups(ProposeRollups(PeriodId(q1), "hr")))
    assert _proposal(service, q1, staff) == ("B", 86.67)  # mean score 86.67 → good
    await _refused(runtime, tenant, "REASONS_REQUIRED", lambda: service.decide_rating(
        DecideRating(PeriodId(q1), staff, Level.C, 86.67, "", str(org.leader))),
        Actor(str(org.leader), "unit_leader"))


async def test_the_roll_up_method_is_policy(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    _tenant, org, service = await _setup(runtime, staffed_tenant, members=3)
    await _run(lambda: service.adjust_policy(AdjustPolicy(
        "quarterly", {"rollup_method": "lowest_level"}, "Lấy mức thấp nhất")))
    await _rate_months(service, org, org.unit, org.leader, org.members[0], MONTHS)
    q1, _ = await _run(lambda: service.open_period(OpenPeriod(org.unit, 2026, 1,
                                                              kind="quarterly")))
    await _run(lambda: service.propose_rollups(ProposeRollups(PeriodId(q1), "hr")))
    assert _proposal(service, q1, org.members[0])[0] == "B"


async def test_the_receiving_unit_rolls_up_the_months_rated_in_the_sending_unit(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    _tenant, org, service = await _setup(runtime, staffed_tenant, members=3)
    other, head = UnitId(uuid.uuid4()), StaffId(uuid.uuid4())
    await _run(lambda: service.register_unit(RegisterUnit(other, "Hội LHPN", "womens_union",
                                                          org.root)))
    await _run(lambda: service.register_staff(RegisterStaff(head, "Đỗ Thu Hà", "cadre",
                                                            "Chủ tịch Hội", other)))
    await _run(lambda: service.appoint_leader(AppointLeader(other, head)))
    staff = org.members[0]
    await _rate_months(service, org, org.unit, org.leader, staff, MONTHS[:1])
    await _run(lambda: service.transfer_staff(TransferStaff(staff, other, "Điều động")))
    await _rate_months(service, org, other, head, staff, MONTHS[1:])
    q1, _ = await _run(lambda: service.open_period(OpenPeriod(other, 2026, 1,
                                                              kind="quarterly")))
    await _run(lambda: service.propose_rollups(ProposeRollups(PeriodId(q1), "hr")))
    assert _proposal(service, q1, staff) == ("B", 86.67)


async def test_party_rating_follows_the_official_one_and_heads_are_rated_last(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org, service = await _setup(runtime, staffed_tenant, members=2)
    member, chair = org.members[0], Actor(str(org.chair), "unit_leader")
    leader = Actor(str(org.leader), "unit_leader")
    await _run(lambda: service.update_staff_profile(UpdateStaffProfile(
        member, party_member=True, party_cell="Chi bộ MTTQ", start_date=date(2010, 1, 1))))
    year, _ = await _run(lambda: service.open_period(OpenPeriod(org.unit, 2026, 1,
                                                                kind="annual")))

    def party(level: Level, score: float) -> DecidePartyRating:
        return DecidePartyRating(PeriodId(year), member, level, score, "", str(org.leader))

    await _refused(runtime, tenant, "NOT_DECIDED",
                   lambda: service.decide_party_rating(party(Level.B, 85)), leader)
    await _refused(runtime, tenant, "ORDER_VIOLATION", lambda: service.decide_rating(
        DecideRating(PeriodId(year), org.leader, Level.B, 85, "", str(org.chair))), chair)
    for staff in org.members:
        await _run(lambda s=staff: service.decide_rating(DecideRating(
            PeriodId(year), s, Level.B, 85, "", str(org.leader))), leader)
    await _refused(runtime, tenant, "PARTY_ABOVE_OFFICIAL",
                   lambda: service.decide_party_rating(party(Level.A, 95)), leader)
    await _run(lambda: service.decide_party_rating(party(Level.B, 85)), leader)
    await _run(lambda: service.decide_rating(DecideRating(
        PeriodId(year), org.leader, Level.B, 85, "", str(org.chair))), chair)
