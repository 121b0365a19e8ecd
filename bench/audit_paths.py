"""The auditor's paths over a big tenant: chain verification, bundle export, as-of.

The generated tenants are small (the generator goes through the real domain, ~200
events/s), so the auditor's paths run on ``bench-audit``: a copy of the biggest tenant's
log, padded with copies of its events under other aggregate ids (appended through the
real chain trigger) up to ``AUDIT_EVENTS[scale]``. Each path is read against
``baseline_read_audit``: every row of that same table through a cursor, doing nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.stats import Measure, stopwatch
from projections.runner import EVENTS_TABLE
from services.audit.export import export
from services.integrity import verify
from services.runtime import Runtime
from services.tenants import Tenant

AUDIT_SLUG = "bench-audit"
AUDIT_EVENTS = {"tiny": 5_000, "small": 200_000, "city": 1_000_000, "national": 200_000}


async def prepare_audit_tenant(rt: Runtime, source: Tenant, events: int) -> Tenant:
    """``bench-audit``: ``source``'s log, then copies of it under new aggregate ids."""
    tenant = await rt.registry.register(AUDIT_SLUG, "Bench audit tenant", "ward")
    src, dst = f"{source.schema}.{EVENTS_TABLE}", f"{tenant.schema}.{EVENTS_TABLE}"
    have = int(await rt.pool.fetchval(f"SELECT count(*) FROM {src}"))
    copies = max(1, -(-events // max(have, 1)))
    async with rt.pool.acquire() as conn, conn.transaction():
        # Copy 0 keeps the real aggregate ids (the as-of path reads those); later copies
        # are other aggregates with the same payloads, as other units' months would be.
        await conn.execute(
            f"INSERT INTO {dst} (originator_id, originator_version, topic, state) "
            "SELECT CASE WHEN g = 0 THEN e.originator_id "
            "ELSE md5(e.originator_id::text || g)::uuid END, "
            "e.originator_version, e.topic, e.state "
            f"FROM generate_series(0, $1 - 1) g, {src} e ORDER BY g, e.notification_id",
            copies)
    return tenant


async def baseline_read_audit(rt: Runtime, tenant: Tenant) -> Measure:
    """Every row of the audit tenant's log through a server-side cursor, doing nothing."""
    count = 0
    async with rt.pool.acquire() as conn, conn.transaction():
        with stopwatch() as watch:
            async for _row in conn.cursor(
                f"SELECT notification_id, originator_id, originator_version, topic, state, "
                f"chain_hash FROM {tenant.schema}.{EVENTS_TABLE} ORDER BY notification_id",
                prefetch=1000,
            ):
                count += 1
    return Measure("baseline_read_audit", "rows/s", count, watch.seconds,
                   extra={"tenant": tenant.slug})


async def verify_chain(rt: Runtime, tenant: Tenant) -> Measure:
    """``congtam verify``'s work: every link of the chain rechecked from the rows (set-wise
    in PostgreSQL, in parallel ranges over the read pool)."""
    with stopwatch() as watch:
        result = await verify(rt.pool, tenant.schema)
    if not result.ok:
        raise RuntimeError(f"chain of {tenant.slug} broken at {result.position}")
    return Measure("verify", "events/s", result.events, watch.seconds,
                   baseline="baseline_read_audit", extra={"tenant": tenant.slug})


async def export_bundle(rt: Runtime, tenant: Tenant) -> Measure:
    """``congtam export``'s work: the whole log to JSON Lines plus the manifest."""
    with tempfile.TemporaryDirectory(prefix="congtam-bench-export-") as tmp:
        async with rt.pool.acquire() as conn:
            with stopwatch() as watch:
                bundle = await export(conn, tenant, Path(tmp) / "bundle")
            size = (bundle.path / "events.jsonl").stat().st_size
    return Measure("export", "events/s", bundle.events, watch.seconds,
                   baseline="baseline_read_audit",
                   extra={"tenant": tenant.slug, "bytes": size})
