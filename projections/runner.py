"""Catch a tenant's read models up with its event log, exactly once.

Each batch runs in one transaction that (1) takes a per-tenant advisory lock, so two
projector processes never apply the same tenant at once, (2) reads the tracking positions
*after* taking the lock, (3) applies the events, and (4) writes the new positions. A crash
anywhere rolls the whole batch back: restart gives the same tables as a rebuild.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
import structlog
from storage.db import DbConn, KeySource
from storage.sealing import LoadedKeys, keys_of, subjects_in

from projections.base import Handler, Projection, Sql, Statement
from projections.codec import decode
from projections.fold import (
    FoldCache,
    FoldOps,
    Step,
    StepFailedError,
    Written,
    apply_folds,
    collector_paused,
)
from projections.progress import record_tracked
from projections.registry import PROJECTIONS

log = structlog.get_logger()

EVENTS_TABLE = "evaluations_events"
BATCH_SIZE = 1000
# A backlog (a full batch read) is applied in batches twice as big each time, up to this:
# each batch's statements and round trips are shared by more events, while a tenant only a
# few events behind still gets them in one small, quick batch.
BACKLOG_BATCH_SIZE = 5000
# Sent inside each batch's transaction, so it is delivered only once the batch is visible;
# payload "<schema>:<position>". Live dashboards (GraphQL subscriptions) listen to it.
PROJECTED_CHANNEL = "congtam_projected"
# A bulk statement's rows: UUIDs, datetimes, dates and decimals as their text, which is
# what PostgreSQL casts back from (projections.base.rows).
_ROWS = msgspec.json.Encoder()


# Taken with the tenant's lock, for this batch's transaction only: the commit does not wait
# for its WAL flush. Read-model rows and the tracking position still commit together or not
# at all, so a crash of the database can only lose the last batches whole, which the
# projector then applies again (the log itself is written with synchronous commits).
_LOCK_AND_SETTINGS = (
    "SELECT pg_try_advisory_xact_lock($1) "
    "AND set_config('synchronous_commit', 'off', true) IS NOT NULL"
)


def lock_key(schema: str) -> int:
    """A stable signed 64-bit advisory-lock key per tenant schema."""
    digest = hashlib.blake2b(schema.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class ProjectionStalledError(Exception):
    """A batch could not be applied: which projection, over which positions, and why.

    ``first == last`` names the one event; a wider range names a batch (the projector then
    retries that tenant one event at a time, which applies every good event before the bad
    one and names its exact position)."""

    def __init__(self, schema: str, projection: str, first: int, last: int,
                 cause: BaseException) -> None:
        super().__init__(f"{projection} stopped on {schema} at positions {first}..{last}: "
                         f"{type(cause).__name__}: {cause}")
        self.schema, self.projection, self.first, self.last = schema, projection, first, last
        self.cause = f"{type(cause).__name__}: {cause}"[:500]


@dataclass
class CatchUp:
    applied: int  # events applied in this call
    position: int  # the tracking position reached
    skipped: bool  # another process holds this tenant
    more: bool = False  # stopped at max_batches with events left


async def ensure_tracking(conn: DbConn, schema: str,
                          projections: Sequence[type[Projection]] = PROJECTIONS) -> None:
    await conn.executemany(
        f"INSERT INTO {schema}.projection_tracking (projection, position) VALUES ($1, 0) "
        "ON CONFLICT (projection) DO NOTHING",
        [(p.name,) for p in projections],
    )


async def catch_up(
    conn: DbConn,
    schema: str,
    projections: Sequence[type[Projection]] = PROJECTIONS,
    *,
    batch_size: int = BATCH_SIZE,
    until: int | None = None,
    events_table: str = EVENTS_TABLE,
    events_schema: str | None = None,
    on_batch: Callable[[int], None] | None = None,
    max_batches: int | None = None,
    keys: KeySource | None = None,
    cache: FoldCache | None = None,
    backlog_batch_size: int | None = None,
) -> CatchUp:
    """Apply every event after the tracked position (up to ``until``), batch by batch.

    ``events_schema`` reads the log of another schema: a rebuild fills fresh tables in a
    shadow schema from the tenant's log (and then the shadow is nobody's progress, so the
    platform's progress row and the ``congtam_projected`` wake-up are left alone).
    ``on_batch`` is told the size of every committed batch (a progress bar).
    ``max_batches`` stops after that many full batches (the projector's turn per tenant).
    ``keys`` is where personal-data keys are read (the home database, for a tenant placed
    in another one); by default ``conn``.
    ``cache``: a rebuild's folded rows, held between its batches and written by the
    rebuild at the end (``projections.fold.FoldCache``); only for a shadow's fresh tables,
    which nobody else reads or writes and which any failure drops whole.
    ``backlog_batch_size``: after each full batch the next one reads twice as many events,
    up to this (``BACKLOG_BATCH_SIZE``); by default every batch is ``batch_size``.

    Read-ahead: while a batch's statements run in PostgreSQL (the other core), the next
    batch's events — read in the same transaction — are decoded and turned into statements
    here. They are used only if the next transaction, under the lock, finds every
    projection exactly where this one left it and the same personal keys as when they
    were opened; otherwise they are dropped and read again. So the rows and the tracking
    positions still commit together, once.
    """
    shadow = events_schema is not None
    assert cache is None or shadow, "a fold cache is for a rebuild's own tables only"
    source = events_schema or schema
    applied = 0
    position = 0
    stop = until if until is not None else 2**62
    read = (f"SELECT notification_id, originator_id, originator_version, topic, state "
            f"FROM {source}.{events_table} "
            "WHERE notification_id > $1 AND notification_id <= $2 "
            "ORDER BY notification_id LIMIT $3")
    ahead: asyncio.Task[_Batch] | None = None
    key_src = keys if keys is not None else conn
    size = batch_size  # the next batch read's limit
    # The collector held off for the whole call, as for a rebuild's read: re-enabled
    # between slices of decoding, its passes over the batches' live objects were a sixth
    # of a catch-up's CPU. Objects are still freed at once (reference counting); a turn
    # of the projector is a few batches, and a nested pause leaves the outer one be.
    with collector_paused():
        try:
            while True:
                async with conn.transaction():
                    if not await conn.fetchval(_LOCK_AND_SETTINGS, lock_key(schema)):
                        return CatchUp(applied, position, skipped=True)
                    rows = await conn.fetch(
                        f"SELECT projection, position FROM {schema}.projection_tracking "
                        "WHERE projection = ANY($1::text[]) FOR UPDATE",
                        [p.name for p in projections],
                    )
                    tracked = {r["projection"]: r["position"] for r in rows}
                    start = min(tracked.get(p.name, 0) for p in projections)
                    batch: _Batch | None = None
                    if ahead is not None:
                        batch, ahead = await ahead, None
                        moved = any(tracked.get(p.name, 0) != batch.after for p in projections)
                        if moved or ((await keys_of(key_src, batch.subjects)).keys
                                     != batch.keys.keys):
                            batch = None  # someone else moved on, or a key was erased
                    if batch is None:
                        events = await conn.fetch(read, start, stop, size)
                        if not events:
                            return CatchUp(applied, start, skipped=False)
                        subjects = _subjects(events)
                        batch = _prepare(events, subjects, await keys_of(key_src, subjects),
                                         projections, schema, tracked, size)
                    started = time.perf_counter()
                    full = len(batch.events) == batch.limit
                    last = batch.events[-1]["notification_id"]
                    if full and backlog_batch_size is not None:
                        size = max(size, min(batch.limit * 2, backlog_batch_size))
                    if full and (max_batches is None or max_batches > 1):
                        following = await conn.fetch(read, last, stop, size)
                        if following:
                            subjects = _subjects(following)
                            ahead = asyncio.create_task(_prepare_ahead(
                                following, subjects, await keys_of(key_src, subjects), projections,
                                schema, last, size))
                    written: list[Written] = []
                    for p in projections:
                        try:
                            written.append(await apply_folds(conn, schema, batch.folds[p.name],
                                                             fresh=shadow, cache=cache))
                            await _execute_in_order(conn, batch.statements[p.name])
                        except StepFailedError as exc:
                            raise ProjectionStalledError(schema, p.name, exc.position, exc.position,
                                                         exc) from exc
                        except asyncpg.PostgresError as exc:
                            raise ProjectionStalledError(schema, p.name,
                                                    batch.events[0]["notification_id"], last,
                                                    exc) from exc
                    await conn.executemany(
                        f"INSERT INTO {schema}.projection_tracking (projection, position) "
                        "VALUES ($1, $2) "
                        "ON CONFLICT (projection) DO UPDATE SET position = EXCLUDED.position",
                        [(p.name, last) for p in projections],
                    )
                    if not shadow:
                        await record_tracked(conn, schema, _progress_names(projections))
                        await conn.execute("SELECT pg_notify($1, $2)", PROJECTED_CHANNEL,
                                           f"{schema}:{last}")
                    applied += len(batch.events)
                    position = last
                    log.debug("projected_batch", schema=schema, events=len(batch.events),
                              position=last, ms=round((time.perf_counter() - started) * 1000, 1))
                if cache is not None and cache.on:  # committed: what the next batch reads
                    for folded in written:
                        cache.merge(folded)
                    if cache.full:
                        async with conn.transaction():
                            await cache.flush(conn, schema)
                if on_batch is not None:
                    on_batch(len(batch.events))
                if not full:
                    return CatchUp(applied, position, skipped=False)
                if max_batches is not None:
                    max_batches -= 1
                    if max_batches <= 0:
                        return CatchUp(applied, position, skipped=False, more=True)
        finally:
            if ahead is not None:
                ahead.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ahead


# Top-level fields of an event that no read model holds: never parsed nor decrypted by the
# projector (a handler reading one fails loudly). A self-assessment's note and task list,
# with the sealed evidence, are most of its bytes; the read models keep its score, level
# and criteria.
UNREAD: dict[str, tuple[str, ...]] = {
    "domain.evaluation:Evaluation.SelfAssessmentSubmitted": ("note", "tasks"),
}
# Events decoded between two looks at the event loop while reading ahead, so the batch
# being written is never kept waiting for long.
_AHEAD_SLICE = 32


@dataclass
class _Batch:
    after: int  # the position every projection was at before it
    limit: int  # how many events were asked for (as many came: more may follow)
    events: list[Any]  # the stored rows
    subjects: set[UUID]  # the people whose sealed data they hold
    keys: LoadedKeys  # the personal keys they were opened with
    statements: dict[str, list[Statement]]  # per projection, in log order
    folds: dict[str, list[FoldOps]]  # per projection, each fold's steps in log order


def _subjects(events: list[Any]) -> set[UUID]:
    return subjects_in(bytes(r["state"]) for r in events)


def _prepare(events: list[Any], subjects: set[UUID], keys: LoadedKeys,
             projections: Sequence[type[Projection]], schema: str,
             tracked: dict[str, int], limit: int) -> _Batch:
    """Decode a batch and collect each projection's statements (one list per projection:
    each projection reads and writes only its own tables, so applying the batch projection
    by projection keeps every row's effects in log order, while each projection's
    same-topic events line up into long runs of one statement)."""
    routes = _Routes(projections, schema, tracked)
    for row in events:
        routes.apply(row, keys)
    after = min(tracked.get(p.name, 0) for p in projections)
    return _Batch(after, limit, events, subjects, keys, routes.statements, routes.folds)


async def _prepare_ahead(events: list[Any], subjects: set[UUID], keys: LoadedKeys,
                         projections: Sequence[type[Projection]], schema: str,
                         after: int, limit: int) -> _Batch:
    """``_prepare`` for the batch after ``after``, a slice at a time between the current
    batch's round trips."""
    routes = _Routes(projections, schema, {p.name: after for p in projections})
    for start in range(0, len(events), _AHEAD_SLICE):
        await asyncio.sleep(0)
        for row in events[start:start + _AHEAD_SLICE]:
            routes.apply(row, keys)
    return _Batch(after, limit, events, subjects, keys, routes.statements, routes.folds)


class _Route:
    """Where one topic's events go in one projection: its handler's statements and the
    steps of its folds."""

    __slots__ = ("handler", "name", "statements", "steps", "tracked")

    def __init__(self, name: str, tracked: int, statements: list[Statement],
                 handler: Handler | None, steps: list[tuple[Step, FoldOps]]) -> None:
        self.name, self.tracked, self.statements = name, tracked, statements
        self.handler, self.steps = handler, steps


class _Routes:
    """Which handlers and fold steps an event goes to, worked out once per topic and batch.
    A projection already past an event (one rebuilt further than the others) does not get
    it again."""

    def __init__(self, projections: Sequence[type[Projection]], schema: str,
                 tracked: dict[str, int]) -> None:
        self.projections, self.schema = projections, schema
        self.statements: dict[str, list[Statement]] = {p.name: [] for p in projections}
        self.folds: dict[str, list[FoldOps]] = {
            p.name: [FoldOps(f) for f in p.folds] for p in projections}
        self.tracked = {p.name: tracked.get(p.name, 0) for p in projections}
        self.even = len(set(self.tracked.values())) == 1
        self.by_topic: dict[str, list[_Route]] = {}

    def _routes(self, topic: str) -> list[_Route]:
        routes = []
        for p in self.projections:
            steps = [(ops.fold.steps[topic], ops) for ops in self.folds[p.name]
                     if topic in ops.fold.steps]
            handler = p.handlers.get(topic)
            if handler is not None or steps:
                routes.append(_Route(p.name, self.tracked[p.name], self.statements[p.name],
                                     handler, steps))
        return routes

    def apply(self, row: Any, keys: LoadedKeys) -> None:
        pos, topic = row["notification_id"], row["topic"]
        routes = self.by_topic.get(topic)
        if routes is None:
            routes = self.by_topic[topic] = self._routes(topic)
        if not self.even:
            routes = [r for r in routes if r.tracked < pos]
        if not routes:
            return
        try:
            event = decode(row, keys, UNREAD.get(topic, ()))
        except Exception as exc:
            raise ProjectionStalledError(self.schema, "decode", pos, pos, exc) from exc
        for route in routes:
            try:
                if route.handler is not None:
                    route.statements.extend(route.handler(self.schema, event, pos))
                for step, ops in route.steps:
                    ops.ops.append((step, step.args(event, pos), pos))
            except Exception as exc:
                raise ProjectionStalledError(self.schema, route.name, pos, pos, exc) from exc


def _progress_names(projections: Sequence[type[Projection]]) -> list[str]:
    """A tenant's progress is its slowest projection of all, even when a batch ran only some
    (a rebuild of one); a log with projections of its own (the platform's) counts those."""
    if set(projections) <= set(PROJECTIONS):
        return [p.name for p in PROJECTIONS]
    return [p.name for p in projections]


async def _execute_in_order(conn: DbConn, statements: list[Statement]) -> None:
    """Run one projection's statements with the effect of log order, in few round trips.

    Statements whose SQL declares its rows (``Sql``) are placed in levels: a statement goes
    one level above the last statement that touched any of its rows (or, for a row its bulk
    form folds, beside an earlier statement of the same SQL). So within a level no two
    statements share a row and their order does not matter, and every row still sees its
    statements in log order. Each level then runs as one statement per SQL: the bulk form
    over all their rows at once, or an executemany. A month of a unit's self-assessments,
    decisions and counters — and a whole batch of months — becomes a handful of statements.

    Plain SQL (rare events) declares nothing: it waits for everything before it and runs
    alone (consecutive identical statements as one executemany), in log order.
    """
    levels: list[dict[str, list[tuple[Any, ...]]]] = []
    last: dict[Hashable, tuple[int, str | None]] = {}  # row → last level touching it, fold SQL
    i = 0
    while i < len(statements):
        sql, args = statements[i]
        if not isinstance(sql, Sql):
            await _run_levels(conn, levels)
            levels, last = [], {}
            j = i + 1
            while j < len(statements) and statements[j][0] == sql:
                j += 1
            if j - i == 1:
                await conn.execute(sql, *args)
            else:
                await conn.executemany(sql, [a for _, a in statements[i:j]])
            i = j
            continue
        level = 0
        keys = list(sql.keys(args)) if sql.keys else []
        folds = list(sql.folds(args)) if sql.folds else []
        for key in keys:
            if key in last:
                level = max(level, last[key][0] + 1)
        for key in folds:
            if key in last:
                at, fold_sql = last[key]
                level = max(level, at if fold_sql == sql else at + 1)
        while len(levels) <= level:
            levels.append({})
        levels[level].setdefault(sql, []).append(args)
        for key in keys:
            last[key] = (level, None)
        for key in folds:
            last[key] = (level, sql)
        i += 1
    await _run_levels(conn, levels)


async def _run_levels(conn: DbConn, levels: list[dict[str, list[tuple[Any, ...]]]]) -> None:
    for level in levels:
        for sql, many in level.items():
            bulk = getattr(sql, "bulk", None)
            if len(many) == 1:
                await conn.execute(str(sql), *many[0])  # asyncpg wants an exact str
            elif bulk is not None:
                await conn.execute(bulk, _ROWS.encode(many).decode())
            else:
                await conn.executemany(str(sql), many)


async def reset(conn: DbConn, schema: str,
                projections: Sequence[type[Projection]] = PROJECTIONS) -> None:
    """Empty the read models and their tracking, so the next catch-up rebuilds from zero."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(schema))
        for p in projections:
            for table in p.tables:
                await conn.execute(f"TRUNCATE {schema}.{table}")
            await conn.execute(
                f"UPDATE {schema}.projection_tracking SET position = 0 WHERE projection = $1",
                p.name,
            )
        await record_tracked(conn, schema, _progress_names(projections))


async def tracked_position(conn: DbConn, schema: str) -> int:
    """The position every projection has reached (the slowest one)."""
    value = await conn.fetchval(f"SELECT min(position) FROM {schema}.projection_tracking")
    return int(value or 0)


async def head_position(conn: DbConn, schema: str) -> int:
    value = await conn.fetchval(f"SELECT max(notification_id) FROM {schema}.{EVENTS_TABLE}")
    return int(value or 0)
