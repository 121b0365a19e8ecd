"""Rebuilds build beside the live tables and swap in atomically; a projector killed with
SIGKILL mid-batch leaves nothing a restart does not repair exactly."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import textwrap
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import pytest

from domain.actor import Actor, acting_as
from domain.ids import PeriodId
from domain.levels import Level
from projections.progress import lags
from projections.rebuild import swap_rebuild
from projections.registry import PROJECTIONS
from projections.runner import catch_up, head_position, lock_key, reset, tracked_position
from services.app.commands import DecideRating, OpenPeriod, SubmitSelfAssessment
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.support.cli import congtam
from tests.support.org import Org, StaffedTenant
from tests.support.projection import assert_rebuild_equals_live, hold, holding
from tests.support.readmodels import dump

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


async def _month(runtime: Runtime, tenant: Tenant, org: Org, month: int) -> None:
    service = runtime.service(tenant)

    def work() -> None:
        with acting_as(Actor("hr", "hr_officer")):
            period_id, _ = service.open_period(OpenPeriod(org.unit, 2026, month))
        for i, staff in enumerate([org.leader, *org.members]):
            with acting_as(Actor(str(staff), "staff")):
                service.submit_self_assessment(SubmitSelfAssessment(
                    PeriodId(period_id), staff, [60.0, 75.0, 82.0, 95.0][i % 4]))
        for staff in org.members:
            with acting_as(Actor(str(org.leader), "unit_leader")):
                service.decide_rating(DecideRating(PeriodId(period_id), staff, Level.B, 80,
                                                   "Đạt yêu cầu", str(org.leader)))
    await anyio.to_thread.run_sync(work)


async def _table_oids(conn: object, schema: str) -> dict[str, int]:
    rows = await conn.fetch(  # type: ignore[attr-defined]
        "SELECT c.relname, c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = $1 AND c.relkind = 'r'", schema)
    return {r["relname"]: r["oid"] for r in rows}


async def _indexes(conn: object, schema: str) -> set[tuple[str, str, str]]:
    rows = await conn.fetch(  # type: ignore[attr-defined]
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1", schema)
    return {(r["tablename"], r["indexname"], r["indexdef"]) for r in rows}


async def test_swap_rebuild_serves_the_old_tables_until_the_swap_and_misses_nothing(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant()
    await _month(runtime, tenant, org, 1)
    async with holding(runtime, tenant) as conn:
        await catch_up(conn, tenant.schema)
        before = await dump(conn, tenant.schema)
        oids = await _table_oids(conn, tenant.schema)
        indexes = await _indexes(conn, tenant.schema)
        seen_during_build: list[dict[str, object]] = []
        batches: list[int] = []

        async def meanwhile() -> None:
            # Built but not swapped: dashboards still read the complete old tables…
            async with runtime.pool.acquire() as reader:
                seen_during_build.append(await dump(reader, tenant.schema))
            # …and a month of work lands before the swap: it must not be lost.
            await _month(runtime, tenant, org, 2)
            await catch_up(conn, tenant.schema)  # the live projector keeps up meanwhile

        done = await swap_rebuild(conn, tenant.schema, on_batch=batches.append,
                                  before_swap=meanwhile, batch_size=50)
        head = await head_position(conn, tenant.schema)
        assert seen_during_build == [before]
        assert done.position == head
        assert sum(batches) == done.events == head
        assert await tracked_position(conn, tenant.schema) == head
        assert [lag.events for lag in await lags(conn) if lag.slug == tenant.slug] == [0]
        swapped = await _table_oids(conn, tenant.schema)
        assert all(swapped[t] != oids[t] for p in PROJECTIONS for t in p.tables)
        # The fresh tables were filled before their secondary indexes were built: the
        # swapped-in tables carry every index the old ones had, and statistics.
        assert await _indexes(conn, tenant.schema) == indexes
        assert not await conn.fetchval(
            "SELECT count(*) FROM pg_stat_user_tables WHERE schemaname = $1 "
            "AND relname = 'rm_ratings' AND last_analyze IS NULL", tenant.schema)
        rebuilt = await dump(conn, tenant.schema)
        # The same tables a from-zero replay in place gives.
        await reset(conn, tenant.schema)
        await catch_up(conn, tenant.schema)
        assert await dump(conn, tenant.schema) == rebuilt
        assert not await conn.fetchval(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE $1", tenant.schema + "\\_\\_%")


async def test_rebuilding_one_projection_leaves_the_others_tables_alone(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant()
    await _month(runtime, tenant, org, 3)
    [ratings] = [p for p in PROJECTIONS if p.name == "ratings"]
    async with holding(runtime, tenant) as conn:
        await catch_up(conn, tenant.schema)
        before = await dump(conn, tenant.schema)
        oids = await _table_oids(conn, tenant.schema)
        await swap_rebuild(conn, tenant.schema, [ratings])
        swapped = await _table_oids(conn, tenant.schema)
        assert await dump(conn, tenant.schema) == before
        for p in PROJECTIONS:
            for t in p.tables:
                assert (swapped[t] != oids[t]) == (p is ratings), t


async def test_rebuild_command_swaps_and_refuses_unknown_projections(
    runtime: Runtime, settings: Settings, staffed_tenant: StaffedTenant,
) -> None:
    tenant, _ = await staffed_tenant()
    done = await congtam(settings, "rebuild", "--tenant", tenant.slug, "--projection",
                         "organisation", cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"{tenant.slug}:" in done.stdout + done.stderr
    assert "swapped in" in done.stdout + done.stderr
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval(f"SELECT count(*) FROM {tenant.schema}.rm_staff") > 0

    refused = await congtam(settings, "rebuild", "--tenant", tenant.slug, "--projection",
                            "nonsense", cwd=ROOT)
    assert refused.returncode == 2
    assert "unknown projection" in refused.stderr


KILLABLE = textwrap.dedent("""
    import asyncio, sys
    import asyncpg
    from projections.runner import catch_up
    from services.store.database import ConnectionParams

    async def main() -> None:
        conn = await asyncpg.connect(**ConnectionParams.from_url(sys.argv[1]).asyncpg_kwargs())
        while True:  # small batches, forever: killed from outside
            await catch_up(conn, sys.argv[2], batch_size=3)
            await asyncio.sleep(0.01)

    asyncio.run(main())
""")


async def test_projector_killed_with_sigkill_mid_stream_then_restarted_equals_rebuild(
    runtime: Runtime, settings: Settings, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]],
) -> None:
    tenant = await new_tenant()
    async with runtime.pool.acquire() as holder:
        # Keep the served app's projector off this tenant until the victim runs.
        await hold(holder, tenant)
        org = await org_in(tenant)
        for month in (4, 5):
            await _month(runtime, tenant, org, month)
        head = await head_position(holder, tenant.schema)
        await holder.execute("SELECT pg_advisory_unlock($1)", lock_key(tenant.schema))
    victim = subprocess.Popen(  # noqa: ASYNC220 - killed below, never awaited to completion
        [sys.executable, "-c", KILLABLE, str(settings.database_url), tenant.schema], cwd=ROOT)
    try:
        async with runtime.pool.acquire() as conn:
            for _ in range(3000):
                reached = await tracked_position(conn, tenant.schema)
                if reached > 0:
                    break
                await asyncio.sleep(0.005)
            victim.send_signal(signal.SIGKILL)
            await anyio.to_thread.run_sync(victim.wait)
            killed_at = await tracked_position(conn, tenant.schema)
            assert killed_at > 0
            # Restart: catch up from wherever the kill left the tracking row.
            await hold(conn, tenant)
            await catch_up(conn, tenant.schema)
            assert await tracked_position(conn, tenant.schema) == head
            await assert_rebuild_equals_live(conn, tenant.schema)
    finally:
        if victim.poll() is None:
            victim.kill()
