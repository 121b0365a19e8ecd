"""The order of the annual round and the Party-member rating, on the aggregates alone:
properties over any tree of units, any order of kinds and any sequence of attempts."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.collective import CollectiveRound, depths, kind_rank
from domain.errors import (
    DomainError,
    NotDecidedError,
    OrderViolationError,
    PartyRatingAboveOfficialError,
)
from domain.evaluation import Evaluation
from domain.levels import Level
from domain.policy import NATIONAL_ANNUAL_2026

pytestmark = pytest.mark.unit
KINDS = ["party_cell", "office", "fatherland_front", "party_committee"]

_trees = st.lists(st.tuples(st.integers(0, 20), st.sampled_from(KINDS)), min_size=1,
                  max_size=9)


def _round(tree: list[tuple[int, str]], order: list[str]) -> CollectiveRound:
    """Unit i hangs under the top (-1) or under an earlier unit, so any list is a tree."""
    ids = [str(uuid.uuid4()) for _ in tree]
    top = str(uuid.uuid4())
    units: dict[str, dict[str, Any]] = {}
    for i, (parent, kind) in enumerate(tree):
        above = parent % (i + 1) - 1  # -1: the top of the tenant
        units[ids[i]] = {"name": f"Đơn vị {i}", "kind": kind,
                         "parent": top if above < 0 else ids[above]}
    return CollectiveRound(id=uuid.uuid4(), year=2026, order=order, units=units,
                           policy=NATIONAL_ANNUAL_2026.to_state())


@settings(max_examples=150, deadline=None)
@given(tree=_trees, order=st.permutations(["party_cell", "unit", "party_committee"]),
       attempts=st.lists(st.integers(0, 20), max_size=30))
def test_whatever_order_is_tried_collectives_go_lower_before_higher_and_all_get_rated(
    tree: list[tuple[int, str]], order: list[str], attempts: list[int],
) -> None:
    rnd = _round(tree, order)
    ids = list(rnd.units)
    depth = depths(rnd.units)
    accepted: list[str] = []

    def attempt(unit: str) -> bool:
        before = dict(rnd.decisions)
        try:
            rnd.rate(uuid.UUID(unit), Level.B, 85, "", "cấp trên")
        except OrderViolationError:
            assert rnd.decisions == before  # a refusal changes nothing
            return False
        accepted.append(unit)
        return True

    for index in attempts:
        unit = ids[index % len(ids)]
        if unit not in rnd.decisions:
            attempt(unit)
    # Whatever happened so far, the round can always be completed (the order is total).
    while len(rnd.decisions) < len(ids):
        assert any([attempt(u) for u in ids if u not in rnd.decisions])
    for position, unit in enumerate(accepted):
        rated_before = set(accepted[:position])
        for other in ids:
            deeper = depth[other] > depth[unit]
            same_level_first = depth[other] == depth[unit] and \
                kind_rank(order, rnd.units[other]["kind"]) < \
                kind_rank(order, rnd.units[unit]["kind"])
            if deeper or same_level_first:
                assert other in rated_before, (unit, other)


def _party_evaluation() -> Evaluation:
    return Evaluation(id=uuid.uuid4(), period_id=uuid.uuid4(), unit_id=uuid.uuid4(),
                      staff_id=uuid.uuid4(), subject="party", kind="annual", year=2026, number=1)


@settings(max_examples=200, deadline=None)
@given(official=st.sampled_from([None, *list(Level)]), level=st.sampled_from(list(Level)),
       score=st.floats(0, 100))
def test_a_party_member_is_never_excellent_unless_the_official_rating_is(
    official: Level | None, level: Level, score: float,
) -> None:
    party = _party_evaluation()
    try:
        party.decide_party(level, score, "", NATIONAL_ANNUAL_2026,
                           official.value if official else None)
    except NotDecidedError:
        assert official is None
        return
    except PartyRatingAboveOfficialError:
        assert level is Level.A
        assert official is not Level.A
        return
    except DomainError:  # the level is above what the score earns
        assert level.rank > NATIONAL_ANNUAL_2026.bands.level_for(score).rank
        return
    assert official is not None
    assert party.level == level.value
    assert level is not Level.A or official is Level.A
