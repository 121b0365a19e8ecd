"""Dashboard read models (boards, timeline, trends): live = rebuild = a recount of the log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.actor import Actor, acting_as
from domain.ids import PeriodId
from projections.runner import catch_up, reset
from services.app.commands import OpenPeriod
from services.app.handlers import TenantService
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.support.org import Org
from tests.support.projection import HeldStaffedTenant, assert_rebuild_equals_live, hold
from tests.support.recount import level_counts, recount, tables
from tests.support.steps import play_step

pytestmark = pytest.mark.integration

MEMBERS = 5

# One step of a period's life: (what, month, member index, level).
steps = st.lists(
    st.tuples(st.sampled_from(["self", "self", "decide", "decide", "close", "project"]),
              st.integers(1, 2), st.integers(0, MEMBERS - 1), st.sampled_from("ABCD")),
    min_size=1, max_size=25)


def _drive(service: TenantService, org: Org, deadlines: list[bool],
           plan: list[tuple[str, int, int, str]]) -> list[str]:
    """Open the months, then play the plan; refusals (quota, closed, decided) write nothing."""
    periods: dict[int, PeriodId] = {}
    with acting_as(Actor("hr", "hr_officer")):
        for month, past in zip((1, 2), deadlines, strict=True):
            deadline = date(2026, month, 1) if past else date(2099, 1, 1)
            periods[month], _ = service.open_period(OpenPeriod(org.unit, 2026, month, deadline))
    done: list[str] = []
    for what, month, index, level in plan:
        if play_step(service, org, periods[month], what, index, level):
            done.append(what)
    return done


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=steps, deadlines=st.lists(st.booleans(), min_size=2, max_size=2),
       batch=st.integers(1, 40))
async def test_dashboard_read_models_equal_a_recount_of_the_log_live_and_rebuilt(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]], plan: list[tuple[str, int, int, str]],
    deadlines: list[bool], batch: int,
) -> None:
    tenant = await new_tenant()
    async with runtime.pool.acquire() as conn:
        # Keep the served app's projector off this tenant: this test drives projections.
        await hold(conn, tenant)
        org = await org_in(tenant, members=MEMBERS)
        service = runtime.service(tenant)
        # "Live": project in small batches part-way, then the rest as it arrives.
        await catch_up(conn, tenant.schema, batch_size=batch)
        await anyio.to_thread.run_sync(lambda: _drive(service, org, deadlines, plan))
        await catch_up(conn, tenant.schema, batch_size=batch)
        expected = await recount(conn, tenant.schema)
        live = await tables(conn, tenant.schema)
        assert live == expected
        await assert_rebuild_equals_live(conn, tenant.schema)


async def test_board_counts_completion_lateness_and_quota(
    runtime: Runtime, held_staffed_tenant: HeldStaffedTenant,
) -> None:
    async with held_staffed_tenant(members=MEMBERS) as (tenant, org, conn):
        plan = [("self", 1, 0, "A"), ("self", 1, 0, "B"), ("self", 1, 1, "B"),
                ("decide", 1, 0, "A"), ("decide", 1, 1, "B"), ("decide", 1, 2, "A")]
        done = await anyio.to_thread.run_sync(
            lambda: _drive(runtime.service(tenant), org, [True, False], plan))
        assert done.count("decide") == 2  # a second A breaks the 30% quota of 6 people (5 + head)
        await catch_up(conn, tenant.schema)
        board: dict[str, Any] = dict(await conn.fetchrow(
            f"SELECT * FROM {tenant.schema}.rm_boards WHERE number = 1"))
        assert (board["member_count"], board["self_assessed"], board["decided"]) == (6, 2, 2)
        assert (board["quota_cap"], board["quota_used"]) == (1, 1)
        # Month 1's deadline (1 Jan 2026) is long past: everything done in it is late.
        assert (board["late_self_assessed"], board["late_decided"]) == (2, 2)
        counts = level_counts(await tables(conn, tenant.schema), board["period_id"])
        assert counts == {"A": 1, "B": 1}
        entries = await conn.fetch(
            f"SELECT entry FROM {tenant.schema}.rm_timeline WHERE staff_id = $1 "
            "ORDER BY position", org.members[0])
        assert [r["entry"] for r in entries] == [
            "opened", "opened", "self_assessed", "self_assessed", "decided"]
        await reset(conn, tenant.schema)
