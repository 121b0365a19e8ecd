"""The auditor's paths over a big tenant: chain verification, bundle export, as-of.

The generated tenants are small (the generator goes through the real domain, ~200
events/s), so the auditor's paths run on ``bench-audit``: a copy of the biggest tenant's
log, padded with copies of its events under other aggregate ids (appended through the
real chain trigger) up to ``AUDIT_EVENTS[scale]``. Each path is read against
``baseline_read_audit``: every row of that same table through a cursor, doing nothing.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench.cpu import cpu_stopwatch
from bench.stats import Measure, stopwatch
from projections.codec import decode
from projections.runner import EVENTS_TABLE, head_position
from services.audit.as_of import unit_month_as_of
from services.audit.export import export
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.store.integrity import verify

AUDIT_SLUG = "bench-audit"
AUDIT_EVENTS = {"tiny": 5_000, "small": 200_000, "medium": 200_000, "district": 1_000_000,
                "city": 1_000_000, "hanoi": 200_000, "national": 200_000}
_SET_UP_TIMEOUT_S = 1800.0


async def prepare_audit_tenant(rt: Runtime, source: Tenant, events: int) -> Tenant:
    """``bench-audit``: ``source``'s log, then copies of it under new aggregate ids."""
    tenant = await rt.registry.register(AUDIT_SLUG, "Bench audit tenant", "ward")
    src, dst = f"{source.schema}.{EVENTS_TABLE}", f"{tenant.schema}.{EVENTS_TABLE}"
    have = int(await rt.pool.fetchval(f"SELECT count(*) FROM {src}"))
    copies = max(1, -(-events // max(have, 1)))
    async with rt.pool.acquire() as conn, conn.transaction():
        # Set-up, not a measured path: one statement appending the whole padded log through
        # the chain trigger outlasts the runtime's statement timeout.
        await conn.execute("SET LOCAL statement_timeout = 0")
        # Copy 0 keeps the real aggregate ids (the as-of path reads those); later copies
        # are other aggregates with the same payloads, as other units' months would be.
        await conn.execute(
            f"INSERT INTO {dst} (originator_id, originator_version, topic, state) "
            "SELECT CASE WHEN g = 0 THEN e.originator_id "
            "ELSE md5(e.originator_id::text || g)::uuid END, "
            "e.originator_version, e.topic, e.state "
            f"FROM generate_series(0, $1 - 1) g, {src} e ORDER BY g, e.notification_id",
            copies, timeout=_SET_UP_TIMEOUT_S)
    return tenant


async def baseline_read_audit(rt: Runtime, tenant: Tenant) -> Measure:
    """Every row of the audit tenant's log through a server-side cursor, doing nothing."""
    count = 0
    async with rt.pool.acquire() as conn, conn.transaction():
        with cpu_stopwatch(rt) as watch:
            async for _row in conn.cursor(
                f"SELECT notification_id, originator_id, originator_version, topic, state, "
                f"chain_hash FROM {tenant.schema}.{EVENTS_TABLE} ORDER BY notification_id",
                prefetch=1000,
            ):
                count += 1
    return Measure("baseline_read_audit", "rows/s", count, watch.seconds,
                   extra={"tenant": tenant.slug, **watch.per_item(count)})


async def verify_chain(rt: Runtime, tenant: Tenant) -> Measure:
    """``congtam verify``'s work: every link of the chain rechecked from the rows (copied in
    binary in parallel ranges over the read pool, each link hashed by the client)."""
    with cpu_stopwatch(rt) as watch:
        result = await verify(rt.pool, tenant.schema)
    if not result.ok:
        raise RuntimeError(f"chain of {tenant.slug} broken at {result.position}")
    return Measure("verify", "events/s", result.events, watch.seconds,
                   baseline="baseline_read_audit",
                   extra={"tenant": tenant.slug, **watch.per_item(result.events)})


async def export_bundle(rt: Runtime, tenant: Tenant) -> Measure:
    """``congtam export``'s work: the whole log to JSON Lines plus the manifest (parallel
    slices over the read pool, as the command does)."""
    with tempfile.TemporaryDirectory(prefix="congtam-bench-export-") as tmp:
        async with rt.pool.acquire() as conn:
            with cpu_stopwatch(rt) as watch:
                bundle = await export(conn, tenant, Path(tmp) / "bundle", pool=rt.pool)
            size = (bundle.path / "events.jsonl").stat().st_size
    return Measure("export", "events/s", bundle.events, watch.seconds,
                   baseline="baseline_read_audit",
                   extra={"tenant": tenant.slug, "bytes": size, **watch.per_item(bundle.events)})


async def as_of_unit_month(rt: Runtime, tenant: Tenant, repeats: int = 10) -> Measure:
    """A unit's month board as of the head of the padded log (the as-of query: resolve the
    month's aggregates by id, replay them into a scratch schema, read the board)."""
    async with rt.pool.acquire() as conn:
        row = await conn.fetchrow(
            f"SELECT notification_id, originator_id, originator_version, topic, state "
            f"FROM {tenant.schema}.{EVENTS_TABLE} "
            "WHERE topic = 'domain.period:EvaluationPeriod.Opened' "
            "ORDER BY notification_id LIMIT 1")
        head = await head_position(conn, tenant.schema)
    if row is None:
        raise RuntimeError(f"no month opened in {tenant.slug}")
    opened: Any = decode(row)
    latencies: list[float] = []
    rated = 0
    with stopwatch() as watch:
        for _ in range(repeats):
            started = time.perf_counter()
            board = await unit_month_as_of(rt.pool, tenant.schema, opened.unit_id,
                                           opened.year, opened.number, head)
            latencies.append((time.perf_counter() - started) * 1000)
            rated = len(board.ratings)
    return Measure("as_of_unit_month", "queries/s", repeats, watch.seconds,
                   baseline="baseline_read_audit", latencies_ms=latencies,
                   extra={"tenant": tenant.slug, "log_events": head, "board_rows": rated})


async def drop_audit_tenant(rt: Runtime, tenant: Tenant) -> None:
    async with rt.pool.acquire() as conn, conn.transaction():
        await conn.execute("DELETE FROM platform.tenants WHERE slug = $1", tenant.slug)
        await conn.execute("DELETE FROM platform.log_progress WHERE schema_name = $1",
                           tenant.schema)
        await conn.execute(f"DROP SCHEMA {tenant.schema} CASCADE")
    rt.registry._cache.pop(tenant.slug, None)
