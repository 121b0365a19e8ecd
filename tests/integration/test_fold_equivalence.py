"""Folded read models (projections.fold): a generated history of the folded event kinds, in
two tenants played interleaved, gives the same tables projected live as it arrives, one
event at a time, in random batch sizes, and by a swap rebuild."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from functools import partial

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.actor import Actor, acting_as
from domain.ids import PeriodId
from projections import rebuild
from projections.fold import Args, Fold, Step, Tables
from projections.ratings import RATINGS, RatingsProjection
from projections.rebuild import swap_rebuild
from projections.runner import ProjectionStalledError, catch_up, reset
from services.app.commands import (
    OpenPeriod,
)
from services.app.handlers import TenantService
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.support.org import Org
from tests.support.projection import HeldStaffedTenant, hold
from tests.support.readmodels import dump
from tests.support.steps import play_step

pytestmark = pytest.mark.integration

MEMBERS = 4
RATINGS_STARTED = "domain.evaluation:Evaluation.Started"
TENANTS = 2
KINDS = ["self", "self", "decide", "decide", "propose", "opinion", "publish", "close",
         "project"]

# One step: (tenant, what, month, member index, level).
Plan = list[tuple[int, str, int, int, str]]
plans = st.lists(
    st.tuples(st.integers(0, TENANTS - 1), st.sampled_from(KINDS), st.integers(1, 2),
              st.integers(0, MEMBERS - 1), st.sampled_from("ABCD")),
    min_size=1, max_size=30)


def _open(service: TenantService, org: Org, past: bool) -> dict[int, PeriodId]:
    periods: dict[int, PeriodId] = {}
    with acting_as(Actor("hr", "hr_officer")):
        for month in (1, 2):
            deadline = date(2026, month, 1) if past and month == 1 else date(2099, 1, 1)
            periods[month], _ = service.open_period(OpenPeriod(org.unit, 2026, month, deadline))
    return periods


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=plans, live_batch=st.integers(1, 30),
       sizes=st.lists(st.integers(1, 40), min_size=1, max_size=8))
async def test_folds_live_one_by_one_random_batches_and_rebuild_give_the_same_tables(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]], plan: Plan, live_batch: int, sizes: list[int],
) -> None:
    tenants = [await new_tenant() for _ in range(TENANTS)]
    async with runtime.pool.acquire() as conn:
        for tenant in tenants:
            # Keep the served app's projector off these tenants: this test drives them.
            await hold(conn, tenant)
        orgs = [await org_in(t, members=MEMBERS) for t in tenants]
        services = [runtime.service(t) for t in tenants]
        periods = [await anyio.to_thread.run_sync(_open, s, o, i == 0)
                   for i, (s, o) in enumerate(zip(services, orgs, strict=True))]
        # Live: the tenants' steps interleaved, each projected part-way as it goes.
        for which, what, month, index, level in plan:
            if what == "project":
                await catch_up(conn, tenants[which].schema, batch_size=live_batch)
                continue
            await anyio.to_thread.run_sync(partial(
                play_step, services[which], orgs[which], periods[which][month], what, index,
                level, criteria=True))
        for tenant in tenants:
            schema = tenant.schema
            await catch_up(conn, schema, batch_size=live_batch)
            live = await dump(conn, schema)
            await reset(conn, schema)
            await catch_up(conn, schema, batch_size=1)
            assert await dump(conn, schema) == live, "one event at a time"
            await reset(conn, schema)
            turn = 0
            while (await catch_up(conn, schema, batch_size=sizes[turn % len(sizes)],
                                  max_batches=1)).more:
                turn += 1
            assert await dump(conn, schema) == live, "random batch sizes"
            await swap_rebuild(conn, schema, batch_size=sizes[0])
            assert await dump(conn, schema) == live, "swap rebuild"
            # A rebuild holding fewer rows than the tenant has writes them part-way and
            # goes on reading and writing the tables.
            held, rebuild.FOLD_CACHE_ROWS = rebuild.FOLD_CACHE_ROWS, 5
            try:
                await swap_rebuild(conn, schema, batch_size=sizes[-1])
            finally:
                rebuild.FOLD_CACHE_ROWS = held
            assert await dump(conn, schema) == live, "swap rebuild past its memory"
            # And the folded rows hold what happened (a test that can fail on its own).
            ratings = await conn.fetchval(f"SELECT count(*) FROM {schema}.rm_ratings")
            assert ratings == 2 * (MEMBERS + 1)


async def test_a_failing_fold_step_stalls_at_its_event_and_writes_nothing(
    runtime: Runtime, held_staffed_tenant: HeldStaffedTenant,
) -> None:
    async with held_staffed_tenant(members=MEMBERS) as (tenant, org, conn):
        await anyio.to_thread.run_sync(_open, runtime.service(tenant), org, False)
        started = await conn.fetch(
            f"SELECT notification_id FROM {tenant.schema}.evaluations_events "
            "WHERE topic = $1 ORDER BY notification_id", RATINGS_STARTED)
        bad = started[2]["notification_id"]
        step = RATINGS.steps[RATINGS_STARTED]

        def refuse(t: Tables, a: Args) -> None:
            if a[8] == bad:  # the event's position
                raise ValueError("no such level")
            step.apply(t, a)

        class Refusing(RatingsProjection):
            folds = (Fold(tables=RATINGS.tables,
                          steps={**RATINGS.steps, RATINGS_STARTED: Step(step.args, refuse)}),)

        await reset(conn, tenant.schema, [Refusing])
        with pytest.raises(ProjectionStalledError) as stalled:
            await catch_up(conn, tenant.schema, [Refusing], batch_size=1000)
        assert (stalled.value.projection, stalled.value.first, stalled.value.last) == (
            "ratings", bad, bad)
        assert "no such level" in stalled.value.cause
        # The batch rolled back whole: no rows, the tracking where it was.
        assert await conn.fetchval(f"SELECT count(*) FROM {tenant.schema}.rm_ratings") == 0
        assert await conn.fetchval(
            f"SELECT position FROM {tenant.schema}.projection_tracking "
            "WHERE projection = 'ratings'") == 0
        await catch_up(conn, tenant.schema)  # the real projection applies it all
        assert await conn.fetchval(
            f"SELECT count(*) FROM {tenant.schema}.rm_ratings") == 2 * (MEMBERS + 1)
