"""Read models written as folds: a batch's events folded in memory into one final row per
read-model row, then written once.

A ``Fold`` owns a projection's folded tables (``Table``: each with a one-column key). For
each event topic it declares a ``Step``: ``args`` takes from the event the few values the
tables hold (when the batch is decoded, so the event object is dropped at once), ``keys``
names the rows the step reads or writes, and ``apply`` changes the rows in memory. At
execution, under the tenant's lock, the rows a batch names are read (one query per table),
every step is applied in log order, and the rows that changed are written: in catch-up by
one statement per fold (an upsert per table, each a part of one ``WITH``), in a rebuild's
fresh tables — and in a catch-up batch that made many rows (a backlog) — by a ``COPY`` of
the new rows and one set-based update of the rest per table.

The same declaration is the one-event path: a batch of one event is a fold of one step. So
a row is written once per batch however many events touch it (an evaluation's opening,
self-assessment, decision and opinions in one batch: one row write instead of four), and
there is no second, per-event form of the statement to keep equal.

Steps use only the event and the rows (the event's timestamp, never ``now()``), so a
rebuild from zero writes the same rows as the live run, in any batch sizes.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property, lru_cache
from operator import itemgetter
from typing import Any
from uuid import UUID

import msgspec
from asyncpg.pgproto import pgproto
from storage.db import DbConn

Row = dict[str, Any]
Args = tuple[Any, ...]

_JSON = msgspec.json.Encoder()


class Rows:
    """The rows of one folded table a batch touches: read from the table, or made by a step.

    ``get`` gives a row to change in place (``None``: no such row, so an update is a no-op,
    as the SQL ``UPDATE … WHERE key = …`` it replaces); ``peek`` gives it to read only;
    ``add`` makes a row (a no-op when it exists: ``INSERT … ON CONFLICT DO NOTHING``). Every
    row handed out by ``get`` or ``add`` is written back."""

    def __init__(self, loaded: dict[Hashable, Row]) -> None:
        self.rows = loaded
        self.existing = set(loaded)
        self.touched: dict[Hashable, None] = {}  # in first-touch order, for stable writes

    def peek(self, key: Hashable) -> Row | None:
        return self.rows.get(key)

    def get(self, key: Hashable) -> Row | None:
        row = self.rows.get(key)
        if row is not None:
            self.touched[key] = None
        return row

    def add(self, key: Hashable, row: Row) -> Row | None:
        """Insert ``row`` unless the key exists; the new row, or ``None`` if it existed."""
        if key in self.rows:
            return None
        self.rows[key] = row
        self.touched[key] = None
        return row


Tables = dict[str, Rows]
# The rows a step reads or writes: (table, key) pairs.
KeysOf = Callable[[Args], Iterable[tuple[str, Hashable]]]


@dataclass(frozen=True, eq=False)  # compared and hashed as itself (its SQL is cached)
class Table:
    """A table written as a fold: its one-column key, every column the fold writes (name →
    SQL type; a new row's values not given are ``defaults`` or NULL), and ``follow``: for
    each row of this table a batch reads, the rows of other tables it leads to (table →
    this row's column holding their key), read along with it — a step given only an
    evaluation reaches its period's row through the evaluation's row.

    ``append``: rows are only ever added, one per event (``key`` holds its log position),
    and never read back: no step names them, so none is loaded, and they are written by
    ``INSERT … ON CONFLICT DO NOTHING`` (the table's own key) — or ``COPY`` in a rebuild."""

    name: str
    key: str
    columns: Mapping[str, str]
    defaults: Mapping[str, Any] = field(default_factory=dict)
    follow: Mapping[str, str] = field(default_factory=dict)
    append: bool = False

    @cached_property
    def _blank(self) -> Row:
        """A new row before its values: every column, its default or NULL."""
        row: Row = dict.fromkeys(self.columns)
        row.update(self.defaults)
        return row

    def new_row(self, **values: Any) -> Row:
        row = self._blank.copy()
        row.update(values)
        return row


@dataclass(frozen=True)
class Step:
    """How one event topic changes a fold's rows. ``keys`` defaults to the row of the fold's
    first table named by the first argument."""

    args: Callable[[Any, int], Args]  # event, log position → the values the step needs
    apply: Callable[[Tables, Args], None]
    keys: KeysOf | None = None


@dataclass(frozen=True)
class Fold:
    """A projection's folded tables (listed so that a table comes before those it follows
    to) and a step per topic."""

    tables: tuple[Table, ...]
    steps: Mapping[str, Step]


@dataclass
class FoldOps:
    """One batch's steps of one fold, in log order (prepared before the lock is taken)."""

    fold: Fold
    ops: list[tuple[Step, Args, int]] = field(default_factory=list)  # step, args, position


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector held off for a stretch of decoding and folding.

    Decoding a batch allocates objects that mostly live on (rows, steps' arguments, a
    rebuild's held rows), so the collector's passes, triggered by allocation counts, scan a
    growing heap for cycles that are not there: a quarter of the projector's CPU. Freed
    objects still go at once (reference counting); a nested pause leaves the outer one be."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class StepFailedError(Exception):
    """A fold's step could not apply the event at ``position`` (the projection stalls
    there, as for a failing statement)."""

    def __init__(self, position: int, cause: Exception) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.position = position


def _rows_sql(columns: Mapping[str, str], param: int = 1) -> str:
    """The batch's rows as ``r``, from one JSON array of arrays (``$param``), cast per column.

    One JSON document rather than an array per column: the driver would otherwise encode
    every element of every array in Python."""
    fields = ", ".join(f"(e->>{i})::{t} AS {c}" for i, (c, t) in enumerate(columns.items()))
    return f"(SELECT {fields} FROM jsonb_array_elements(${param}::jsonb) AS e) AS r"


def _upsert_sql(schema: str, table: Table, param: int = 1) -> str:
    cols = ", ".join(table.columns)
    others = [c for c in table.columns if c != table.key]
    return (f"INSERT INTO {schema}.{table.name} ({cols}) SELECT {cols} FROM "
            f"{_rows_sql(table.columns, param)} ON CONFLICT "
            + ("DO NOTHING" if table.append else f"({table.key}) DO UPDATE SET "
               + ", ".join(f"{c} = EXCLUDED.{c}" for c in others)))


@lru_cache(maxsize=1024)
def _upserts_sql(schema: str, tables: tuple[Table, ...]) -> str:
    """One statement upserting into every table of ``tables`` (``$1``… their rows, in
    order): each upsert a data-modifying ``WITH`` part. The tables are distinct, so no row
    is written twice, and the parts' order does not matter."""
    if len(tables) == 1:
        return _upsert_sql(schema, tables[0])
    parts = ", ".join(f"w{i} AS ({_upsert_sql(schema, t, i + 1)})"
                      for i, t in enumerate(tables))
    return f"WITH {parts} SELECT 1"


@lru_cache(maxsize=1024)
def _sql(schema: str, table: Table) -> tuple[str, str]:
    cols = ", ".join(table.columns)
    load = (f"SELECT {cols} FROM {schema}.{table.name} "
            f"WHERE {table.key} = ANY($1::{table.columns[table.key]}[])")
    others = [c for c in table.columns if c != table.key]
    update = (f"UPDATE {schema}.{table.name} t SET "
              + ", ".join(f"{c} = r.{c}" for c in others)
              + f" FROM {_rows_sql(table.columns)} WHERE t.{table.key} = r.{table.key}")
    return load, update


def _encode(rows: Iterable[Row], columns: Sequence[str]) -> str:
    # Each row's values as a tuple (a JSON array), taken by one C call per row.
    values = itemgetter(*columns)
    if len(columns) == 1:
        return _JSON.encode([[values(row)] for row in rows]).decode()
    return _JSON.encode(list(map(values, rows))).decode()


Written = dict[Table, dict[Hashable, Row]]


class FoldCache:
    """A rebuild's folded rows, held in memory from batch to batch and written at the end.

    Nobody else reads or writes a rebuild's shadow tables, and any failure drops the shadow
    whole, so its folded rows need not reach the tables batch by batch: each is written
    once, by ``COPY``, when the log is read (``flush``, before the secondary indexes are
    built). It starts with the tables empty, so a key it does not hold is no row at all.
    Past ``limit`` rows it flushes and stops (later batches then read and write the tables
    as catch-up does)."""

    def __init__(self, limit: int = 1_000_000) -> None:
        self.rows: Written = {}
        self.limit, self.size, self.on = limit, 0, True

    def merge(self, written: Written) -> None:
        """Take a committed batch's rows."""
        for table, rows in written.items():
            held = self.rows.setdefault(table, {})
            self.size += sum(1 for k in rows if k not in held)
            held.update(rows)

    @property
    def full(self) -> bool:
        return self.on and self.size > self.limit

    async def flush(self, conn: DbConn, schema: str) -> None:
        """Write every held row (each new to the tables) and stop holding them."""
        if not self.on:
            return
        for table, rows in self.rows.items():
            if rows:
                await _copy(conn, schema, table, list(rows.values()))
        self.rows, self.size, self.on = {}, 0, False


async def _load(conn: DbConn, schema: str, table: Table, keys: list[Hashable],
                cache: FoldCache | None) -> list[Row]:
    if cache is not None and cache.on:
        held = cache.rows.get(table, {})
        return [dict(held[k]) for k in keys if k in held]
    if not keys:
        return []
    return [dict(r) for r in await conn.fetch(_sql(schema, table)[0], keys)]


async def apply_folds(conn: DbConn, schema: str, batch: Sequence[FoldOps], *,
                      fresh: bool, cache: FoldCache | None = None) -> Written:
    """Apply a batch's folds: read the rows they name, fold, and write each changed row
    once; the rows changed, by table.

    ``fresh``: the tables are a rebuild's own (nobody else writes them, their secondary
    indexes come later), so new rows go in by ``COPY``. ``cache``: a rebuild's rows held
    in memory (``FoldCache``): read from it, and left to it to write."""
    written: Written = {}
    for ops in batch:
        if not ops.ops:
            continue
        fold = ops.fold
        wanted: dict[str, dict[Hashable, None]] = {t.name: {} for t in fold.tables}
        first = wanted[fold.tables[0].name]
        for step, args, _ in ops.ops:
            if step.keys is None:  # the fold's first table's row, named by the first arg
                first[args[0]] = None
                continue
            for table_name, k in step.keys(args):
                wanted[table_name][k] = None
        tables: Tables = {}
        for table in fold.tables:
            keys = [k for k in wanted[table.name] if k is not None]
            found = await _load(conn, schema, table, keys, cache)
            tables[table.name] = Rows({r[table.key]: r for r in found})
            for other, column in table.follow.items():
                for r in found:
                    wanted[other][r[column]] = None
        for step, args, position in ops.ops:
            try:
                step.apply(tables, args)
            except Exception as exc:
                raise StepFailedError(position, exc) from exc
        if cache is None or not cache.on:
            if fresh or _new_rows(tables) >= COPY_NEW_ROWS:
                for table in fold.tables:
                    await _write(conn, schema, table, tables[table.name])
            else:
                await _upsert(conn, schema, [(t, tables[t.name]) for t in fold.tables])
        for table in fold.tables:
            rows = tables[table.name]
            written[table] = {k: rows.rows[k] for k in rows.touched}
    return written


# New rows past which a fold's batch is written by ``COPY`` (and an update of the rows it
# found) rather than by one upsert: a catch-up through a backlog, where binary ``COPY``
# costs PostgreSQL a third of what reading the rows from JSON and probing the key does.
COPY_NEW_ROWS = 100


def _new_rows(tables: Tables) -> int:
    """Rows a batch made that its tables did not hold when read under the tenant's lock (an
    appended row is always new: its key is its event's log position, past the tracked
    one)."""
    return sum(1 for rows in tables.values() for k in rows.touched if k not in rows.existing)


async def _upsert(conn: DbConn, schema: str, tables: list[tuple[Table, Rows]]) -> None:
    """A fold's changed rows, every table's, by one statement."""
    touched = [(t, rows) for t, rows in tables if rows.touched]
    if touched:
        await conn.execute(
            _upserts_sql(schema, tuple(t for t, _ in touched)),
            *(_encode((rows.rows[k] for k in rows.touched), list(t.columns))
              for t, rows in touched))


async def _write(conn: DbConn, schema: str, table: Table, rows: Rows) -> None:
    """A fold's changed rows of one table: ``COPY`` of the new, an update of the rest."""
    if not rows.touched:
        return
    _, update = _sql(schema, table)
    columns = list(table.columns)
    new = [rows.rows[k] for k in rows.touched if k not in rows.existing]
    old = [rows.rows[k] for k in rows.touched if k in rows.existing]
    if new:
        await _copy(conn, schema, table, new)
    if old:
        await conn.execute(update, _encode(old, columns))


async def _copy(conn: DbConn, schema: str, table: Table, rows: list[Row]) -> None:
    """New rows into a fresh table by binary ``COPY``, each value first made the type its
    column holds, from the same text the upsert's cast reads (``_AS``).

    Column by column: a column whose values all have their type already (the usual case:
    ids are UUIDs from the start) is taken as it is, without a call per value."""
    columns = list(table.columns)
    values = [list(map(itemgetter(c), rows)) for c in columns]
    for i, sql_type in enumerate(table.columns.values()):
        convert, ready = _AS.get(sql_type, (None, frozenset()))
        if convert is not None and not set(map(type, values[i])) <= ready:
            values[i] = list(map(convert, values[i]))
    await conn.copy_records_to_table(table.name, schema_name=schema, columns=columns,
                                     records=list(zip(*values, strict=True)))


def _uuid(value: Any) -> Any:
    return value if value is None or isinstance(value, UUID) else UUID(str(value))


@lru_cache(maxsize=1 << 14, typed=True)
def _decimal(value: float) -> Decimal:
    # A float's shortest text, as the JSON path spells it (not its binary expansion). Scores
    # and counts repeat from row to row: each distinct one is converted once.
    return Decimal(repr(value))


def _numeric(value: Any) -> Any:
    return _decimal(value) if isinstance(value, float) else value


def _timestamp(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _date(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value


# Per column type: how a value is made that type, and the value types that need nothing.
_AS: dict[str, tuple[Callable[[Any], Any], frozenset[type]]] = {
    # The driver's own UUIDs (an id read back from a table or the log) are ready too.
    "uuid": (_uuid, frozenset({UUID, pgproto.UUID, type(None)})),
    "numeric": (_numeric, frozenset({Decimal, int, type(None)})),
    "timestamptz": (_timestamp, frozenset({datetime, type(None)})),
    "date": (_date, frozenset({date, type(None)})),
}
