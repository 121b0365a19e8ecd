"""The list of personal fields names real fields of real events, and sealing round-trips."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from domain.personal_data import OWNER_FIELD, PERSONAL_FIELDS
from storage.sealing import ERASED, LoadedKeys, new_key, open_state, seal_state
from tests.support.event_kinds import tenant_event_topics

pytestmark = pytest.mark.unit


def _fields_of(name: str) -> set[str]:
    from eventsourcing.utils import resolve_topic

    [topic] = [t for t in tenant_event_topics() if t.endswith(":" + name)]
    fields: set[str] = set()
    for cls in resolve_topic(topic).__mro__:
        fields |= set(getattr(cls, "__annotations__", {}))
    return fields


@pytest.mark.parametrize("name", sorted(PERSONAL_FIELDS))
def test_every_personal_field_is_a_field_of_its_event(name: str) -> None:
    fields = _fields_of(name)
    for path in PERSONAL_FIELDS[name]:
        assert path.partition("[]")[0] in fields, (name, path)


def test_every_person_owning_event_names_the_person() -> None:
    for name, field in OWNER_FIELD.items():
        assert field in _fields_of(name)


class Ring(LoadedKeys):
    """A write-side ring in memory: one key per person, owners remembered."""

    def __init__(self) -> None:
        super().__init__()
        self.owners: dict[uuid.UUID, uuid.UUID] = {}

    def key_to_seal(self, subject: uuid.UUID) -> bytes:
        return self.keys.setdefault(subject, new_key())

    def owner(self, aggregate_id: uuid.UUID) -> uuid.UUID | None:
        return self.owners.get(aggregate_id)

    def note_owner(self, aggregate_id: uuid.UUID, subject: uuid.UUID) -> None:
        self.owners[aggregate_id] = subject


def test_sealed_texts_open_with_the_persons_key_and_read_erased_without_it() -> None:
    ring, person, evaluation = Ring(), uuid.uuid4(), uuid.uuid4()
    seal_state("Evaluation.Started", evaluation, {"staff_id": person}, ring)
    state: dict[str, Any] = {"note": "Đang điều trị", "score": 90,
                             "tasks": [{"title": "Tiếp dân", "evidence": "Giấy ra viện"},
                                       {"title": "Báo cáo", "evidence": ""}]}
    original = {**state, "tasks": [dict(t) for t in state["tasks"]]}
    sealed = dict(state)
    seal_state("Evaluation.SelfAssessmentSubmitted", evaluation, sealed, ring)
    assert state == original  # the domain event's own values are never touched
    assert "Đang điều trị" not in repr(sealed)
    assert "Giấy ra viện" not in repr(sealed)
    assert sealed["tasks"][1]["evidence"] == ""  # nothing to hide
    assert sealed["tasks"][0]["title"] == "Tiếp dân"  # not personal
    opened = dict(sealed)
    open_state("Evaluation.SelfAssessmentSubmitted", evaluation, opened, ring)
    assert opened == original
    # Without the key — or under another aggregate's id — the text reads as erased.
    for keys, aggregate in ((LoadedKeys(), evaluation), (ring, uuid.uuid4())):
        erased = dict(sealed)
        open_state("Evaluation.SelfAssessmentSubmitted", aggregate, erased, keys)
        assert erased["note"] == ERASED
        assert erased["tasks"][0]["evidence"] == ERASED
        assert erased["score"] == 90
