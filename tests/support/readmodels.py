"""Read-model snapshots, to compare live tables with a rebuild."""

from __future__ import annotations

from typing import Any

import asyncpg

from projections.registry import PROJECTIONS


async def dump(conn: asyncpg.Connection, schema: str) -> dict[str, list[tuple[Any, ...]]]:
    tables = [t for p in PROJECTIONS for t in p.tables]
    return {t: [tuple(r) for r in await conn.fetch(f"SELECT * FROM {schema}.{t} ORDER BY 1")]
            for t in tables}


async def event_count(conn: asyncpg.Connection, schema: str) -> int:
    count: int = await conn.fetchval(f"SELECT count(*) FROM {schema}.evaluations_events")
    return count
