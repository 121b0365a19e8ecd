"""How events are stored: the JSON transcodings shared by the write side and the projector."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    Transcoding,
    UUIDAsHex,
)
from eventsourcing.utils import get_topic

from projections.personal import NO_KEYS, KeyRing, event_name, open_state, seal_state


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def register_transcodings(transcoder: JSONTranscoder) -> None:
    transcoder.register(UUIDAsHex())
    transcoder.register(DecimalAsStr())
    transcoder.register(DatetimeAsISO())
    transcoder.register(DateAsISO())


class PersonalDataMapper(Mapper[UUID]):
    """The library's mapper, sealing personal fields with each person's key on the way in
    and opening them (or showing them erased) on the way out (projections/personal.py)."""

    def __init__(self, transcoder: JSONTranscoder, keys: KeyRing) -> None:
        super().__init__(transcoder=transcoder)
        self.keys = keys

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        topic = get_topic(domain_event.__class__)
        state = dict(vars(domain_event))
        aggregate_id = state.pop("originator_id")
        version = state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        seal_state(event_name(topic), aggregate_id, state, self.keys)
        return StoredEvent(originator_id=aggregate_id, originator_version=version,
                           topic=topic, state=self.transcoder.encode(state))

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        event = super().to_domain_event(stored_event)
        open_state(event_name(stored_event.topic), UUID(str(event.originator_id)), vars(event),
                   self.keys)
        return event


def make_mapper() -> Mapper[Any]:
    transcoder = JSONTranscoder()
    register_transcodings(transcoder)
    return Mapper(transcoder=transcoder)


_MAPPER = make_mapper()


def decode(row: Any, keys: KeyRing = NO_KEYS) -> DomainEventProtocol[Any]:
    """A stored-event row (originator_id, originator_version, topic, state) → domain event.

    Personal fields open with ``keys`` (``projections.personal.load_keys`` for the rows);
    without their person's key they read as ``ERASED``.
    """
    stored = StoredEvent(
        originator_id=row["originator_id"],
        originator_version=row["originator_version"],
        topic=row["topic"],
        state=bytes(row["state"]),
    )
    event = _MAPPER.to_domain_event(stored)
    open_state(event_name(stored.topic), row["originator_id"], vars(event), keys)
    return event
