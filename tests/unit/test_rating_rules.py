"""The rules of one decision, on the aggregates alone (no I/O)."""

from __future__ import annotations

import contextlib
import uuid
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import (
    AlreadyDecidedError,
    LevelScoreMismatchError,
    NotCompetentLeaderError,
    PeriodClosedError,
    QuotaExceededError,
    ReasonsRequiredError,
    ScoreOutOfRangeError,
    SelfRatingError,
)
from domain.evaluation import Evaluation
from domain.levels import Level, ScoreBands
from domain.organisation import Unit, competent_decider
from domain.period import EvaluationPeriod
from domain.policy import HANOI_MONTHLY_2018

pytestmark = pytest.mark.unit
POLICY = HANOI_MONTHLY_2018


def _period(members: int) -> EvaluationPeriod:
    return EvaluationPeriod(id=uuid.uuid4(), unit_id=uuid.uuid4(), kind="monthly", year=2026,
                            number=3, deadline=date(2026, 4, 5), policy=POLICY.to_state(),
                            members=[uuid.uuid4() for _ in range(members)])


def _evaluation() -> Evaluation:
    return Evaluation(id=uuid.uuid4(), period_id=uuid.uuid4(), unit_id=uuid.uuid4(),
                      staff_id=uuid.uuid4(), subject="official", kind="monthly", year=2026,
                      number=3)


def _units() -> tuple[Unit, Unit]:
    parent = Unit(id=uuid.uuid4(), name="UBND", kind="people_committee", parent_id=None)
    unit = Unit(id=uuid.uuid4(), name="MTTQ", kind="fatherland_front", parent_id=parent.id)
    parent.appoint_leader(uuid.uuid4())  # type: ignore[arg-type]
    unit.appoint_leader(uuid.uuid4())  # type: ignore[arg-type]
    return unit, parent


@pytest.mark.parametrize(("score", "level"), [(100, "A"), (90, "A"), (89.9, "B"), (70, "B"),
                                               (69.5, "C"), (50, "C"), (49, "D"), (0, "D")])
def test_score_bands_follow_decree_335(score: float, level: str) -> None:
    assert ScoreBands().level_for(score) == Level(level)


@given(st.floats(0, 100), st.floats(0, 100))
def test_a_higher_score_never_earns_a_lower_level(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert ScoreBands().level_for(high).rank >= ScoreBands().level_for(low).rank


def test_leader_cannot_rate_themselves() -> None:
    unit, parent = _units()
    assert unit.leader_id is not None
    with pytest.raises(SelfRatingError):
        competent_decider(unit.leader_id, unit, parent, str(unit.leader_id))


def test_only_the_head_of_the_unit_decides_for_its_members() -> None:
    unit, parent = _units()
    member = uuid.uuid4()
    unit.join(member)  # type: ignore[arg-type]
    competent_decider(member, unit, parent, str(unit.leader_id))  # type: ignore[arg-type]
    with pytest.raises(NotCompetentLeaderError):
        competent_decider(member, unit, parent, str(uuid.uuid4()))  # type: ignore[arg-type]
    with pytest.raises(NotCompetentLeaderError):  # the level above does not skip the head
        competent_decider(member, unit, parent, str(parent.leader_id))  # type: ignore[arg-type]


def test_a_head_is_rated_by_the_head_of_the_parent_unit() -> None:
    unit, parent = _units()
    assert unit.leader_id is not None
    competent_decider(unit.leader_id, unit, parent, str(parent.leader_id))  # type: ignore[arg-type]
    with pytest.raises(NotCompetentLeaderError):
        competent_decider(unit.leader_id, unit, None, str(parent.leader_id))  # type: ignore[arg-type]


@pytest.mark.parametrize("score", [-1, 100.5, 1000])
def test_score_outside_0_to_100_is_refused(score: float) -> None:
    evaluation = _evaluation()
    with pytest.raises(ScoreOutOfRangeError):
        evaluation.submit_self_assessment(score, [], "", POLICY)
    with pytest.raises(ScoreOutOfRangeError):
        evaluation.decide(Level.D, score, "", POLICY)
    assert evaluation.collect_events()[1:] == []


def test_level_above_what_the_score_earns_is_refused() -> None:
    evaluation = _evaluation()
    with pytest.raises(LevelScoreMismatchError):
        evaluation.decide(Level.A, 85, "", POLICY)
    evaluation.decide(Level.C, 85, "", POLICY)  # a lower level than earned is the leader's call
    assert evaluation.level == "C"


def test_reasons_required_when_decision_departs_from_self_assessment() -> None:
    evaluation = _evaluation()
    evaluation.submit_self_assessment(92, [], "", POLICY)
    with pytest.raises(ReasonsRequiredError):
        evaluation.decide(Level.B, 85, "  ", POLICY)
    evaluation.decide(Level.B, 85, "Chưa hoàn thành báo cáo quý đúng hạn.", POLICY)
    assert evaluation.level == "B"


def test_a_decided_evaluation_cannot_be_decided_again() -> None:
    evaluation = _evaluation()
    evaluation.decide(Level.B, 80, "", POLICY)
    with pytest.raises(AlreadyDecidedError):
        evaluation.decide(Level.C, 60, "đổi ý", POLICY)
    with pytest.raises(AlreadyDecidedError):
        evaluation.submit_self_assessment(90, [], "", POLICY)


def test_excellent_quota_is_30_percent_of_those_rated_in_hanoi_monthly() -> None:
    period = _period(members=10)
    for staff in period.members[:3]:
        period.register_decision(staff, Level.A)
    with pytest.raises(QuotaExceededError):
        period.register_decision(period.members[3], Level.A)
    period.register_decision(period.members[3], Level.B)
    assert sum(1 for lvl in period.decisions.values() if lvl == "A") == 3


def test_closed_period_refuses_decisions() -> None:
    period = _period(members=3)
    period.close()
    with pytest.raises(PeriodClosedError):
        period.register_decision(period.members[0], Level.B)


@settings(deadline=None)  # timing varies on a loaded machine; the property is what matters
@given(members=st.integers(1, 40),
       asks=st.lists(st.tuples(st.integers(0, 39), st.sampled_from(list(Level))), max_size=60))
def test_whatever_is_accepted_the_quota_holds(members: int, asks: list[tuple[int, Level]]) -> None:
    period = _period(members)
    for index, level in asks:
        staff = period.members[index % members]
        if str(staff) in period.decisions:
            continue
        with contextlib.suppress(QuotaExceededError):
            period.register_decision(staff, level)
    excellent = sum(1 for lvl in period.decisions.values() if lvl == "A")
    assert excellent <= POLICY.excellent_cap(members)
