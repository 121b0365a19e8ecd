"""Replay: a tenant's log, up to a point, through the projections into a scratch schema.

The scratch schema gets the tenant's read-model tables (fresh DDL) and, in place of an
event table, a *view* of the tenant's log cut at the chosen position — optionally only
some aggregates' events. The ordinary projection runner then rebuilds the read models
from it exactly as the projector did, so "as of" answers come from the same code as the
live dashboards, applied to the log as it stood. The scratch schema is always dropped.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from projections.base import Projection
from projections.codec import decode
from projections.registry import PROJECTIONS, tenant_ddl
from projections.runner import (
    ProjectionStalledError,
    catch_up,
    ensure_tracking,
    head_position,
    tracked_position,
)
from storage.db import KeySource

EVENTS_TABLE = "evaluations_events"
SCRATCH_PREFIX = "audit_scratch_"
STOPPED_SHORT_TRIES = 10  # x 0.5 s: how long a live projection behind the head is awaited


@asynccontextmanager
async def scratch_replay(pool: asyncpg.Pool, source_schema: str, until: int,
                         originators: Iterable[UUID] | None = None,
                         keys: KeySource | None = None) -> AsyncIterator[str]:
    """Yield a scratch schema holding the read models of ``source_schema``'s log up to
    ``until`` (only ``originators``' events, if given); drop it afterwards."""
    scratch = SCRATCH_PREFIX + secrets.token_hex(6)
    source = f"{source_schema}.{EVENTS_TABLE} e"
    if originators is not None:
        ids = ",".join(str(UUID(str(i))) for i in originators)  # UUID() vets each one
        # One primary-key lookup per aggregate (a lateral join on the leading key column),
        # whatever the planner's statistics say about the position range.
        # (OFFSET 0 keeps the subquery a parameterised scan: not flattened into a join.)
        source = (f"unnest('{{{ids}}}'::uuid[]) AS wanted(id) CROSS JOIN LATERAL "
                  f"(SELECT * FROM {source_schema}.{EVENTS_TABLE} x "
                  "WHERE x.originator_id = wanted.id OFFSET 0) e")
    try:
        async with pool.acquire() as conn:
            async with conn.transaction():
                await conn.execute(f"CREATE SCHEMA {scratch}")
                # A few aggregates (as-of) are copied out by their ids, one index lookup
                # each, so the runner's ordered batches never walk the whole log looking
                # for them; a whole log (replay) is read through a view, never copied.
                kind = "VIEW" if originators is None else "TABLE"
                await conn.execute(
                    f"CREATE {kind} {scratch}.{EVENTS_TABLE} AS SELECT e.notification_id, "
                    "e.originator_id, e.originator_version, e.topic, e.state "
                    f"FROM {source} WHERE e.notification_id <= {int(until)}")
                await conn.execute(tenant_ddl(scratch))
                await ensure_tracking(conn, scratch)
            await catch_up(conn, scratch, batch_size=5000, keys=keys)
        yield scratch
    finally:
        async with pool.acquire() as conn:
            await conn.execute(f"DROP SCHEMA IF EXISTS {scratch} CASCADE")
            await conn.execute("DELETE FROM platform.log_progress WHERE schema_name = $1",
                               scratch)


@dataclass(frozen=True)
class Difference:
    table: str
    only_in: str  # "live" or "replay"
    row: dict[str, Any]


@dataclass(frozen=True)
class Comparison:
    position: int
    tables: int
    rows: int
    difference: Difference | None
    compared: bool = True  # False: replayed to an earlier point, nothing live to compare

    @property
    def equal(self) -> bool:
        return self.compared and self.difference is None


def read_model_tables(projections: Sequence[type[Projection]] = PROJECTIONS) -> list[str]:
    return [t for p in projections for t in p.tables]


Snapshot = dict[str, tuple[list[str], list[tuple[Any, ...]]]]


async def _columns(conn: Any, schema: str, table: str) -> list[str]:
    return [r["column_name"] for r in await conn.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 "
        "AND table_name = $2 ORDER BY ordinal_position", schema, table)]


async def _rows(conn: Any, schema: str, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    cols = ", ".join(columns)
    order = ", ".join(str(i + 1) for i in range(len(columns)))
    records = await conn.fetch(f"SELECT {cols} FROM {schema}.{table} ORDER BY {order}")
    return [tuple(r) for r in records]


async def snapshot(pool: asyncpg.Pool, schema: str) -> tuple[int, Snapshot]:
    """The live read models and the position they reflect, from one consistent snapshot
    (the projector keeps running: rows and tracking commit together, so they agree)."""
    tables: Snapshot = {}
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read",
                                                        readonly=True):
        position = int(await conn.fetchval(
            f"SELECT coalesce(min(position), 0) FROM {schema}.projection_tracking "
            "WHERE projection = ANY($1::text[])", [p.name for p in PROJECTIONS]))
        for table in read_model_tables():
            columns = await _columns(conn, schema, table)
            tables[table] = (columns, await _rows(conn, schema, table, columns))
    return position, tables


async def compare(pool: asyncpg.Pool, live: Snapshot, scratch: str,
                  position: int) -> Comparison:
    """Every read-model table rebuilt in ``scratch`` against the live snapshot, row for row."""
    total = 0
    async with pool.acquire() as conn:
        for table, (columns, a) in live.items():
            b = await _rows(conn, scratch, table, columns)
            total += len(b)
            if a != b:
                only_live = sorted(set(a) - set(b), key=repr)
                only_replay = sorted(set(b) - set(a), key=repr)
                side, row = (("live", only_live[0]) if only_live else
                             ("replay", only_replay[0]) if only_replay else ("live", a[0]))
                return Comparison(position, len(live), total,
                                  Difference(table, side, dict(zip(columns, row, strict=True))))
    return Comparison(position, len(live), total, None)


async def replay_tenant(pool: asyncpg.Pool, schema: str, until: int | None = None,
                        keys: KeySource | None = None) -> Comparison:
    """``congtam replay``: rebuild the read models from the log in a scratch schema.

    Without ``until`` (or with ``until`` at the live position) the rebuilt tables are
    compared with the live ones, row for row, and the first difference is named. With an
    earlier ``until`` there is nothing live to compare with: the counts are reported.
    """
    live_position, live = await snapshot(pool, schema)
    if until is None:
        # Live must have reached the head of the log: a projection that stopped short (an
        # event it could not apply) is a difference, not an "equal" up to where it stopped.
        # A projector merely behind gets a few seconds to catch up.
        async with pool.acquire() as conn:
            head = await head_position(conn, schema)
        for _ in range(STOPPED_SHORT_TRIES):
            if live_position >= head:
                break
            await asyncio.sleep(0.5)
            live_position, live = await snapshot(pool, schema)
        if live_position < head:
            found: dict[str, Any] = {"live_position": live_position, "head": head,
                                     "note": "live projection stopped short of the log's head"}
            try:
                async with scratch_replay(pool, schema, head, keys=keys) as scratch, \
                        pool.acquire() as conn:
                    found["replay_position"] = await tracked_position(conn, scratch)
            except ProjectionStalledError as stall:
                found.update(replay_position=stall.first - 1, projection=stall.projection,
                             error=stall.cause)
            return Comparison(live_position, len(live), 0,
                              Difference("projection_tracking", "live", found))
    stop = live_position if until is None else until
    async with scratch_replay(pool, schema, stop, keys=keys) as scratch:
        if stop != live_position:
            async with pool.acquire() as conn:
                rows = 0
                for table in live:
                    rows += int(await conn.fetchval(f"SELECT count(*) FROM {scratch}.{table}"))
            return Comparison(stop, len(live), rows, None, compared=False)
        return await compare(pool, live, scratch, stop)


@dataclass(frozen=True)
class DomainReplay:
    aggregates: int
    events: int
    failure: str | None  # the first aggregate the domain could not rebuild, and why


async def domain_replay(conn: Any, schema: str, until: int) -> DomainReplay:
    """Every aggregate rebuilt by the domain from its events up to ``until`` (the same
    mutators the application uses): proves each recorded event still applies."""
    aggregates = events = 0
    current: UUID | None = None
    aggregate: Any = None
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        cursor = conn.cursor(
            f"SELECT notification_id, originator_id, originator_version, topic, state "
            f"FROM {schema}.{EVENTS_TABLE} WHERE notification_id <= $1 "
            "ORDER BY originator_id, originator_version", until, prefetch=2000)
        async for row in cursor:
            if row["originator_id"] != current:
                current, aggregate = row["originator_id"], None
                aggregates += 1
            try:
                aggregate = decode(row).mutate(aggregate)  # type: ignore[attr-defined]
            except Exception as error:  # any failure is the finding: report, don't crash
                return DomainReplay(aggregates, events,
                                    f"{row['topic']} at position {row['notification_id']} "
                                    f"(aggregate {current}): {error!r}")
            events += 1
    return DomainReplay(aggregates, events, None)
