"""Read-model snapshots, to compare live tables with a rebuild."""

from __future__ import annotations

from typing import Any

import asyncpg

from projections.registry import PROJECTIONS
from services.platform.tenants import Tenant
from services.runtime import Runtime


async def dump(conn: asyncpg.Connection, schema: str) -> dict[str, list[tuple[Any, ...]]]:
    tables = [t for p in PROJECTIONS for t in p.tables]
    # Rows sorted on every column: ordering on the first alone leaves ties (several timeline
    # rows of one person) in whatever order the table happens to return them.
    return {t: sorted((tuple(r) for r in await conn.fetch(f"SELECT * FROM {schema}.{t}")),
                      key=repr)
            for t in tables}


async def event_count(conn: asyncpg.Connection, schema: str) -> int:
    count: int = await conn.fetchval(f"SELECT count(*) FROM {schema}.evaluations_events")
    return count


async def events_in(runtime: Runtime, tenant: Tenant) -> int:
    """How many events the tenant's log holds (a refused command adds none)."""
    async with runtime.pool_of(tenant).acquire() as conn:
        return await event_count(conn, tenant.schema)
