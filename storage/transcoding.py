"""How an event becomes stored JSON and back: the transcodings the write side and the
projector share, and the mapper that seals personal fields on the way in and opens them on
the way out.

Custom types become ``{"_type_": name, "_data_": text}``; the projector's fast reader
(``projections/codec.py``) revives exactly the names registered here.
"""

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

from storage.sealing import KeyRing, event_name, open_state, seal_state


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
    and opening them (or showing them erased) on the way out (storage/sealing.py)."""

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
