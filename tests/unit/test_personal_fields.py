"""The list of personal fields names real fields of real events, and sealing round-trips."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from domain.personal_data import NOT_PERSONAL, OWNER_FIELD, PERSONAL_FIELDS, WHO_ACTED
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


def _text_fields() -> dict[str, set[str]]:
    """Every field of every event class in domain/ whose type holds text, by
    "Aggregate.Event" (the fields every event inherits from the library left out)."""
    import importlib
    import inspect
    import pkgutil
    import typing

    from eventsourcing.domain import Aggregate, DomainEvent

    import domain

    inherited = set(typing.get_type_hints(Aggregate.Created))
    found: dict[str, set[str]] = {}
    for info in pkgutil.iter_modules(domain.__path__):
        module = importlib.import_module(f"domain.{info.name}")
        for name, cls in vars(module).items():
            if not (inspect.isclass(cls) and issubclass(cls, Aggregate)
                    and cls.__module__ == module.__name__):
                continue
            for event_name, event in vars(cls).items():
                if inspect.isclass(event) and issubclass(event, DomainEvent):
                    hints = typing.get_type_hints(event)
                    found[f"{name}.{event_name}"] = {
                        k for k, v in hints.items() if "str" in str(v) and k not in inherited}
    return found


def unclassified(fields: dict[str, set[str]]) -> list[str]:
    out = []
    for event, names in sorted(fields.items()):
        personal = {p.partition("[]")[0] for p in PERSONAL_FIELDS.get(event, ())}
        declared = personal | set(NOT_PERSONAL.get(event, ())) | set(WHO_ACTED)
        out += [f"{event}.{n}" for n in sorted(names - declared)]
    return out


def test_every_text_field_of_every_event_is_personal_or_declared_not() -> None:
    fields = _text_fields()
    assert len(fields) >= 40  # the walk finds the events
    assert unclassified(fields) == [], (
        "add each to PERSONAL_FIELDS (sealed) or NOT_PERSONAL (with why), "
        "domain/personal_data.py")
    # An event of tomorrow with free text nobody classified is caught.
    assert unclassified({**fields, "Appeal.Reopened": {"actor", "grounds"}}) == [
        "Appeal.Reopened.grounds"]


def test_nothing_is_both_personal_and_not() -> None:
    for event, names in NOT_PERSONAL.items():
        personal = {p.partition("[]")[0] for p in PERSONAL_FIELDS.get(event, ())}
        assert not personal & set(names), event
        assert set(names) <= _text_fields().get(event, set()), (event, "no such text field")


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
