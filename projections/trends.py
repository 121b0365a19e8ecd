"""Read model of month-over-month figures per unit (xu hướng): one row per period with the
number of people, decisions and each level — counts only, never people.

A tenant's trend is the sum of its units' rows; a parent tenant's view of its children reads
these same rows through a grant, which is why they must never hold a person's id or name.
"""

from __future__ import annotations

from typing import Any, ClassVar

from projections.base import Handler, Projection, Statement


def _opened(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.rm_trend_months (period_id, unit_id, kind, year, number, members, "
        "position) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (period_id) DO NOTHING",
        (e.originator_id, e.unit_id, e.kind, e.year, e.number, len(e.members), pos),
    )]


def _decision_registered(s: str, e: Any, pos: int) -> list[Statement]:
    # ``position < $3`` makes a replayed event a no-op, as in rm_periods.
    return [(
        f"UPDATE {s}.rm_trend_months SET decided = decided + 1, "
        "level_a = level_a + ($2 = 'A')::int, level_b = level_b + ($2 = 'B')::int, "
        "level_c = level_c + ($2 = 'C')::int, level_d = level_d + ($2 = 'D')::int, "
        "position = $3 WHERE period_id = $1 AND position < $3",
        (e.originator_id, e.level, pos),
    )]


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
