"""Read model of month-over-month figures per unit (xu hướng): one row per period with the
number of people, decisions and each level — counts only, never people.

A tenant's trend is the sum of its units' rows; a parent tenant's view of its children reads
these same rows through a grant, which is why they must never hold a person's id or name.

``rm_trend_months`` is a fold (``projections.fold``): a batch's decisions counted in memory
per period, each row written once.
"""

from __future__ import annotations

from typing import ClassVar

from projections.base import Handler, Projection
from projections.fold import Args, Fold, Step, Table, Tables

P = "domain.period:EvaluationPeriod."
MONTHS = "rm_trend_months"
LEVELS = ("A", "B", "C", "D")


def _opened(t: Tables, a: Args) -> None:
    period, unit, kind, year, number, members, pos = a
    t[MONTHS].add(period, MONTH.new_row(
        period_id=period, unit_id=unit, kind=kind, year=year, number=number, members=members,
        position=pos))


def _decisions_counted(t: Tables, a: Args) -> None:
    """A decision registered in the period, or those a merged predecessor's period had
    made before it continued here (``DecisionsImported``)."""
    # ``position <`` makes an event the row has already seen a no-op, as in rm_periods.
    period, levels, pos = a
    if (row := t[MONTHS].get(period)) is not None and row["position"] < pos:
        row["decided"] += len(levels)
        for level in levels:
            if level in LEVELS:
                row[f"level_{level.lower()}"] += 1
        row["position"] = pos


def _decision_amended(t: Tables, a: Args) -> None:
    """An appeal's amendment moves one person from the old level's count to the new one."""
    period, level, previous, pos = a
    if (row := t[MONTHS].get(period)) is not None and row["position"] < pos:
        for x in LEVELS:
            row[f"level_{x.lower()}"] += (level == x) - ((previous or "") == x)
        row["position"] = pos


MONTH = Table(
    name=MONTHS, key="period_id",
    columns={"period_id": "uuid", "unit_id": "uuid", "kind": "text", "year": "int",
             "number": "int", "members": "int", "decided": "int", "level_a": "int",
             "level_b": "int", "level_c": "int", "level_d": "int", "position": "bigint"},
    defaults={"decided": 0, "level_a": 0, "level_b": 0, "level_c": 0, "level_d": 0},
)
MONTHS_FOLD = Fold(
    tables=(MONTH,),
    steps={
        P + "Opened": Step(lambda e, pos: (
            e.originator_id, e.unit_id, e.kind, e.year, e.number, len(e.members), pos),
            _opened),
        P + "DecisionRegistered": Step(lambda e, pos: (e.originator_id, (e.level,), pos),
                                       _decisions_counted),
        P + "DecisionsImported": Step(lambda e, pos: (
            e.originator_id, tuple(e.decisions.values()), pos), _decisions_counted),
        P + "DecisionAmended": Step(lambda e, pos: (
            e.originator_id, e.level, e.previous_level, pos), _decision_amended),
    },
)


class TrendsProjection(Projection):
    name = "trends"
    tables = (MONTHS,)
    folds = (MONTHS_FOLD,)
    handlers: ClassVar[dict[str, Handler]] = {}
