"""Projections declare the event topics they need: each must name a real event class."""

from __future__ import annotations

import pytest
from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import resolve_topic

from projections.registry import PROJECTIONS

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("topic", sorted({t for p in PROJECTIONS for t in p.handlers}))
def test_every_declared_topic_names_an_event_class(topic: str) -> None:
    event_class = resolve_topic(topic)
    assert issubclass(event_class, CanMutateAggregate), topic


def test_each_table_is_owned_by_one_projection() -> None:
    tables = [t for p in PROJECTIONS for t in p.tables]
    assert len(tables) == len(set(tables))
