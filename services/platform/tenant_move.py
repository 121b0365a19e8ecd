"""``congtam tenant move SLUG --to DB``: move a tenant's schema to another database.

The steps, each of which must succeed before the next:

1. **Record** ``MoveStarted`` in the platform log (refused if a move of the tenant is
   already running), so every attempt is on record.
2. **Verify the source**: its hash chain, and every checkpoint published of it, exactly as
   ``congtam verify`` does. A tampered log is never copied anywhere.
3. **Fence the source**: under the event table's lock (so every append in flight has
   committed, and will be copied), its row in ``platform.log_progress`` is marked fenced.
   From then on the append trigger refuses every write with SQLSTATE ``CTMOV``, which the
   API answers as ``TENANT_MOVING`` (retry later). The fence lives in the source database
   itself, so no process can slip a write past it, whatever its directory says.
4. **Copy** the log into a fresh schema in the target, in log order, with the same ids,
   versions, positions, topics and states. The target's own chain trigger recomputes
   every ``chain_hash`` from the rows, so the copy's chain proves itself.
5. **Check**: the same count, last position and chain head on both sides, and the
   target verifies as ``congtam verify`` would.
6. **Build** the read models on the target from its log.
7. **Switch**: ``Moved`` in the platform log (the directory changes with its projection)
   and ``NOTIFY congtam_placement`` so every process reloads its directory.

A failure anywhere before the switch drops the target's copy, lifts the fence and records
``MoveAborted`` with the reason: the tenant is served from the source as before.

After a move the source copy is **kept, fenced** (read-only): it is never projected nor
read again, nothing can be appended to it, and it is evidence of the move until an
operator drops it (``DROP SCHEMA t_<slug> CASCADE`` in the source database). A later move
back to that database replaces it. Personal-data keys stay in the home database, whichever
database holds the log, so an erasure after a move works as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import anyio
import asyncpg
import structlog

from domain.actor import Actor
from domain.errors import DomainError, ValidationFailedError
from projections.runner import catch_up
from services.audit.checkpoints import checkpoints, first_unkept
from services.platform.tenants import Tenant, mark_provisioned, provision
from services.settings import HOME_DATABASE
from services.store.eventstore import EVENTS_TABLE
from services.store.integrity import verify
from services.store.placement import PLACEMENT_CHANNEL, Database, UnknownDatabaseError

if TYPE_CHECKING:
    from services.runtime import Runtime

log = structlog.get_logger()

COPY_BATCH = 5000
_COLUMNS = ["notification_id", "originator_id", "originator_version", "topic", "state"]


class MoveRefusedError(DomainError):
    """A chain broken on either side, or a copy that differs from its source: the tenant
    stays where it was."""

    code = "MOVE_REFUSED"


@dataclass(frozen=True)
class Side:
    events: int
    last_position: int
    head: bytes  # the chain hash of the last event


@dataclass(frozen=True)
class MoveReport:
    tenant: str
    source: str
    target: str
    before: Side  # the source, fenced
    after: Side  # the target, before the switch
    seconds: float
    fenced_seconds: float  # how long writes were refused


Step = Callable[[str], None]
Copied = Callable[[int, int], None]  # (events copied so far, events in all)


async def move_tenant(rt: Runtime, actor: Actor, slug: str, to: str, *,
                      on_step: Step | None = None, on_copied: Copied | None = None,
                      on_built: Copied | None = None) -> MoveReport:
    """Move ``slug`` to database ``to`` (see the module's doc); the report is checked."""
    step = on_step or (lambda _: None)
    tenant = await rt.registry.get(slug)
    if to not in rt.directory.databases:
        raise UnknownDatabaseError(
            f"Không có cơ sở dữ liệu '{to}' (có: {', '.join(sorted(rt.directory.databases))}).",
            f"No database '{to}' is configured (known: "
            f"{', '.join(sorted(rt.directory.databases))}).")
    await rt.directory.load()
    source = rt.directory.database_of(slug)
    target = rt.directory.databases[to]
    if source is target:
        raise ValidationFailedError(f"Đơn vị đã nằm ở cơ sở dữ liệu '{to}'.",
                                    f"The tenant is already in database '{to}'.")
    started = time.perf_counter()
    step(f"record the move {source.name} → {target.name}")
    await rt.platform.start_move(actor, slug, HOME_DATABASE, to)
    fenced_at: float | None = None
    copied = False
    try:
        step(f"verify the source ({source.name})")
        await _verify(rt.pool, source, tenant, "source")
        step("fence the source: writes now answer TENANT_MOVING")
        await _fence(source, tenant.schema, True)
        fenced_at = time.perf_counter()
        before = await _side(source.pool, tenant.schema)
        step(f"copy {before.events} events to {target.name}")
        await _prepare_target(rt, target, tenant)
        copied = True
        await _copy(source.pool, target.pool, tenant.schema, before.events, on_copied)
        after = await _side(target.pool, tenant.schema)
        if after != before:
            raise MoveRefusedError(
                "Bản sao không khớp với nguồn (số sự kiện, vị trí cuối hoặc đầu chuỗi băm).",
                f"The copy does not match the source: source {before.events} events up to "
                f"{before.last_position}, head {before.head.hex()}; target {after.events} "
                f"up to {after.last_position}, head {after.head.hex()}.")
        step(f"verify the target ({target.name})")
        await _verify(rt.pool, target, tenant, "target")
        step("build the read models on the target")
        keys = None if target.name == HOME_DATABASE else rt.pool
        async with target.pool.acquire() as conn:
            built = 0

            def counted(n: int) -> None:
                nonlocal built
                built += n
                if on_built is not None:
                    on_built(built, after.events)
            await catch_up(conn, tenant.schema, keys=keys, on_batch=counted)
        step("switch the directory")
        await rt.platform.finish_move(actor, slug, after.events, after.head)
    except BaseException as error:
        with anyio.CancelScope(shield=True):
            await _undo(rt, actor, source, target, tenant, fenced_at is not None, copied,
                        error)
        raise
    await rt.pool.execute("SELECT pg_notify($1, $2)", PLACEMENT_CHANNEL, slug)
    await rt.directory.load()
    finished = time.perf_counter()
    report = MoveReport(slug, source.name, target.name, before, after, finished - started,
                        finished - (fenced_at or finished))
    log.info("tenant_moved", tenant=slug, source=source.name, target=target.name,
             events=after.events, head=after.head.hex(), seconds=round(report.seconds, 3))
    return report


async def _undo(rt: Runtime, actor: Actor, source: Database, target: Database, tenant: Tenant,
                fenced: bool, copied: bool, error: BaseException) -> None:
    """Leave the tenant served from the source, unfenced, and say why on the record."""
    reason = (error.message_en if isinstance(error, DomainError)
              else f"{type(error).__name__}: {error}")
    placed = await anyio.to_thread.run_sync(rt.platform.log.placement, tenant.slug,
                                            HOME_DATABASE)
    if placed.moving_to is None and placed.database == target.name:
        # The switch was recorded before the failure (e.g. while projecting it): the target
        # is the tenant's database now; undoing would drop its only served copy.
        await rt.platform.catch_up()
        log.error("tenant_move_failed_after_switch", tenant=tenant.slug, reason=reason)
        return
    try:
        if copied:
            await _drop_copy(target.pool, tenant.schema)
        if fenced:
            await _fence(source, tenant.schema, False)
        await rt.platform.abort_move(actor, tenant.slug, reason)
    except Exception:
        log.exception("tenant_move_undo_failed", tenant=tenant.slug)
        raise
    log.warning("tenant_move_aborted", tenant=tenant.slug, reason=reason)


async def _verify(home: asyncpg.Pool, db: Database, tenant: Tenant, side: str) -> None:
    """What ``congtam verify`` checks: the chain, and every published checkpoint's head."""
    result = await verify(db.pool, tenant.schema)
    if not result.ok:
        raise MoveRefusedError(
            f"Chuỗi băm của '{tenant.slug}' ở {'nguồn' if side == 'source' else 'đích'} "
            f"({db.name}) bị phá vỡ tại vị trí {result.position}; không chuyển.",
            f"The hash chain of '{tenant.slug}' in the {side} ({db.name}) is broken at "
            f"position {result.position}; not moved.")
    published = await checkpoints(home, tenant.slug)
    async with db.pool.acquire() as conn:
        unkept = await first_unkept(conn, tenant.schema, published)
    if unkept is not None:
        raise MoveRefusedError(
            f"Nhật ký của '{tenant.slug}' ở {db.name} không còn đầu chuỗi đã công bố tại vị trí "
            f"{unkept.position}; không chuyển.",
            f"The log of '{tenant.slug}' in {db.name} no longer has the head published at "
            f"position {unkept.position}; not moved.")


async def _fence(db: Database, schema: str, on: bool) -> None:
    async with db.pool.acquire() as conn, conn.transaction():
        if on:
            # Waits for every append in flight (they hold this lock until they commit).
            await conn.execute(f"LOCK TABLE {schema}.{EVENTS_TABLE} IN EXCLUSIVE MODE")
        await conn.execute(
            "INSERT INTO platform.log_progress AS p (schema_name, fenced) VALUES ($1, $2) "
            "ON CONFLICT (schema_name) DO UPDATE SET fenced = EXCLUDED.fenced", schema, on)


async def _side(pool: asyncpg.Pool, schema: str) -> Side:
    t = f"{schema}.{EVENTS_TABLE}"
    row = await pool.fetchrow(
        f"SELECT count(*) AS n, coalesce(max(notification_id), 0) AS last, "
        f"(SELECT chain_hash FROM {t} ORDER BY notification_id DESC LIMIT 1) AS head "
        f"FROM {t}")
    assert row is not None
    return Side(int(row["n"]), int(row["last"]), bytes(row["head"] or b""))


async def _prepare_target(rt: Runtime, target: Database, tenant: Tenant) -> None:
    """A fresh schema in the target. A copy left there by an earlier move away (fenced) is
    replaced; any other schema of that name is not ours to touch."""
    schema = tenant.schema
    exists = await target.pool.fetchval(
        "SELECT 1 FROM pg_namespace WHERE nspname = $1", schema)
    if exists:
        left_behind = await target.pool.fetchval(
            "SELECT fenced FROM platform.log_progress WHERE schema_name = $1", schema)
        if not left_behind:
            raise MoveRefusedError(
                f"Cơ sở dữ liệu '{target.name}' đã có lược đồ {schema} không phải bản sao cũ; "
                "không ghi đè.",
                f"Database '{target.name}' already has a schema {schema} that is not a copy "
                "left by an earlier move; not overwritten.")
        await _drop_copy(target.pool, schema)
    await target.pool.execute(f"CREATE SCHEMA {schema}")
    await anyio.to_thread.run_sync(rt.apps.create_tables, tenant.slug, target.shared)
    async with target.pool.acquire() as conn, conn.transaction():
        await provision(conn, schema)
        await mark_provisioned(conn, schema, target.name)


async def _drop_copy(pool: asyncpg.Pool, schema: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.execute("DELETE FROM platform.log_progress WHERE schema_name = $1", schema)


async def _copy(source: asyncpg.Pool, target: asyncpg.Pool, schema: str, total: int,
                on_copied: Copied | None) -> None:
    """The log in order, batch by batch, in one target transaction (all or nothing). Each
    row passes the target's chain trigger, which recomputes its hash from the row before."""
    t = f"{schema}.{EVENTS_TABLE}"
    done = 0
    async with source.acquire() as src, target.acquire() as dst, dst.transaction():
        await dst.execute(f"LOCK TABLE {t} IN EXCLUSIVE MODE")
        after = 0
        while True:
            rows = await src.fetch(
                f"SELECT {', '.join(_COLUMNS)} FROM {t} WHERE notification_id > $1 "
                "ORDER BY notification_id LIMIT $2", after, COPY_BATCH)
            if not rows:
                break
            await dst.copy_records_to_table(
                EVENTS_TABLE, schema_name=schema, columns=_COLUMNS,
                records=[tuple(r) for r in rows])
            after = rows[-1]["notification_id"]
            done += len(rows)
            if on_copied is not None:
                on_copied(done, total)
        # New appends in the target continue after the copied positions.
        await dst.execute(
            f"SELECT setval(pg_get_serial_sequence('{t}', 'notification_id'), "
            f"greatest((SELECT max(notification_id) FROM {t}), 1), "
            f"(SELECT max(notification_id) IS NOT NULL FROM {t}))")
