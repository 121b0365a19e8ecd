"""Projection lag: each tenant's head beside its projected position, found in one query.

The projector's sweep and ``/healthz`` rely on ``platform.log_progress`` rather than asking
every tenant schema; these tests check it says what the logs and read models say.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest
from prometheus_client import REGISTRY

from projections.progress import install_missing, lags
from projections.runner import catch_up, head_position, lock_key, reset
from services.platform.tenants import Tenant
from services.projector import Projector
from services.runtime import Runtime
from tests.support.org import Org
from tests.support.projection import HeldStaffedTenant, hold

pytestmark = pytest.mark.integration


def _lag_of(found: list[object], slug: str) -> int:
    return next(lag.events for lag in found if lag.slug == slug)  # type: ignore[attr-defined]


async def test_head_is_raised_by_the_append_and_tracked_by_the_batch(
    held_staffed_tenant: HeldStaffedTenant,
) -> None:
    async with held_staffed_tenant() as (tenant, _, conn):
        head = await head_position(conn, tenant.schema)
        assert head > 0
        assert _lag_of(await lags(conn), tenant.slug) == head
        assert tenant.slug in {lag.slug for lag in await lags(conn, behind_only=True)}

        await catch_up(conn, tenant.schema, batch_size=5, until=head - 3)
        assert _lag_of(await lags(conn), tenant.slug) == 3
        await catch_up(conn, tenant.schema)
        assert _lag_of(await lags(conn), tenant.slug) == 0
        assert tenant.slug not in {lag.slug for lag in await lags(conn, behind_only=True)}

        # A rebuild's reset puts the whole log back to be projected.
        await reset(conn, tenant.schema)
        assert _lag_of(await lags(conn), tenant.slug) == head


async def test_tenants_from_before_the_progress_table_are_backfilled(
    held_staffed_tenant: HeldStaffedTenant, org_in: Callable[..., Awaitable[Org]],
) -> None:
    async with held_staffed_tenant() as (tenant, _, conn):
        head = await head_position(conn, tenant.schema)
        # As an older release left it: no row, no trigger.
        await conn.execute(f"DROP TRIGGER raise_log_head ON {tenant.schema}.evaluations_events")
        await conn.execute("DELETE FROM platform.log_progress WHERE schema_name = $1",
                           tenant.schema)
        assert await install_missing(conn) >= 1
        assert _lag_of(await lags(conn), tenant.slug) == head
        await org_in(tenant)  # the reinstalled trigger follows new appends
        assert _lag_of(await lags(conn), tenant.slug) == await head_position(conn, tenant.schema)
        await catch_up(conn, tenant.schema)
        assert _lag_of(await lags(conn), tenant.slug) == 0


async def test_sweep_finds_a_tenant_whose_wake_up_was_lost_and_exports_its_lag(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]],
) -> None:
    tenant = await new_tenant()
    projector = Projector(runtime.directory, runtime.registry)  # told of nothing: a lost NOTIFY
    async with runtime.pool.acquire() as conn:
        # Another projector (a served app's) must not catch up before the sweep looks.
        await hold(conn, tenant)
        await org_in(tenant)
        head = await head_position(conn, tenant.schema)
        found = await projector.sweep()
        assert _lag_of(found, tenant.slug) == head
        assert REGISTRY.get_sample_value(
            "congtam_projection_lag_events", {"tenant": tenant.slug}) == head
        assert tenant.slug in projector._dirty
        await conn.execute("SELECT pg_advisory_unlock($1)", lock_key(tenant.schema))

    # The served app's projector may take the freed lock first (this one then skips);
    # either way, once this one gets its turn it stands at the head.
    position = 0
    for _ in range(200):
        position = await projector.project_tenant(tenant.slug)
        if position:
            break
        await asyncio.sleep(0.05)
    assert position == head
    assert REGISTRY.get_sample_value(
        "congtam_projection_lag_events", {"tenant": tenant.slug}) == 0
    projector._dirty.clear()  # as the loop does when it takes the dirty set
    await projector.sweep()
    assert tenant.slug not in projector._dirty


async def test_healthz_names_tenants_behind_and_metrics_export_the_gauge(
    runtime: Runtime, http: httpx.AsyncClient, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]],
) -> None:
    tenant = await new_tenant()
    async with runtime.pool.acquire() as conn:
        # Hold the served app's projector off this tenant: its lag must stay visible.
        await hold(conn, tenant)
        await org_in(tenant)
        head = await head_position(conn, tenant.schema)
        body = (await http.get("/healthz")).json()
        assert body["status"] == "ok"
        assert body["projectionLag"][tenant.slug] == head
        assert body["tenantsBehind"] >= 1
        assert body["maxLagEvents"] >= head
        await catch_up(conn, tenant.schema)
    body = (await http.get("/healthz")).json()
    assert tenant.slug not in body["projectionLag"]
    metrics = (await http.get("/metrics")).text
    assert "congtam_projection_lag_events{" in metrics


async def test_a_long_backlog_is_projected_in_turns(
    held_staffed_tenant: HeldStaffedTenant,
) -> None:
    async with held_staffed_tenant() as (tenant, _, conn):
        head = await head_position(conn, tenant.schema)
        turn = await catch_up(conn, tenant.schema, batch_size=4, max_batches=2)
        assert (turn.applied, turn.position, turn.more) == (8, 8, True)
        rest = await catch_up(conn, tenant.schema, batch_size=4)
        assert (rest.position, rest.more) == (head, False)


async def test_a_backlog_is_read_in_batches_doubling_up_to_the_backlog_size(
    held_staffed_tenant: HeldStaffedTenant,
) -> None:
    async with held_staffed_tenant() as (tenant, _, conn):
        head = await head_position(conn, tenant.schema)
        assert head > 2 + 4 + 8 + 8
        sizes: list[int] = []
        done = await catch_up(conn, tenant.schema, batch_size=2, backlog_batch_size=8,
                              on_batch=sizes.append)
        assert done.position == head
        assert sizes[:4] == [2, 4, 8, 8]
        assert all(size <= 8 for size in sizes)
        assert sum(sizes) == head


async def test_a_projector_starting_behind_takes_its_first_turn_at_once(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]],
) -> None:
    """After a restart (a deploy), the backlog its start-up sweep finds is projected at once,
    not after a whole sweep interval, with no write to wake it (an app started over a
    loaded demo, whose reads then found tenants' read models still empty)."""
    tenant = await new_tenant()
    projector = Projector(runtime.directory, runtime.registry, sweep_seconds=60)
    async with runtime.pool.acquire() as conn:
        # Held through the first turn: no other projector catches up before the sweep looks,
        # and this one's turn then finds the tenant busy rather than racing for it.
        await hold(conn, tenant)
        await org_in(tenant)
        await projector.start()  # no LISTEN: only what its start-up sweep finds
        try:
            async with projector.caught_up:  # notified at the end of each turn
                try:
                    await asyncio.wait_for(projector.caught_up.wait(), timeout=10)
                except TimeoutError:
                    pytest.fail("the backlog found at start waits for the next sweep")
            assert tenant.slug not in projector._dirty  # taken in that first turn
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", lock_key(tenant.schema))
            await projector.stop()
