"""Waiting for a tenant's live projection (the served projector runs beside the tests), or
keeping it off a tenant the test projects itself."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import asyncpg

from projections.runner import catch_up, head_position, lock_key, reset, tracked_position
from services.platform.grants import grants_for
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.support.org import Org
from tests.support.readmodels import dump


async def projected(runtime: Runtime, tenant: Tenant, position: int | None = None, *,
                    drive: bool = False, seconds: float = 20.0) -> None:
    """Until ``tenant``'s read models (and so its notifications) reach ``position`` — by
    default the log's head. With ``drive``, this catches up too, between looks (when the
    served projector holds the tenant's lock, ``catch_up`` applies nothing and returns)."""
    pause = 0.02
    for _ in range(int(seconds / pause)):
        async with runtime.pool_of(tenant).acquire() as conn:  # not held between looks
            if drive:
                await catch_up(conn, tenant.schema)
            wanted = await head_position(conn, tenant.schema) if position is None else position
            if await tracked_position(conn, tenant.schema) >= wanted:
                return
        await asyncio.sleep(pause)
    raise AssertionError(f"{tenant.slug}'s read models never reached "
                         f"{'the head' if position is None else position}")


async def granted(runtime: Runtime, user: str, *, include_children: bool = False) -> None:
    """Until the platform's read side shows a grant of ``user`` (one reaching the tenant's
    children, if asked), catching the platform projection up between looks."""
    for _ in range(500):
        if any(g.include_children or not include_children
               for g in await grants_for(runtime.pool, user)):
            return
        await runtime.platform.catch_up()
        await asyncio.sleep(0.01)
    raise AssertionError(f"{user}'s grant never reached the platform's read side")


async def hold(conn: asyncpg.Connection, tenant: Tenant) -> None:
    """Keep other projectors (the served app's) off this tenant for the test's duration.

    Advisory locks are re-entrant per session: ``catch_up`` on this same connection still
    gets the tenant's lock, any other connection does not. Released when the connection
    returns to the pool (asyncpg resets sessions with pg_advisory_unlock_all).
    """
    await conn.execute("SELECT pg_advisory_lock($1)", lock_key(tenant.schema))


@asynccontextmanager
async def holding(runtime: Runtime, tenant: Tenant) -> AsyncIterator[asyncpg.Connection]:
    """A connection of the pool that holds ``tenant``'s projection (see ``hold``)."""
    async with runtime.pool.acquire() as conn:
        await hold(conn, tenant)
        yield conn


HeldStaffedTenant = Callable[
    ..., AbstractAsyncContextManager[tuple[Tenant, Org, asyncpg.Connection]]]
"""``async with held_staffed_tenant(members=N) as (tenant, org, conn)``: a fresh tenant held
by the test from the start (``holding``), its organisation written meanwhile."""


async def assert_rebuild_equals_live(conn: asyncpg.Connection, schema: str,
                                     head: int | None = None) -> dict[str, Any]:
    """Rebuild from zero and compare every read-model table with the live one (all ``head``
    events applied, if given): the live tables."""
    live = await dump(conn, schema)
    await reset(conn, schema)
    rebuilt = await catch_up(conn, schema)
    if head is not None:
        assert rebuilt.applied == head
    assert await dump(conn, schema) == live
    return live
