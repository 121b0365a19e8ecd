"""The rules of an appeal, on the aggregates alone (no I/O)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.appeal import Appeal, AppealDocket, Outcome, docket_id_for
from domain.appeal_errors import (
    AppealAlreadyOpenError,
    AppealWindowClosedError,
    AppealWrongStageError,
    ConflictedReviewerError,
    GroundsRequiredError,
    NotAppellantError,
    NotCompetentReviewerError,
    NotOwnRatingError,
    OutcomeInconsistentError,
    RatingNotPublishedError,
)
from domain.errors import (
    DomainError,
    PartyRatingAboveOfficialError,
    QuotaExceededError,
    ReasonsRequiredError,
)
from domain.evaluation import Evaluation
from domain.levels import Level
from domain.period import EvaluationPeriod
from domain.policy import HANOI_MONTHLY_2018

pytestmark = pytest.mark.unit
DECIDED_ON = date(2026, 4, 2)
STAFF = uuid.uuid4()
DECIDER = str(uuid.uuid4())
ABOVE = str(uuid.uuid4())


def _file(today: date = DECIDED_ON, **overrides: Any) -> Appeal:
    args: dict[str, Any] = dict(
        appeal_id=uuid.uuid4(), appellant=str(STAFF), evaluation_id=uuid.uuid4(),
        staff_id=STAFF, unit_id=uuid.uuid4(), period_id=uuid.uuid4(), year=2026, number=3,
        decided_by=DECIDER, decided_level="C", decided_score=65.0, decided_on=DECIDED_ON,
        published_on=DECIDED_ON,
        grounds="Tôi hoàn thành đủ 4 nhiệm vụ đúng hạn.", level_claimed=Level.B,
        evidence="Báo cáo 12/BC", today=today, window_days=10, instance_days=15)
    args.update(overrides)
    return Appeal.file(**args)


def _under_review(reviewer: str = DECIDER) -> Appeal:
    appeal = _file()
    appeal.assign(reviewer)
    appeal.accept(reviewer)
    return appeal


def test_only_the_rated_person_may_appeal() -> None:
    with pytest.raises(NotOwnRatingError):
        _file(appellant=str(uuid.uuid4()))


@given(st.integers(0, 40))
def test_appeal_is_accepted_exactly_within_the_window(days_after: int) -> None:
    today = DECIDED_ON + timedelta(days=days_after)
    if days_after <= 10:
        assert _file(today=today).due_on == today + timedelta(days=15)
    else:
        with pytest.raises(AppealWindowClosedError):
            _file(today=today)


def test_an_unpublished_rating_cannot_be_appealed_and_the_window_runs_from_publication(
) -> None:
    with pytest.raises(RatingNotPublishedError):
        _file(published_on=None)
    later = DECIDED_ON + timedelta(days=7)
    assert _file(published_on=later, today=later + timedelta(days=10)).status == \
        "awaiting_reviewer"
    with pytest.raises(AppealWindowClosedError):
        _file(published_on=later, today=later + timedelta(days=11))


def test_grounds_are_required_and_a_claim_must_be_higher() -> None:
    with pytest.raises(GroundsRequiredError):
        _file(grounds="   ")
    with pytest.raises(OutcomeInconsistentError):
        _file(level_claimed=Level.C)


def test_one_open_appeal_per_rating() -> None:
    first = _file()
    docket = AppealDocket(id=docket_id_for(first.evaluation_id),
                          evaluation_id=first.evaluation_id, appeal_id=first.id)
    with pytest.raises(AppealAlreadyOpenError):
        docket.lodge(uuid.uuid4(), first, DECIDED_ON, 10)
    first.withdraw(str(STAFF), "")
    docket.close(first.id)
    docket.lodge(uuid.uuid4(), None, DECIDED_ON, 10)


def test_no_one_reviews_an_appeal_about_their_own_rating() -> None:
    with pytest.raises(ConflictedReviewerError):
        _file().assign(str(STAFF))


def test_only_the_assigned_reviewer_accepts_and_decides() -> None:
    appeal = _file()
    appeal.assign(DECIDER)
    with pytest.raises(NotCompetentReviewerError):
        appeal.accept(ABOVE)
    appeal.accept(DECIDER)
    with pytest.raises(NotCompetentReviewerError):
        appeal.decide(ABOVE, Outcome.DISMISSED, "Không có căn cứ.", None, None, DECIDED_ON, 10)


def test_an_outcome_needs_reasons() -> None:
    appeal = _under_review()
    with pytest.raises(ReasonsRequiredError):
        appeal.decide(DECIDER, Outcome.DISMISSED, " ", None, None, DECIDED_ON, 10)


def test_upheld_gives_the_level_claimed_and_partial_does_not() -> None:
    appeal = _under_review()
    with pytest.raises(OutcomeInconsistentError):
        appeal.decide(DECIDER, Outcome.UPHELD, "Đúng.", Level.C, 68, DECIDED_ON, 10)
    with pytest.raises(OutcomeInconsistentError):
        appeal.decide(DECIDER, Outcome.PARTIALLY_UPHELD, "Một phần.", Level.B, 75, DECIDED_ON, 10)
    with pytest.raises(OutcomeInconsistentError):
        appeal.decide(DECIDER, Outcome.DISMISSED, "Không.", Level.C, 65, DECIDED_ON, 10)
    assert appeal.decide(DECIDER, Outcome.UPHELD, "Đúng.", Level.B, 75, DECIDED_ON, 10)
    assert appeal.status == "closed"
    with pytest.raises(AppealWrongStageError):
        appeal.escalate(str(STAFF), "Lần hai", DECIDED_ON, 10, 30)


def test_the_decider_never_decides_the_second_instance() -> None:
    appeal = _under_review()
    assert not appeal.decide(DECIDER, Outcome.DISMISSED, "Không có căn cứ.", None, None,
                             DECIDED_ON, 10)
    with pytest.raises(NotAppellantError):
        appeal.escalate(DECIDER, "Lần hai", DECIDED_ON, 10, 30)
    appeal.escalate(str(STAFF), "Đề nghị cấp trên xem xét.", DECIDED_ON, 10, 30)
    assert (appeal.instance, appeal.status) == (2, "awaiting_reviewer")
    with pytest.raises(ConflictedReviewerError):
        appeal.assign(DECIDER)
    appeal.assign(ABOVE)
    with pytest.raises(ConflictedReviewerError):
        appeal.accept(DECIDER)
    appeal.accept(ABOVE)
    appeal.decide(ABOVE, Outcome.UPHELD, "Có căn cứ.", Level.B, 72, DECIDED_ON, 10)
    assert appeal.final


def test_escalation_has_its_own_window() -> None:
    appeal = _under_review()
    appeal.decide(DECIDER, Outcome.DISMISSED, "Không có căn cứ.", None, None, DECIDED_ON, 10)
    with pytest.raises(AppealWindowClosedError):
        appeal.escalate(str(STAFF), "Muộn", DECIDED_ON + timedelta(days=11), 10, 30)
    assert not appeal.is_open(DECIDED_ON + timedelta(days=11), 10)


def test_more_information_goes_back_to_review_and_withdrawal_closes() -> None:
    appeal = _under_review()
    appeal.request_information(DECIDER, "Đề nghị nộp biên bản họp.")
    assert appeal.status == "awaiting_information"
    with pytest.raises(NotAppellantError):
        appeal.provide_information(DECIDER, "x")
    appeal.provide_information(str(STAFF), "Biên bản họp ngày 28/3.")
    assert appeal.status == "under_review"
    appeal.withdraw(str(STAFF), "Đã được giải thích.")
    with pytest.raises(AppealWrongStageError):
        appeal.decide(DECIDER, Outcome.DISMISSED, "x", None, None, DECIDED_ON, 10)


def test_amendment_keeps_the_original_and_cites_the_appeal() -> None:
    evaluation = Evaluation(id=uuid.uuid4(), period_id=uuid.uuid4(), unit_id=uuid.uuid4(),
                            staff_id=STAFF, subject="official", kind="monthly", year=2026,
                            number=3)
    evaluation.decide(Level.C, 65, "", HANOI_MONTHLY_2018)
    appeal_id = uuid.uuid4()
    with pytest.raises(ReasonsRequiredError):
        evaluation.amend(Level.B, 75, "", HANOI_MONTHLY_2018, appeal_id)
    evaluation.amend(Level.B, 75, "Đủ căn cứ.", HANOI_MONTHLY_2018, appeal_id)
    names = [type(e).__name__ for e in evaluation.collect_events()]
    assert names == ["Started", "RatingDecided", "RatingAmended"]
    assert (evaluation.level, evaluation.score) == ("B", 75)


def test_amended_ratings_are_held_to_the_quota() -> None:
    members = [uuid.uuid4() for _ in range(4)]  # 30% of 4 → one excellent
    period = EvaluationPeriod(id=uuid.uuid4(), unit_id=uuid.uuid4(), kind="monthly", year=2026,
                              number=3, deadline=date(2026, 4, 5),
                              policy=HANOI_MONTHLY_2018.to_state(), members=members)
    period.register_decision(members[0], Level.A)
    period.register_decision(members[1], Level.B)
    period.close()
    with pytest.raises(QuotaExceededError):
        period.register_amendment(members[1], Level.A, uuid.uuid4())
    period.register_amendment(members[0], Level.A, uuid.uuid4())  # own slot is not "taken"
    period.register_amendment(members[1], Level.C, uuid.uuid4())  # allowed after closing


PEOPLE = {"appellant": str(STAFF), "decider": DECIDER, "above": ABOVE,
          "stranger": str(uuid.uuid4())}
ACTIONS = ["assign", "accept", "ask", "answer", "withdraw", "dismiss", "uphold", "partial",
           "escalate"]


@given(st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(sorted(PEOPLE))),
                max_size=30))
def test_whatever_is_attempted_no_one_decides_their_own_case(
    steps: list[tuple[str, str]]) -> None:
    """Rules combined: a refused step changes nothing; no decision is ever taken by the
    appellant, or on second instance by the decider or the first-instance reviewer; nothing
    happens after the appeal is final."""
    appeal = _file()
    outcomes = {"dismiss": (Outcome.DISMISSED, None, None),
                "uphold": (Outcome.UPHELD, Level.B, 75.0),
                "partial": (Outcome.PARTIALLY_UPHELD, Level.C, 68.0)}
    for action, who in steps:
        person, version, was_final = PEOPLE[who], appeal.version, appeal.final
        instance = appeal.instance
        try:
            if action == "assign":
                appeal.assign(person)
            elif action == "accept":
                appeal.accept(person)
            elif action == "ask":
                appeal.request_information(person, "Bổ sung hồ sơ.")
            elif action == "answer":
                appeal.provide_information(person, "Đã bổ sung.")
            elif action == "withdraw":
                appeal.withdraw(person, "")
            elif action == "escalate":
                appeal.escalate(person, "Lần hai.", DECIDED_ON, 10, 30)
            else:
                outcome, level, score = outcomes[action]
                appeal.decide(person, outcome, "Theo hồ sơ.", level, score, DECIDED_ON, 10)
                assert person != str(STAFF)
                if instance == 2:
                    assert person not in (DECIDER, appeal.first_reviewer)
        except DomainError:
            assert appeal.version == version
            continue
        assert not was_final, "something happened after the appeal was final"


def test_an_appeal_cannot_make_a_party_rating_excellent_above_the_official_one() -> None:
    party = Evaluation(id=uuid.uuid4(), period_id=uuid.uuid4(), unit_id=uuid.uuid4(),
                       staff_id=STAFF, subject="party", kind="annual", year=2026, number=1)
    party.decide_party(Level.B, 85, "", HANOI_MONTHLY_2018, official_level="B")
    with pytest.raises(PartyRatingAboveOfficialError):
        party.amend(Level.A, 92, "Đủ căn cứ.", HANOI_MONTHLY_2018, uuid.uuid4(),
                    official_level="B")
    party.amend(Level.A, 92, "Đủ căn cứ.", HANOI_MONTHLY_2018, uuid.uuid4(),
                official_level="A")
    assert party.level == "A"
