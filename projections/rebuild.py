"""Rebuild read models beside the live ones, then swap them in atomically.

``congtam rebuild`` must never show an empty dashboard: the live tables keep serving (and
the live projector keeps them current) while fresh copies are built from the log in a
shadow schema ``<schema>__rebuild``. Then, in one transaction under the tenant's projector
lock: the shadow copies catch up with whatever was appended meanwhile, the live tables move
out, the shadow tables move in (``ALTER TABLE … SET SCHEMA``: indexes and constraints come
along), and the projection's tracking row takes the shadow's position. Readers wait for
that short transaction at most; they see either the old tables or the new ones.

Projections own disjoint tables (each reads and writes only its own), which is what lets
one projection be rebuilt alone with ``--projection``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from storage.db import DbConn, KeySource

from projections.base import Projection
from projections.fold import FoldCache, collector_paused
from projections.progress import record_tracked
from projections.registry import PROJECTIONS, tenant_ddl_deferred
from projections.runner import EVENTS_TABLE, catch_up, ensure_tracking, lock_key

REBUILD_BATCH = 5000
# Folded rows a rebuild holds in memory before it writes them and reads the tables instead.
FOLD_CACHE_ROWS = 1_000_000


def shadow_of(schema: str) -> str:
    return f"{schema}__rebuild"


def retired_of(schema: str) -> str:
    return f"{schema}__retired"


@dataclass
class Rebuilt:
    events: int  # events applied to the fresh tables
    position: int  # the log position they reached at the swap
    projections: tuple[str, ...]


async def log_head(conn: DbConn, schema: str) -> int:
    value = await conn.fetchval(f"SELECT max(notification_id) FROM {schema}.{EVENTS_TABLE}")
    return int(value or 0)


async def swap_rebuild(
    conn: DbConn,
    schema: str,
    projections: Sequence[type[Projection]] = PROJECTIONS,
    *,
    on_batch: Callable[[int], None] | None = None,
    before_swap: Callable[[], Awaitable[None]] | None = None,
    batch_size: int = REBUILD_BATCH,
    keys: KeySource | None = None,
) -> Rebuilt:
    """Build ``projections`` afresh from ``schema``'s log beside the live tables, then swap.

    ``keys``: where personal-data keys are (the home database, for a tenant placed away)."""
    shadow, retired = shadow_of(schema), retired_of(schema)
    if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", lock_key(shadow)):
        raise RebuildRunningError(f"a rebuild of {schema} is already running")
    try:
        return await _swap_rebuild(conn, schema, shadow, retired, projections, on_batch,
                                   before_swap, batch_size, keys)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", lock_key(shadow))


async def _grants_on(conn: DbConn, schema: str,
                     tables: Sequence[str]) -> list[tuple[str, str, str]]:
    """The privileges granted on live tables to roles other than their owner: (table,
    privilege, role), one query for them all."""
    rows = await conn.fetch(
        "SELECT c.relname, a.privilege_type, r.rolname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "CROSS JOIN LATERAL aclexplode(c.relacl) a "
        "JOIN pg_roles r ON r.oid = a.grantee "
        "WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND a.grantee <> c.relowner "
        "ORDER BY c.relname, r.rolname, a.privilege_type",
        schema, list(tables))
    return [(r["relname"], r["privilege_type"], r["rolname"]) for r in rows]


class RebuildRunningError(RuntimeError):
    pass


async def _swap_rebuild(
    conn: DbConn, schema: str, shadow: str, retired: str,
    projections: Sequence[type[Projection]], on_batch: Callable[[int], None] | None,
    before_swap: Callable[[], Awaitable[None]] | None, batch_size: int,
    keys: KeySource | None = None,
) -> Rebuilt:
    await conn.execute(f"DROP SCHEMA IF EXISTS {shadow} CASCADE; CREATE SCHEMA {shadow}")
    try:
        tables, indexes = tenant_ddl_deferred(shadow)
        await conn.execute(tables)
        await ensure_tracking(conn, shadow, projections)
        # The shadow's folded rows stay in memory from batch to batch (nobody else reads
        # or writes them; a failure drops the shadow whole), each written once at the end.
        cache = FoldCache(FOLD_CACHE_ROWS)
        # Every row held is alive until written: no cycle for the collector to find, and
        # its passes over the growing heap would cost more than the folding.
        with collector_paused():
            built = await catch_up(conn, shadow, projections, batch_size=batch_size,
                                   events_schema=schema, on_batch=on_batch, keys=keys,
                                   cache=cache)
            async with conn.transaction():
                await cache.flush(conn, shadow)
        # The tables are full: their secondary indexes in one pass each, and statistics,
        # so the first dashboards read after the swap are planned on what is there.
        await conn.execute(indexes)
        tables_of = [t for p in projections for t in p.tables]
        await conn.execute("ANALYZE " + ", ".join(f"{shadow}.{t}" for t in tables_of))
        if before_swap is not None:
            await before_swap()
        async with conn.transaction():
            # The live projector of this tenant waits here; writers do not.
            await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(schema))
            tail = await catch_up(conn, shadow, projections, batch_size=batch_size,
                                  events_schema=schema, on_batch=on_batch, keys=keys)
            position = tail.position
            await conn.execute(f"DROP SCHEMA IF EXISTS {retired} CASCADE; "
                               f"CREATE SCHEMA {retired}")
            # The swap in one round trip (the live projector waits for it): each table
            # out, its fresh copy in, and the tenant's reader and projector roles
            # (services/store/dbroles.py) keep exactly the privileges they had on the
            # table it replaces.
            moves = [f"ALTER TABLE {schema}.{table} SET SCHEMA {retired}; "
                     f"ALTER TABLE {shadow}.{table} SET SCHEMA {schema}"
                     for table in tables_of]
            moves += [f'GRANT {privilege} ON {schema}.{table} TO "{role}"'
                      for table, privilege, role in await _grants_on(conn, schema, tables_of)]
            await conn.execute("; ".join(moves))
            await conn.executemany(
                f"UPDATE {schema}.projection_tracking SET position = $2 WHERE projection = $1",
                [(p.name, position) for p in projections])
            await record_tracked(conn, schema, [p.name for p in PROJECTIONS])
            await conn.execute(f"DROP SCHEMA {retired} CASCADE")
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {shadow} CASCADE")
    return Rebuilt(built.applied + tail.applied, position, tuple(p.name for p in projections))
