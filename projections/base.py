"""What a projection is: a name, the tables it owns, and SQL for each event type it needs.

Handlers return statements instead of executing them, so the runner decides the
transaction: every statement of a batch and the tracking position commit together.
Handlers use only the event (its timestamp, never ``now()``), so a rebuild from zero
writes byte-identical rows.

A statement whose SQL is an ``Sql`` declares the rows it touches: the runner then groups a
batch's statements of one SQL into one set-based statement over the events' arguments
(one JSON document, read as rows ``r``) instead of one execution per event, keeping log
order wherever two statements touch the same row.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from projections.fold import Fold

Statement = tuple[str, tuple[Any, ...]]
Handler = Callable[[str, Any, int], list[Statement]]


KeyFn = Callable[[tuple[Any, ...]], Iterable[Hashable]]


class Sql(str):
    """Per-event SQL that declares which rows it touches, so the runner may send many events'
    statements as one set-based statement (compares and hashes as its text).

    ``keys(args)``: every row the statement reads or writes (named per table, e.g.
    ``("rating", evaluation_id)``), each written at most once per bulk execution.
    ``folds(args)``: rows the bulk form folds — counters it sums over all the events of one
    execution, keeping the last position — so events of this same SQL may share them.
    ``bulk``: the set-based form, over the rows ``r`` of ``rows`` (one per event, its columns
    the per-event statement's parameters in the same order). It must leave the
    tables as the statements one by one in log order would.

    Two statements that share no declared row commute; the runner relies on it.
    """

    keys: KeyFn | None
    folds: KeyFn | None
    bulk: str | None

    def __new__(cls, text: str, *, keys: KeyFn, folds: KeyFn | None = None,
                bulk: str | None = None) -> Sql:
        self = super().__new__(cls, text)
        self.keys, self.folds, self.bulk = keys, folds, bulk
        return self


def key(table: str, index: int = 0) -> KeyFn:
    """The common case: the statement touches one row of ``table``, named by one argument."""
    def keys(args: tuple[Any, ...]) -> tuple[Hashable, ...]:
        return ((table, args[index]),)
    return keys


def no_rows(args: tuple[Any, ...]) -> tuple[Hashable, ...]:
    """A statement that touches only a row of its own event (keyed by the log position)."""
    return ()


def rows(*columns: str) -> str:
    """``rows("evaluation_id uuid", "pos bigint")`` → a subquery ``r(evaluation_id, pos)``
    with one row per event, read from the statement's only parameter: the events'
    arguments as one JSON array of arrays (``$1``), in log order.

    One JSON document instead of one array per column: the driver would otherwise check
    and encode every element of every array in Python, which cost more than the SQL.
    """
    fields = ", ".join(
        f"(e->>{i})::{c.split(maxsplit=1)[1]} AS {c.split()[0]}" for i, c in enumerate(columns))
    return f"(SELECT {fields} FROM jsonb_array_elements($1::jsonb) AS e) AS r"


class Projection:
    """Handlers are keyed by event topic (``module:Aggregate.Event``): the projection declares
    the topics it needs, and events no projection needs are never decoded."""

    name: ClassVar[str]
    tables: ClassVar[tuple[str, ...]]
    handlers: ClassVar[dict[str, Handler]]
    # Tables written as folds (``projections.fold``): a topic may have a step in a fold and
    # a handler besides, for the projection's other tables.
    folds: ClassVar[tuple[Fold, ...]] = ()

    @classmethod
    def topics(cls) -> set[str]:
        return set(cls.handlers).union(*(f.steps for f in cls.folds))
