"""The projector applies every event exactly once: restart anywhere equals a rebuild."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

import anyio
import pytest

from domain.actor import Actor, acting_as
from domain.ids import PeriodId
from domain.levels import Level
from projections.runner import (
    ProjectionStalledError,
    catch_up,
    head_position,
    reset,
    tracked_position,
)
from services.app.commands import DecideRating, OpenPeriod, SubmitSelfAssessment
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.support.org import Org, StaffedTenant
from tests.support.projection import HeldStaffedTenant, assert_rebuild_equals_live, hold, holding
from tests.support.readmodels import dump

pytestmark = pytest.mark.integration


async def _month_of_work(runtime: Runtime, tenant: Tenant, org: Org, month: int) -> None:
    service = runtime.service(tenant)

    def work() -> None:
        rng = random.Random(month)
        with acting_as(Actor("hr", "hr_officer")):
            period_id, _ = service.open_period(OpenPeriod(org.unit, 2026, month))
        for staff in [org.leader, *org.members]:
            with acting_as(Actor(str(staff), "staff")):
                service.submit_self_assessment(SubmitSelfAssessment(
                    PeriodId(period_id), staff, rng.choice([60.0, 75.0, 82.0, 95.0])))
        for staff in org.members:
            with acting_as(Actor(str(org.leader), "unit_leader")):
                service.decide_rating(DecideRating(PeriodId(period_id), staff, Level.B, 80,
                                                   "Đạt yêu cầu", str(org.leader)))
    await anyio.to_thread.run_sync(work)


async def test_projector_restarted_mid_stream_equals_full_rebuild(
    runtime: Runtime, held_staffed_tenant: HeldStaffedTenant,
) -> None:
    async with held_staffed_tenant() as (tenant, org, conn):
        for month in (1, 2, 3):
            await _month_of_work(runtime, tenant, org, month)
        head = await head_position(conn, tenant.schema)
        # First run stops part-way (as if killed after a committed batch)…
        first = await catch_up(conn, tenant.schema, batch_size=7, until=head // 2)
        assert 0 < first.position <= head // 2
        assert await tracked_position(conn, tenant.schema) == first.position
        # …a restart continues from the tracked position, in other batch sizes.
        second = await catch_up(conn, tenant.schema, batch_size=13)
        assert second.position == head
        assert first.applied + second.applied == head
        live = await assert_rebuild_equals_live(conn, tenant.schema, head)
    assert len(live["rm_ratings"]) == 3 * (len(org.members) + 1)
    level = 12  # rm_ratings column order: see projections/sql/tenant.sql
    assert sum(1 for r in live["rm_ratings"] if r[level] == "B") == 3 * len(org.members)


async def test_a_crash_inside_a_batch_leaves_no_partial_rows(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]],
) -> None:
    tenant = await new_tenant()
    schema = tenant.schema
    async with holding(runtime, tenant) as conn:
        org = await org_in(tenant)
        await _month_of_work(runtime, tenant, org, 4)
        head = await head_position(conn, schema)
        # The last member's decision (the month's last event) fails inside PostgreSQL, in the
        # middle of its batch: earlier batches have committed, this one has run statements.
        await conn.execute(f"""
            CREATE FUNCTION {schema}.fail_last_decision() RETURNS trigger AS $$
            BEGIN
                IF NEW.level IS NOT NULL AND NEW.staff_id = '{org.members[-1]}' THEN
                    RAISE EXCEPTION 'injected failure inside a batch';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER fail_last_decision BEFORE INSERT OR UPDATE ON {schema}.rm_ratings
                FOR EACH ROW EXECUTE FUNCTION {schema}.fail_last_decision();""")
        with pytest.raises(ProjectionStalledError) as stalled:
            await catch_up(conn, schema, batch_size=5)
        assert "injected failure" in str(stalled.value)
        await conn.execute(f"DROP TRIGGER fail_last_decision ON {schema}.rm_ratings; "
                           f"DROP FUNCTION {schema}.fail_last_decision()")
        reached = await tracked_position(conn, schema)
        assert 0 < reached < head  # committed batches stay; the failed one left nothing
        assert stalled.value.first > reached  # (the failed batch began after the tracked end)
        rows = await conn.fetchval(f"SELECT max(position) FROM {schema}.rm_ratings")
        assert 0 < rows <= reached
        # Every read-model row is exactly what projecting up to the tracked position gives.
        partial = await dump(conn, schema)
        await reset(conn, schema)
        rebuilt = await catch_up(conn, schema, until=reached)
        assert rebuilt.position == reached
        assert await dump(conn, schema) == partial
        # And resuming finishes the work as a rebuild would.
        assert (await catch_up(conn, schema)).position == head
        await assert_rebuild_equals_live(conn, schema, head)


async def test_two_projectors_at_once_never_double_apply(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant()
    for month in (5, 6):
        await _month_of_work(runtime, tenant, org, month)

    async def one_projector() -> int:
        applied = 0
        async with runtime.pool.acquire() as conn:
            for _ in range(50):
                result = await catch_up(conn, tenant.schema, batch_size=10)
                applied += result.applied
                if not result.skipped and result.applied == 0:
                    break
                await asyncio.sleep(0.001)
        return applied

    totals = await asyncio.gather(one_projector(), one_projector())
    async with runtime.pool.acquire() as conn:
        head = await head_position(conn, tenant.schema)
        # Every event applied at most once (the served app's projector may take a share).
        assert sum(totals) <= head
        await hold(conn, tenant)  # waits while the served app's projector finishes a batch
        await catch_up(conn, tenant.schema)
        assert await tracked_position(conn, tenant.schema) == head
        live = await assert_rebuild_equals_live(conn, tenant.schema, head)
    periods = live["rm_periods"]
    assert all(p[9] == len(org.members) for p in periods)  # decided_count counted once
