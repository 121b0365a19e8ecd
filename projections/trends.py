"""Read model of month-over-month figures per unit (xu hướng): one row per period with the
number of people, decisions and each level — counts only, never people.

A tenant's trend is the sum of its units' rows; a parent tenant's view of its children reads
these same rows through a grant, which is why they must never hold a person's id or name.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

from projections.base import Handler, Projection, Sql, Statement, key, no_rows, rows


@lru_cache(maxsize=1024)
def _opened_sql(s: str) -> Sql:
    return Sql(
        f"INSERT INTO {s}.rm_trend_months (period_id, unit_id, kind, year, number, members, "
        "position) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (period_id) DO NOTHING",
        keys=key("month"))


def _opened(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_opened_sql(s), (e.originator_id, e.unit_id, e.kind, e.year, e.number,
                              len(e.members), pos))]


@lru_cache(maxsize=1024)
def _decision_registered_sql(s: str) -> Sql:
    # ``position < $3`` makes a replayed event a no-op, as in rm_periods (and as there, the
    # bulk form counts per period the events past the row's position).
    return Sql(
        f"UPDATE {s}.rm_trend_months SET decided = decided + 1, "
        "level_a = level_a + ($2 = 'A')::int, level_b = level_b + ($2 = 'B')::int, "
        "level_c = level_c + ($2 = 'C')::int, level_d = level_d + ($2 = 'D')::int, "
        "position = $3 WHERE period_id = $1 AND position < $3",
        keys=no_rows, folds=key("month"),
        bulk=f"UPDATE {s}.rm_trend_months t SET decided = t.decided + a.n, "
        "level_a = t.level_a + a.a, level_b = t.level_b + a.b, level_c = t.level_c + a.c, "
        "level_d = t.level_d + a.d, position = a.pos FROM (SELECT r.period_id, "
        "count(*) AS n, count(*) FILTER (WHERE r.level = 'A') AS a, "
        "count(*) FILTER (WHERE r.level = 'B') AS b, count(*) FILTER (WHERE r.level = 'C') AS c, "
        "count(*) FILTER (WHERE r.level = 'D') AS d, max(r.pos) AS pos FROM "
        + rows("period_id uuid", "level text", "pos bigint")
        + f" JOIN {s}.rm_trend_months t0 ON t0.period_id = r.period_id "
        "WHERE r.pos > t0.position GROUP BY r.period_id) a WHERE t.period_id = a.period_id",
    )


def _decision_registered(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_decision_registered_sql(s), (e.originator_id, e.level, pos))]


def _decision_amended(s: str, e: Any, pos: int) -> list[Statement]:
    """An appeal's amendment moves one person from the old level's count to the new one."""
    shift = " + ($2 = '{x}')::int - (coalesce($3, '') = '{x}')::int"
    return [(
        f"UPDATE {s}.rm_trend_months SET "
        + ", ".join(f"level_{x.lower()} = level_{x.lower()}" + shift.format(x=x) for x in "ABCD")
        + ", position = $4 WHERE period_id = $1 AND position < $4",
        (e.originator_id, e.level, e.previous_level, pos),
    )]


class TrendsProjection(Projection):
    name = "trends"
    tables = ("rm_trend_months",)
    handlers: ClassVar[dict[str, Handler]] = {
        "domain.period:EvaluationPeriod.Opened": _opened,
        "domain.period:EvaluationPeriod.DecisionRegistered": _decision_registered,
        "domain.period:EvaluationPeriod.DecisionAmended": _decision_amended,
    }
