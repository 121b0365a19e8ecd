"""Roll-ups from monthly results, on the domain alone: properties over any months and any
of the policy's methods."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.evaluation import Evaluation
from domain.levels import Level
from domain.policy import AVERAGE_SCORE, LOWEST_LEVEL, MAJORITY_LEVEL, NATIONAL_ANNUAL_2026
from domain.rollup import MonthlyResult, roll_up

pytestmark = pytest.mark.unit

# A monthly result as decided: a score, and a level no higher than its band.
_months = st.lists(
    st.tuples(st.integers(1, 12), st.floats(0, 100, allow_nan=False), st.integers(0, 3)),
    min_size=1, max_size=12)


def _results(months: list[tuple[int, float, int]]) -> list[MonthlyResult]:
    bands = NATIONAL_ANNUAL_2026.bands
    out = []
    for month, score, lower in months:
        earned = bands.level_for(score)
        level = Level("ABCD"[min(3, "ABCD".index(earned.value) + lower % 2)])
        out.append(MonthlyResult(2026, month, level, score))
    return out


@settings(max_examples=200, deadline=None)
@given(months=_months, method=st.sampled_from([AVERAGE_SCORE, LOWEST_LEVEL, MAJORITY_LEVEL]))
def test_a_roll_up_stays_within_the_months_and_can_always_be_proposed(
    months: list[tuple[int, float, int]], method: str,
) -> None:
    policy = NATIONAL_ANNUAL_2026.adjusted("t", {"rollup_method": method})
    results = _results(months)
    rolled = roll_up(policy, results)
    assert rolled is not None
    scores = [r.score for r in results]
    assert min(scores) - 0.01 <= rolled.score <= max(scores) + 0.01
    assert rolled.months == len(results)
    assert rolled.level.rank <= policy.bands.level_for(rolled.score).rank  # never above band
    if method == LOWEST_LEVEL:
        assert rolled.level.rank <= min(r.level.rank for r in results)
    if method == MAJORITY_LEVEL:
        assert rolled.level.rank <= max(r.level.rank for r in results)
    # The proposal passes the same checks as any proposal.
    evaluation = Evaluation(id=uuid.uuid4(), period_id=uuid.uuid4(), unit_id=uuid.uuid4(),
                            staff_id=uuid.uuid4(), subject="official", kind="annual",
                            year=2026, number=1)
    evaluation.propose(rolled.level, rolled.score, rolled.summary_vi, "", policy, "hr")
    assert evaluation.proposed_level == rolled.level.value


def test_no_monthly_result_proposes_nothing() -> None:
    assert roll_up(NATIONAL_ANNUAL_2026, []) is None
