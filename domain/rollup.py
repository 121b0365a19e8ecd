"""Roll-ups (tổng hợp): a quarterly or annual proposal computed from the monthly results.

Hanoi 3814 makes monthly results "the main basis" of the annual rating without a formula,
so the method is policy (``Policy.rollup_method``); the default, ``average_score``, takes
the mean of the monthly scores and the level its band gives, never above the lowest level
the person's eligibility allows (checked at decision time). The result is a *proposal*:
the competent leader still decides, with reasons when departing from it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from domain.levels import Level
from domain.policy import AVERAGE_SCORE, LOWEST_LEVEL, MAJORITY_LEVEL, Policy


@dataclass(frozen=True)
class MonthlyResult:
    year: int
    month: int
    level: Level
    score: float
    source: str = ""  # where it was decided: this unit, another unit, another tenant


@dataclass(frozen=True)
class RollUp:
    level: Level
    score: float
    months: int
    summary_vi: str


def roll_up(policy: Policy, results: list[MonthlyResult]) -> RollUp | None:
    """The proposal the policy's method gives, or None without any monthly result."""
    if not results:
        return None
    score = round(sum(r.score for r in results) / len(results), 2)
    levels = [r.level for r in results]
    if policy.rollup_method == AVERAGE_SCORE:
        level = policy.bands.level_for(score)
    elif policy.rollup_method == LOWEST_LEVEL:
        level = min(levels, key=lambda lv: lv.rank)
    elif policy.rollup_method == MAJORITY_LEVEL:
        counts = Counter(levels)
        top = max(counts.values())
        level = min((lv for lv, n in counts.items() if n == top), key=lambda lv: lv.rank)
    else:  # validated when the policy was adopted; an unknown method proposes nothing
        return None
    # A proposal never claims more than its score's band.
    earned = policy.bands.level_for(score)
    if level.rank > earned.rank:
        level = earned
    counts_vi = ", ".join(f"{n} tháng mức {lv.value}"
                          for lv, n in sorted(Counter(levels).items(), key=lambda x: -x[0].rank))
    return RollUp(level, score, len(results),
                  f"Tổng hợp {len(results)} kỳ tháng ({counts_vi}); điểm bình quân {score:g}.")
