"""Read models written as folds: a batch's events folded in memory into one final row per
read-model row, then written once.

A ``Fold`` owns one table with a one-column key. For each event topic it declares a
``Step``: ``args`` takes from the event the few values the table holds (done when the batch
is decoded, so the event object is dropped at once), ``keys`` names the rows the step
reads or writes, and ``apply`` changes the rows in memory. At execution, under the tenant's
lock, the rows a batch names are read in one query, every step is applied in log order, and
the rows that changed are written in one statement: an upsert in catch-up, or — in a
rebuild's fresh tables — a ``COPY`` of the new rows and one set-based update of the rest.

The same declaration is the one-event path: a batch of one event is a fold of one step. So
a row is written once per batch however many events touch it (an evaluation's opening,
self-assessment, decision and opinions in one batch: one row write instead of four), and
there is no second, per-event form of the statement to keep equal.

Steps use only the event and the row (the event's timestamp, never ``now()``), so a
rebuild from zero writes the same rows as the live run, in any batch sizes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from storage.db import DbConn

Row = dict[str, Any]
Args = tuple[Any, ...]

_JSON = msgspec.json.Encoder()


class Rows:
    """The rows of one fold's table a batch touches: read from the table, or made by a step.

    ``get`` gives a row to change in place (``None``: no such row, so an update is a no-op,
    as the SQL ``UPDATE … WHERE key = …`` it replaces); ``add`` makes a row (a no-op when it
    exists: ``INSERT … ON CONFLICT DO NOTHING``). Every row handed out is written back."""

    def __init__(self, loaded: dict[Hashable, Row]) -> None:
        self.rows = loaded
        self.existing = set(loaded)
        self.touched: dict[Hashable, None] = {}  # in first-touch order, for stable writes

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


@dataclass(frozen=True)
class Step:
    """How one event topic changes a fold's rows."""

    args: Callable[[Any, int], Args]  # event, log position → the values the step needs
    apply: Callable[[Rows, Args], None]
    keys: Callable[[Args], Iterable[Hashable]] = lambda args: (args[0],)


@dataclass(frozen=True)
class Fold:
    """A table written as a fold: its key, every column the fold writes (name → SQL type,
    the table's defaults for a new row taken from ``defaults``), and a step per topic."""

    table: str
    key: str
    columns: Mapping[str, str]
    steps: Mapping[str, Step]
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def new_row(self, **values: Any) -> Row:
        row: Row = dict.fromkeys(self.columns)
        row.update(self.defaults)
        row.update(values)
        return row


@dataclass
class FoldOps:
    """One batch's steps of one fold, in log order (prepared before the lock is taken)."""

    fold: Fold
    ops: list[tuple[Step, Args]] = field(default_factory=list)


def _rows_sql(columns: Mapping[str, str]) -> str:
    """The batch's rows as ``r``, from one JSON array of arrays (``$1``), cast per column.

    One JSON document rather than an array per column: the driver would otherwise encode
    every element of every array in Python."""
    fields = ", ".join(f"(e->>{i})::{t} AS {c}" for i, (c, t) in enumerate(columns.items()))
    return f"(SELECT {fields} FROM jsonb_array_elements($1::jsonb) AS e) AS r"


def _sql(schema: str, fold: Fold) -> tuple[str, str, str]:
    cols = ", ".join(fold.columns)
    key_type = fold.columns[fold.key]
    load = (f"SELECT {cols} FROM {schema}.{fold.table} "
            f"WHERE {fold.key} = ANY($1::{key_type}[])")
    others = [c for c in fold.columns if c != fold.key]
    upsert = (f"INSERT INTO {schema}.{fold.table} ({cols}) SELECT {cols} FROM "
              f"{_rows_sql(fold.columns)} ON CONFLICT ({fold.key}) DO UPDATE SET "
              + ", ".join(f"{c} = EXCLUDED.{c}" for c in others))
    update = (f"UPDATE {schema}.{fold.table} t SET "
              + ", ".join(f"{c} = r.{c}" for c in others)
              + f" FROM {_rows_sql(fold.columns)} WHERE t.{fold.key} = r.{fold.key}")
    return load, upsert, update


def _encode(rows: Iterable[Row], columns: Sequence[str]) -> str:
    return _JSON.encode([[row[c] for c in columns] for row in rows]).decode()


async def apply_folds(conn: DbConn, schema: str, batch: Sequence[FoldOps], *,
                      fresh: bool) -> None:
    """Apply a batch's folds: read the rows they name, fold, write each changed row once.

    ``fresh``: the tables are a rebuild's own (nobody else writes them, their secondary
    indexes come later), so new rows go in by ``COPY``."""
    for ops in batch:
        if not ops.ops:
            continue
        fold = ops.fold
        load, upsert, update = _sql(schema, fold)
        keys: dict[Hashable, None] = {}
        for step, args in ops.ops:
            for k in step.keys(args):
                keys[k] = None
        found = await conn.fetch(load, list(keys))
        rows = Rows({r[fold.key]: dict(r) for r in found})
        for step, args in ops.ops:
            step.apply(rows, args)
        if not rows.touched:
            continue
        columns = list(fold.columns)
        if not fresh:
            await conn.execute(upsert, _encode((rows.rows[k] for k in rows.touched), columns))
            continue
        new = [rows.rows[k] for k in rows.touched if k not in rows.existing]
        old = [rows.rows[k] for k in rows.touched if k in rows.existing]
        if new:
            await _copy(conn, schema, fold, new)
        if old:
            await conn.execute(update, _encode(old, columns))


async def _copy(conn: DbConn, schema: str, fold: Fold, rows: list[Row]) -> None:
    """New rows into a fresh table by ``COPY``: through a temporary table of text columns,
    so every value is cast by PostgreSQL exactly as the upsert casts it."""
    columns = list(fold.columns)
    stage = f"fold_{fold.table}"
    await conn.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ("
        + ", ".join(f"{c} text" for c in columns) + ") ON COMMIT DELETE ROWS")
    await conn.copy_records_to_table(
        stage, columns=columns,
        records=[tuple(_text(row[c]) for c in columns) for row in rows])
    await conn.execute(
        f"INSERT INTO {schema}.{fold.table} ({', '.join(columns)}) SELECT "
        + ", ".join(f"{c}::{t}" for c, t in fold.columns.items()) + f" FROM {stage}")
    await conn.execute(f"TRUNCATE {stage}")


def _text(value: Any) -> str | None:
    """A value as the text PostgreSQL casts from (as the JSON path spells it)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    encoded: Any = msgspec.json.decode(_JSON.encode(value))
    return encoded if isinstance(encoded, str) else _JSON.encode(value).decode()
