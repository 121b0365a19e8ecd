"""The version a client sends back (``expectedVersion``) is read from rm_ratings: every kind of
event of an evaluation must move it, or a client would be told STALE_VERSION forever."""

from __future__ import annotations

import pytest

from projections.ratings import RatingsProjection
from tests.support.event_kinds import tenant_event_topics

pytestmark = pytest.mark.unit


def test_every_event_of_an_evaluation_is_projected_with_its_version() -> None:
    evaluation_events = {t for t in tenant_event_topics()
                         if t.startswith("domain.evaluation:Evaluation.")}
    assert evaluation_events <= set(RatingsProjection.handlers)

    class Event:  # the fields the handlers read, with a recognisable version
        originator_id, originator_version = "evaluation", 7
        period_id = unit_id = staff_id = subject = kind = year = number = None
        score = level = timestamp = criteria = strengths = shortcomings = actor = None
        text = satisfaction = source = reasons = policy_version = authority = None
        appeal_id = from_tenant = self_score = self_level = None

    for topic in evaluation_events:
        statements = RatingsProjection.statements("s", topic, Event(), 99)
        rating = [(sql, args) for sql, args in statements if "rm_ratings" in sql]
        assert rating, topic
        assert all("version" in sql and 7 in args for sql, args in rating), topic
