"""A unit's board decided in one act: every line checked like a single decision, the quota
counted over the whole board, and either the whole board is recorded or nothing is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.actor import Actor, acting_as
from domain.errors import DomainError
from domain.ids import PeriodId, StaffId
from domain.levels import Level
from services.app.commands import DecideRatings, RatingDecision
from services.app.handlers import TenantService
from services.runtime import Runtime
from tests.support.org import Org, StaffedTenant, month_open
from tests.support.readmodels import event_count

pytestmark = pytest.mark.integration

HR = Actor("hr", "hr_officer")
SCORE = {Level.A: 95.0, Level.B: 80.0, Level.C: 60.0, Level.D: 40.0}


async def _run(fn: Callable[[], Any], actor: Actor = HR) -> Any:
    def call() -> Any:
        with acting_as(actor):
            return fn()
    return await anyio.to_thread.run_sync(call)


def _board(org: Org, period: object, levels: list[Level],
           decider: StaffId | None = None, staff: list[StaffId] | None = None) -> DecideRatings:
    people = staff if staff is not None else org.members
    return DecideRatings(PeriodId(period), tuple(  # type: ignore[arg-type]
        RatingDecision(person, level, SCORE[level]) for person, level in zip(people, levels,
                                                                             strict=False)),
        str(decider or org.leader))


def _decided(service: TenantService, period: object) -> dict[str, str]:
    found = service.find_period(period)  # type: ignore[arg-type]
    assert found is not None
    return dict(found.decisions)


async def test_a_whole_board_is_recorded_in_one_act(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org, service, period = await month_open(runtime, staffed_tenant, 9, 5)
    levels = [Level.A, Level.A, Level.A, *[Level.B] * 5, Level.C]  # 3 A of 10: the cap
    leader = Actor(str(org.leader), "unit_leader")
    async with runtime.pool.acquire() as conn:
        before = await event_count(conn, tenant.schema)
    position = await _run(lambda: service.decide_ratings(_board(org, period, levels)), leader)
    async with runtime.pool.acquire() as conn:
        after = await event_count(conn, tenant.schema)
        transactions = await conn.fetchval(
            f"SELECT count(DISTINCT xmin::text) FROM {tenant.schema}.evaluations_events "
            "WHERE notification_id > $1", position - (after - before))
    assert position > 0
    assert _decided(service, period) == {str(m): lv.value for m, lv in zip(org.members, levels,
                                                                           strict=True)}
    # A decision per person and the period's register of each: one transaction for all.
    assert after - before == 2 * len(levels)
    assert transactions == 1


async def test_a_board_over_the_quota_names_the_line_and_writes_nothing(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org, service, period = await month_open(runtime, staffed_tenant, 9, 5)
    levels = [Level.B, Level.A, Level.A, Level.A, Level.A, Level.B]  # the 4th A is line 5
    leader = Actor(str(org.leader), "unit_leader")
    async with runtime.pool.acquire() as conn:
        before = await event_count(conn, tenant.schema)
    with pytest.raises(DomainError) as refused:
        await _run(lambda: service.decide_ratings(_board(org, period, levels)), leader)
    assert refused.value.code == "QUOTA_EXCEEDED"
    assert refused.value.details == {"line": 5, "staffId": str(org.members[4])}
    assert refused.value.message_vi.startswith("Dòng 5 (Lê Văn Thành Viên 04): ")
    assert refused.value.message_en.startswith("Line 5 (Lê Văn Thành Viên 04): ")
    async with runtime.pool.acquire() as conn:
        assert await event_count(conn, tenant.schema) == before
    assert _decided(service, period) == {}


async def test_each_board_rule_broken_is_refused_with_the_log_untouched(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org, service, period = await month_open(runtime, staffed_tenant, 3, 6)
    leader = Actor(str(org.leader), "unit_leader")
    cases: list[tuple[str, DecideRatings, int | None]] = [
        # The leader cannot put themselves on their own board …
        ("SELF_RATING", _board(org, period, [Level.B] * 2,
                               staff=[org.members[0], org.leader]), 2),
        # … a member of another unit's board cannot decide here …
        ("NOT_COMPETENT_LEADER", _board(org, period, [Level.B], decider=org.members[1]), 1),
        ("INVALID_INPUT", _board(org, period, [Level.B, Level.B],
                                 staff=[org.members[0], org.members[0]]), None),
        ("INVALID_INPUT", _board(org, period, []), None),
        # … and a score outside the level's band is refused on its line.
        ("LEVEL_SCORE_MISMATCH", DecideRatings(PeriodId(period), (
            RatingDecision(org.members[0], Level.B, 80.0),
            RatingDecision(org.members[1], Level.A, 50.0)), str(org.leader)), 2),
    ]
    async with runtime.pool.acquire() as conn:
        before = await event_count(conn, tenant.schema)
    for code, board, line in cases:
        with pytest.raises(DomainError) as refused:
            await _run(lambda b=board: service.decide_ratings(b), leader)
        assert refused.value.code == code, (code, refused.value)
        assert refused.value.details.get("line") == line
        assert refused.value.message_vi
        assert refused.value.message_en
    async with runtime.pool.acquire() as conn:
        assert await event_count(conn, tenant.schema) == before


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(levels=st.lists(st.sampled_from(list(Level)), min_size=1, max_size=9))
async def test_any_board_is_recorded_whole_within_the_quota_or_not_at_all(
    runtime: Runtime, staffed_tenant: StaffedTenant, levels: list[Level],
) -> None:
    _, org, service, period = await month_open(runtime, staffed_tenant, 9, 7)
    leader = Actor(str(org.leader), "unit_leader")
    cap = service.policy.excellent_cap(len(org.members) + 1)
    board = _board(org, period, levels)
    if levels.count(Level.A) > cap:
        with pytest.raises(DomainError) as refused:
            await _run(lambda: service.decide_ratings(board), leader)
        assert refused.value.code == "QUOTA_EXCEEDED"
        assert _decided(service, period) == {}
        return
    await _run(lambda: service.decide_ratings(board), leader)
    decided = _decided(service, period)
    assert len(decided) == len(levels)
    assert list(decided.values()).count("A") == levels.count(Level.A)
