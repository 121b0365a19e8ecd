"""The version a client sends back (``expectedVersion``) is read from rm_ratings: every kind of
event of an evaluation must move it, or a client would be told STALE_VERSION forever."""

from __future__ import annotations

import pytest

from projections.fold import Rows
from projections.ratings import RATING, RATINGS, RatingsProjection
from tests.support.event_kinds import tenant_event_topics

pytestmark = pytest.mark.unit


def test_every_event_of_an_evaluation_is_projected_with_its_version() -> None:
    evaluation_events = {t for t in tenant_event_topics()
                         if t.startswith("domain.evaluation:Evaluation.")}
    assert evaluation_events <= RatingsProjection.topics()
    assert evaluation_events <= set(RATINGS.steps)

    class Event:  # the fields the steps read, with a recognisable version
        originator_id, originator_version = "evaluation", 7
        period_id = unit_id = staff_id = subject = kind = year = number = None
        score = level = timestamp = criteria = strengths = shortcomings = actor = None
        text = satisfaction = source = reasons = policy_version = authority = None
        appeal_id = from_tenant = self_score = self_level = None

    for topic in evaluation_events:
        step = RATINGS.steps[topic]
        # The evaluation's row as an earlier event left it (none yet, for its opening).
        held = {} if topic.endswith(".Started") else {"evaluation": RATING.new_row(
            evaluation_id="evaluation", status="pending", position=1, version=1)}
        tables = {RATING.name: Rows(held)} | {
            t.name: Rows({}) for t in RATINGS.tables if t is not RATING}
        step.apply(tables, step.args(Event(), 99))
        row = tables[RATING.name].rows["evaluation"]
        assert "evaluation" in tables[RATING.name].touched, topic
        assert row["version"] == 7, topic
