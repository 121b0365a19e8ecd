"""Raw asyncpg baselines (the floor this PostgreSQL gives) and the read-model rebuild.

The baseline table has the event table's shape and keys (uuid + bigint primary key, a
unique bigserial position, text topic, bytea state) but none of its machinery: no table
lock, no hash-chain trigger, no NOTIFY, no library. What a path costs above it is ours.
"""

from __future__ import annotations

import random
import time
import uuid

import anyio

from bench.cpu import cpu_stopwatch
from bench.stats import Measure, stopwatch
from projections.rebuild import swap_rebuild
from projections.runner import BACKLOG_BATCH_SIZE, EVENTS_TABLE, catch_up, reset
from services.platform.tenants import Tenant
from services.runtime import Runtime

TABLE = "events_like"
SCHEMA = "bench_baseline"
COLUMNS = ["originator_id", "originator_version", "topic", "state"]
TOPIC = "domain.evaluation:Evaluation.RatingDecided"


async def prepare_baseline_table(rt: Runtime) -> None:
    async with rt.pool.acquire() as conn:
        await conn.execute(f"""
            CREATE SCHEMA IF NOT EXISTS {SCHEMA};
            DROP TABLE IF EXISTS {SCHEMA}.{TABLE};
            CREATE TABLE {SCHEMA}.{TABLE} (
                originator_id uuid NOT NULL,
                originator_version bigint NOT NULL,
                topic text NOT NULL,
                state bytea NOT NULL,
                notification_id bigserial,
                PRIMARY KEY (originator_id, originator_version));
            CREATE UNIQUE INDEX ON {SCHEMA}.{TABLE} (notification_id);""")


async def mean_state_bytes(rt: Runtime, tenant: Tenant) -> int:
    """The real events' mean state size, so the baseline rows weigh what events weigh."""
    value = await rt.pool.fetchval(
        f"SELECT avg(octet_length(state))::int FROM {tenant.schema}.{EVENTS_TABLE}")
    return int(value or 300)


def _rows(count: int, state_bytes: int) -> list[tuple[uuid.UUID, int, str, bytes]]:
    rng = random.Random(count)  # seeded: the same filler every run
    return [(uuid.UUID(int=rng.getrandbits(128), version=4), 1, TOPIC,
             rng.randbytes(state_bytes)) for _ in range(count)]


async def baseline_insert_single(rt: Runtime, rows: int, state_bytes: int,
                                 budget_s: float) -> Measure:
    """One INSERT per row, each its own committed transaction, as each command is."""
    data = _rows(rows, state_bytes)
    latencies: list[float] = []
    sql = f"INSERT INTO {SCHEMA}.{TABLE} ({', '.join(COLUMNS)}) VALUES ($1, $2, $3, $4)"
    async with rt.pool.acquire() as conn:
        deadline = time.perf_counter() + budget_s
        with stopwatch() as watch:
            for row in data:
                started = time.perf_counter()
                await conn.execute(sql, *row)
                latencies.append((time.perf_counter() - started) * 1000)
                if started > deadline:
                    break
    return Measure("baseline_insert_single", "rows/s", len(latencies), watch.seconds,
                   latencies_ms=latencies, extra={"state_bytes": state_bytes})


async def baseline_insert_concurrent(rt: Runtime, rows: int, state_bytes: int, clients: int,
                                     budget_s: float) -> Measure:
    """Single-row INSERTs from ``clients`` connections at once, each its own committed
    transaction: the floor a decision at that many clients is read against (PostgreSQL
    flushes concurrent commits together, so this floor rises with the clients)."""
    import asyncpg  # the read side's driver; only this floor opens connections of its own

    rng = random.Random(f"clients-{clients}")  # not the single-client rows: no unique clash
    data = [(uuid.UUID(int=rng.getrandbits(128), version=4), 1, TOPIC,
             rng.randbytes(state_bytes)) for _ in range(rows)]
    sql = f"INSERT INTO {SCHEMA}.{TABLE} ({', '.join(COLUMNS)}) VALUES ($1, $2, $3, $4)"
    latencies: list[float] = []
    conns = [await asyncpg.connect(**rt.params.asyncpg_kwargs()) for _ in range(clients)]
    deadline = time.perf_counter() + budget_s

    async def client(conn: asyncpg.Connection, share: list[tuple[uuid.UUID, int, str, bytes]]
                     ) -> None:
        for row in share:
            started = time.perf_counter()
            await conn.execute(sql, *row)
            latencies.append((time.perf_counter() - started) * 1000)
            if started > deadline:
                break

    try:
        with stopwatch() as watch:
            async with anyio.create_task_group() as tg:
                for index, conn in enumerate(conns):
                    tg.start_soon(client, conn, data[index::clients])
    finally:
        for conn in conns:
            await conn.close()
    return Measure(f"baseline_insert_c{clients}", "rows/s", len(latencies), watch.seconds,
                   latencies_ms=latencies, concurrency=clients,
                   extra={"state_bytes": state_bytes})


async def baseline_copy(rt: Runtime, rows: int, state_bytes: int) -> Measure:
    """The bulk floor: one COPY of ``rows`` rows in one transaction."""
    data = _rows(rows, state_bytes)
    async with rt.pool.acquire() as conn:
        with stopwatch() as watch:
            await conn.copy_records_to_table(TABLE, records=data, columns=COLUMNS,
                                             schema_name=SCHEMA)
    return Measure("baseline_copy", "rows/s", rows, watch.seconds,
                   extra={"state_bytes": state_bytes})


async def baseline_read(rt: Runtime, tenant: Tenant) -> Measure:
    """Every row of the tenant's event log through a server-side cursor, doing nothing."""
    count = 0
    async with rt.pool.acquire() as conn, conn.transaction():
        with cpu_stopwatch(rt) as watch:
            async for _row in conn.cursor(
                f"SELECT notification_id, originator_id, originator_version, topic, state "
                f"FROM {tenant.schema}.{EVENTS_TABLE} ORDER BY notification_id",
                prefetch=1000,
            ):
                count += 1
    return Measure("baseline_read", "rows/s", count, watch.seconds,
                   extra={"tenant": tenant.slug, **watch.per_item(count)})


async def rebuild(rt: Runtime, tenant: Tenant) -> Measure:
    """``congtam rebuild``'s work: every read model built from the whole log beside the live
    tables (batches of 5,000), then swapped in."""
    async with rt.pool.acquire() as conn:
        with cpu_stopwatch(rt) as watch:
            result = await swap_rebuild(conn, tenant.schema)
    return Measure("rebuild", "events/s", result.events, watch.seconds,
                   baseline="baseline_read",
                   extra={"tenant": tenant.slug, **watch.per_item(result.events)})


async def catch_up_from_zero(rt: Runtime, tenant: Tenant) -> Measure:
    """The projector's work after ``reset``: the whole log, in place, in batches of 1,000
    growing as the projector's do while it is behind."""
    async with rt.pool.acquire() as conn:
        await reset(conn, tenant.schema)
        with cpu_stopwatch(rt) as watch:
            result = await catch_up(conn, tenant.schema, backlog_batch_size=BACKLOG_BATCH_SIZE)
    if result.skipped:
        raise RuntimeError(f"catch-up of {tenant.slug} skipped: another projector holds it")
    return Measure("catch_up", "events/s", result.applied, watch.seconds,
                   baseline="baseline_read",
                   extra={"tenant": tenant.slug, **watch.per_item(result.applied)})


async def catch_up_all(rt: Runtime, tenants: list[Tenant]) -> int:
    """Bring every read model up to date (set-up, not measured), so the server's projector
    starts idle instead of competing with the requests being timed."""
    applied = 0
    async with rt.pool.acquire() as conn:
        for tenant in tenants:
            applied += (await catch_up(conn, tenant.schema)).applied
    return applied
