"""Quarterly tracking (Decree 335/2025: "hằng tháng hoặc quý", the agency chooses): work
assigned for a quarter, decided on the score computed from it, and the decided quarter
rolled up to the annual proposal by the existing roll-up machinery; the read models
rebuilt from the log equal the live ones."""

from __future__ import annotations

import uuid
from datetime import date

import anyio
import pytest

from domain.actor import Actor, acting_as
from domain.evaluation import Evaluation
from domain.ids import PeriodId
from domain.levels import Level
from domain.work_item import Assignment, Quality, Timeliness
from projections.runner import catch_up
from services.app import loading
from services.app.commands import (
    AdoptPolicy,
    DecideRating,
    OpenPeriod,
    ProposeRollups,
    SubmitSelfAssessment,
)
from services.app.work_commands import AssignWork, ConfirmWork, ReportWorkDone
from services.runtime import Runtime
from tests.support.org import StaffedTenant
from tests.support.projection import assert_rebuild_equals_live, holding

pytestmark = pytest.mark.integration


async def test_a_quarter_decided_from_work_rolls_up_to_the_year(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=2)
    service = runtime.service(tenant)
    me, leader = org.members[0], org.leader
    item = uuid.uuid4()

    def quarter() -> tuple[float | None, float | None]:
        with acting_as(Actor(str(org.hr), "hr_officer")):
            service.adopt_policy(AdoptPolicy("quarterly", "vn-quarterly-2026", "NĐ 335/2025"))
            period, _ = service.open_period(OpenPeriod(org.unit, 2026, 1, kind="quarterly"))
        with acting_as(Actor(str(leader), "unit_leader")):
            service.assign_work(AssignWork((item,), (me,), str(leader), Assignment(
                "quarterly", 2026, 1, date(2026, 1, 5), date(2026, 3, 20), 3.0,
                title="Rà soát thủ tục hành chính quý I", coefficient=1.5)))
        with acting_as(Actor(str(me), "staff")):
            service.report_work_done(ReportWorkDone(item, str(me), 3.0, date(2026, 3, 18)))
            service.submit_self_assessment(SubmitSelfAssessment(PeriodId(period), me, 90.0))
        with acting_as(Actor(str(leader), "unit_leader")):
            service.confirm_work(ConfirmWork(item, str(leader), Quality.MEETS,
                                             Timeliness.ON_TIME))
            # All the quarter's work done, on time, meeting requirements: 70 + 27 = 97 (A).
            service.decide_rating(DecideRating(PeriodId(period), me, Level.A, 50.0, "",
                                               str(leader)))
        decided = loading.evaluation(service, loading.period(service, period), me)
        with acting_as(Actor(str(org.hr), "hr_officer")):
            annual, _ = service.open_period(OpenPeriod(org.unit, 2026, 1, kind="annual"))
            service.propose_rollups(ProposeRollups(PeriodId(annual), str(org.hr)))
        proposed: Evaluation = loading.evaluation(service, loading.period(service, annual), me)
        return decided.score, proposed.proposed_score

    decided, proposed = await anyio.to_thread.run_sync(quarter)
    assert decided == 97.0  # the computed score, not the 50 typed
    assert proposed == 97.0  # the year's proposal from the decided quarter
    async with holding(runtime, tenant) as conn:
        await catch_up(conn, tenant.schema)
        row = await conn.fetchrow(
            f"SELECT s.score, s.earned_level, r.kind FROM {tenant.schema}.rm_work_scores s "
            f"JOIN {tenant.schema}.rm_ratings r USING (evaluation_id)")
        await assert_rebuild_equals_live(conn, tenant.schema)
    assert (row["score"], row["earned_level"], row["kind"]) == (97.0, "A", "quarterly")
