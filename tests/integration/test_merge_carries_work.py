"""A merge mid-month carries the open month's work to the successor: the same items, with
their report and confirmation, recorded in the successor citing their source, so the
person's breakdown there is what it was before the merge; a merge step run again after a
failure between the two logs' writes completes it without carrying anything twice."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import pytest

from domain.actor import Actor
from domain.ids import PeriodId
from domain.levels import Level
from domain.work_item import Assignment, Quality, Timeliness
from projections.runner import catch_up
from services.app.commands import AdoptPolicy, DecideRating, OpenPeriod, SubmitSelfAssessment
from services.app.reorganisation import merge_tenants
from services.app.work_commands import AssignWork, CancelWork, ConfirmWork, ReportWorkDone
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.integration.test_domain_rules import _run, _setup
from tests.support.org import StaffedTenant
from tests.support.projection import assert_rebuild_equals_live, holding

pytestmark = pytest.mark.integration
AS_OF = date(2026, 4, 15)


def _work(title: str, quantity: float = 2.0) -> Assignment:
    return Assignment("monthly", 2026, 4, date(2026, 4, 1), date(2026, 4, 20), quantity,
                      title=title, coefficient=1.5)


async def test_a_merge_mid_month_carries_the_months_work_to_the_successor(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]], staffed_tenant: StaffedTenant,
) -> None:
    first, org, one = await _setup(runtime, staffed_tenant, members=2)
    successor = await new_tenant()
    heir = runtime.service(successor)
    me, leader = org.members[0], org.leader
    boss, person = Actor(str(leader), "unit_leader"), Actor(str(me), "staff")
    confirmed, reported, assigned, cancelled = (uuid.uuid4() for _ in range(4))
    await _run(lambda: one.adopt_policy(AdoptPolicy("monthly", "vn-monthly-2026", "NĐ 335")))
    april, _ = await _run(lambda: one.open_period(OpenPeriod(org.unit, 2026, 4)))
    for item, title in ((confirmed, "Thẩm định hồ sơ"), (reported, "Trả lời đơn thư"),
                        (assigned, "Báo cáo tháng"), (cancelled, "Việc bị hủy")):
        await _run(lambda i=item, t=title: one.assign_work(  # type: ignore[misc]
            AssignWork((i,), (me,), str(leader), _work(t))), boss)
    await _run(lambda: one.cancel_work(CancelWork(cancelled, str(leader), "Không còn cần")),
               boss)
    for item in (confirmed, reported):
        await _run(lambda i=item: one.report_work_done(  # type: ignore[misc]
            ReportWorkDone(i, str(me), 2.0, date(2026, 4, 18), "Hồ sơ đã xong")), person)
    await _run(lambda: one.confirm_work(ConfirmWork(
        confirmed, str(leader), Quality.FAILS, Timeliness.LATE, quantity=1.5,
        timeliness_waived=True, waiver_reasons="Mưa bão")), boss)
    await _run(lambda: one.submit_self_assessment(SubmitSelfAssessment(PeriodId(april), me,
                                                                        90.0)), person)
    before = await _run(lambda: one.period_breakdown(me, "monthly", 2026, 4))

    # The predecessor's write fails after the successor's: the merge step is run again.
    def interrupted(*aggregates: Any) -> int:
        raise RuntimeError("mất kết nối")
    one._save = interrupted  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        await _run(lambda: merge_tenants([(first.slug, one)], successor.slug, heir,
                                         "NQ 1656/NQ-UBTVQH15", AS_OF))
    del one._save
    await _run(lambda: merge_tenants([(first.slug, one)], successor.slug, heir,
                                     "NQ 1656/NQ-UBTVQH15", AS_OF))

    after = await _run(lambda: heir.period_breakdown(me, "monthly", 2026, 4))
    assert after == before
    assert before is not None
    assert before[3].assigned_units == 9.0  # three items of 2 × 1.5: the cancelled one not
    # The successor decides from the carried work: the computed score, not the one typed.
    earned: Level = before[3].level
    await _run(lambda: heir.decide_rating(DecideRating(
        PeriodId(april), me, earned, 99.0, "Theo điểm tính", str(leader))), boss)
    decided = await _run(lambda: heir.period_breakdown(me, "monthly", 2026, 4))
    assert decided[3].score == before[3].score
    async with holding(runtime, successor) as conn:
        await catch_up(conn, successor.schema)
        rows = dict(await conn.fetch(
            f"SELECT item_id, status FROM {successor.schema}.rm_work_items WHERE staff_id = $1",
            me))
        carried = await conn.fetchval(
            f"SELECT count(*) FROM {successor.schema}.evaluations_events "
            "WHERE topic = 'domain.work_item:WorkItem.CarriedOver'")
        await assert_rebuild_equals_live(conn, successor.schema)
    assert rows == {confirmed: "confirmed", reported: "reported", assigned: "assigned"}
    assert carried == 3  # once each, the interrupted attempt notwithstanding
