"""Transfers between tenants and tenant merges: the receiving side sees the monthly results,
predecessors become read-only, history stays readable under both, read models rebuild."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date

import pytest

from domain.actor import Actor
from domain.ids import PeriodId, UnitId
from domain.levels import Level
from domain.organisation import StaffMember
from domain.period import EvaluationPeriod
from projections.runner import catch_up
from services.app.commands import DecideRating, OpenPeriod, ProposeRollups, RegisterUnit
from services.app.reorganisation import merge_tenants, transfer_between_tenants
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.integration.test_domain_rules import _refused, _run, _setup
from tests.integration.test_rollups import MONTHS, _proposal, _rate_months
from tests.support.org import StaffedTenant
from tests.support.projection import assert_rebuild_equals_live, holding
from tests.support.readmodels import events_in
from tests.support.recount import recount, tables

pytestmark = pytest.mark.integration
AS_OF = date(2026, 4, 15)


async def test_the_receiving_tenant_rolls_up_the_sending_tenants_months(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    source, org, old = await _setup(runtime, staffed_tenant, members=3)
    target, org2, new = await _setup(runtime, staffed_tenant, members=3)
    staff = org.members[0]
    await _rate_months(old, org, org.unit, org.leader, staff, MONTHS)
    await _run(lambda: transfer_between_tenants(old, source.slug, new, target.slug, staff,
                                                org2.unit, "Điều động theo QĐ 5", AS_OF))
    q1, _ = await _run(lambda: new.open_period(OpenPeriod(org2.unit, 2026, 1,
                                                          kind="quarterly")))
    await _run(lambda: new.propose_rollups(ProposeRollups(PeriodId(q1), "hr")))
    assert _proposal(new, q1, staff) == ("B", 86.67)
    await _refused(runtime, target, "ALREADY_EXISTS", lambda: transfer_between_tenants(
        old, source.slug, new, target.slug, staff, org2.unit, "lần hai", AS_OF))


async def test_a_merge_moves_staff_and_open_periods_and_freezes_the_predecessors(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]], staffed_tenant: StaffedTenant,
) -> None:
    first, org, one = await _setup(runtime, staffed_tenant, members=3)
    second, org_b, two = await _setup(runtime, staffed_tenant, members=2)
    successor = await new_tenant()
    heir = runtime.service(successor)
    await _rate_months(one, org, org.unit, org.leader, org.members[0], MONTHS[:2])
    april, _ = await _run(lambda: one.open_period(OpenPeriod(org.unit, 2026, 4)))
    leader = Actor(str(org.leader), "unit_leader")
    await _run(lambda: one.decide_rating(DecideRating(PeriodId(april), org.members[0], Level.A,
                                                      95, "", str(org.leader))), leader)
    await _run(lambda: merge_tenants([(first.slug, one), (second.slug, two)], successor.slug,
                                     heir, "NQ 1656/NQ-UBTVQH15", AS_OF))

    # The successor continues April: the decision made there counts against its quota.
    period = heir._find(EvaluationPeriod, april)
    assert period is not None
    assert period.decisions == {str(org.members[0]): "A"}
    await _run(lambda: heir.decide_rating(DecideRating(PeriodId(april), org.members[1],
                                                       Level.B, 85, "", str(org.leader))),
               leader)
    # The predecessors accept nothing more, and write nothing when refused.
    await _refused(runtime, first, "TENANT_READ_ONLY", lambda: one.register_unit(
        RegisterUnit(UnitId(uuid.uuid4()), "Ban mới", "board")))
    await _refused(runtime, second, "TENANT_READ_ONLY", lambda: two.open_period(
        OpenPeriod(org_b.unit, 2026, 5)))

    # History stays readable under both names, and every read model rebuilds equal.
    for tenant in (first, successor):
        async with holding(runtime, tenant) as conn:
            await catch_up(conn, tenant.schema)
            rated = await conn.fetchval(
                f"SELECT count(*) FROM {tenant.schema}.rm_ratings WHERE staff_id = $1 "
                "AND level IS NOT NULL", org.members[0])
            assert rated >= (3 if tenant is first else 1)
            await assert_rebuild_equals_live(conn, tenant.schema)
    async with runtime.pool.acquire() as conn:
        months = await conn.fetchval(
            f"SELECT count(*) FROM {successor.schema}.rm_prior_results WHERE staff_id = $1",
            org.members[0])
        lineage = await conn.fetch(
            f"SELECT relation, other_tenant FROM {successor.schema}.rm_tenant_lineage "
            "ORDER BY position")
    assert months == 3  # January, February, and April as decided in the predecessor
    assert [r["other_tenant"] for r in lineage] == [first.slug, second.slug]
    moved = heir._find(StaffMember, org_b.members[0])
    assert moved is not None
    assert moved.unit_id == org_b.unit


async def test_a_continued_month_shows_on_the_successors_board_with_its_carried_decisions(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]], staffed_tenant: StaffedTenant,
) -> None:
    """The successor's board, member rows and trend count what was decided before the merge,
    so nobody is reminded to self-assess or decide again, and completion is not understated."""
    first, org, one = await _setup(runtime, staffed_tenant, members=3)
    successor = await new_tenant()
    heir = runtime.service(successor)
    april, _ = await _run(lambda: one.open_period(OpenPeriod(org.unit, 2026, 4)))
    leader = Actor(str(org.leader), "unit_leader")
    await _run(lambda: one.decide_rating(DecideRating(PeriodId(april), org.members[0], Level.A,
                                                      95, "", str(org.leader))), leader)
    await _run(lambda: merge_tenants([(first.slug, one)], successor.slug, heir,
                                     "NQ 1656/NQ-UBTVQH15", AS_OF))
    await _run(lambda: heir.decide_rating(DecideRating(PeriodId(april), org.members[1],
                                                       Level.B, 85, "", str(org.leader))),
               leader)

    async with holding(runtime, successor) as conn:
        await catch_up(conn, successor.schema)
        s = successor.schema
        board = await conn.fetchrow(
            f"SELECT decided, quota_used FROM {s}.rm_boards WHERE period_id = $1", april)
        levels = dict(await conn.fetch(
            f"SELECT staff_id, level FROM {s}.rm_board_members WHERE period_id = $1", april))
        trend = await conn.fetchrow(
            f"SELECT decided, level_a, level_b FROM {s}.rm_trend_months WHERE period_id = $1",
            april)
        await assert_rebuild_equals_live(conn, s)
        assert await tables(conn, s) == await recount(conn, s)
    assert (board["decided"], board["quota_used"]) == (2, 1)
    assert (levels[org.members[0]], levels[org.members[1]]) == ("A", "B")
    assert tuple(trend) == (2, 1, 1)


async def test_a_merge_cut_short_after_the_successor_wrote_finishes_when_run_again(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]], staffed_tenant: StaffedTenant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The successor took the predecessor's staff and periods, then the process stopped
    before the predecessor was marked merged: the same merge again marks it and copies
    nothing twice."""
    first, _, one = await _setup(runtime, staffed_tenant, members=2)
    successor = await new_tenant()
    heir = runtime.service(successor)
    saving = one._save

    def cut_short(*aggregates: object) -> int:
        monkeypatch.setattr(one, "_save", saving)  # once
        raise RuntimeError("stopped before the predecessor was marked")

    monkeypatch.setattr(one, "_save", cut_short)
    with pytest.raises(RuntimeError):
        merge_tenants([(first.slug, one)], successor.slug, heir, "NQ 1656/NQ-UBTVQH15", AS_OF)
    written = await events_in(runtime, successor)
    assert written > 0

    await _run(lambda: merge_tenants([(first.slug, one)], successor.slug, heir,
                                     "NQ 1656/NQ-UBTVQH15", AS_OF))
    assert await events_in(runtime, successor) == written  # nothing copied twice
    await _refused(runtime, first, "TENANT_READ_ONLY", lambda: one.register_unit(
        RegisterUnit(UnitId(uuid.uuid4()), "Ban mới", "board")))
