"""The projector's fast path from a stored row back to the domain event (the transcodings
themselves, shared with the write side, are in ``storage/transcoding.py``).

The write side encodes with the library's ``JSONTranscoder``; custom types become
``{"_type_": name, "_data_": text}``. Reading them back through the library's mapper runs
a Python hook for every JSON object and the general mapper machinery for every event, which
was half of a catch-up's time. ``decode`` gives the same event object (same class, same
attribute values and types) from msgspec's C parser plus a walk that revives only the four
transcoded types this project stores.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any
from uuid import UUID

import msgspec
from domain.text import storable_deep
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.utils import resolve_topic
from storage.sealing import NO_KEYS, KeyRing, event_name, open_state

# The registered transcodings' names → how their text is read back (see register_transcodings).
# The same ids recur in event after event (a period, a unit, a person): UUIDs are immutable,
# so one object per id is shared instead of parsing the text again each time.
_REVIVE: dict[str, Callable[[str], Any]] = {
    "uuid_hex": lru_cache(maxsize=1 << 16)(UUID),
    "decimal_str": Decimal,
    "datetime_iso": datetime.fromisoformat,
    "date_iso": date.fromisoformat,
}
_JSON = msgspec.json.Decoder()
_NUL = b"\\u0000"  # how JSON spells U+0000 (the encoder never writes it raw)
_SEALED = b'"_sealed_"'  # in every envelope (storage.sealing.seal_text)


def _revive(value: Any) -> Any:
    """Turn every ``{"_type_": …, "_data_": …}`` inside ``value`` back into its object."""
    if type(value) is dict:
        if len(value) == 2 and "_type_" in value and "_data_" in value:
            return _REVIVE[value["_type_"]](value["_data_"])
        return {k: _revive(v) if type(v) in (dict, list) else v for k, v in value.items()}
    if type(value) is list:
        return [_revive(v) if type(v) in (dict, list) else v for v in value]
    return value


@cache
def _event_class(topic: str) -> tuple[type[Any], int, str]:
    cls = resolve_topic(topic)
    return cls, getattr(cls, "class_version", 1), event_name(topic)


def decode_state(state: bytes, unread: tuple[str, ...] = ()) -> dict[str, Any]:
    """An event's stored state as the library's transcoder would read it, less the fields
    ``unread`` (neither revived nor opened).

    Text PostgreSQL cannot store (NUL, an unpaired surrogate written below the API) is
    made storable by ``domain.text.storable`` — U+FFFD in its place — so no event's
    content can stop a projection, and replay and rebuild apply the same rule.
    """
    try:
        data: dict[str, Any] = _JSON.decode(state)
    except msgspec.DecodeError:
        # msgspec refuses unpaired surrogates; the standard parser reads them.
        data = json.loads(state)
        data = storable_deep(data)  # type: ignore[assignment]
    else:
        if _NUL in state:
            data = storable_deep(data)  # type: ignore[assignment]
    for name in unread:
        data.pop(name, None)
    for key, value in data.items():
        kind = type(value)
        if kind is dict:
            # Most are one transcoded value (a timestamp, an id): revived here, not walked.
            data[key] = (_REVIVE[value["_type_"]](value["_data_"])
                         if len(value) == 2 and "_type_" in value and "_data_" in value
                         else _revive(value))
        elif kind is list:
            data[key] = _revive(value)
    return data


def decode(row: Any, keys: KeyRing = NO_KEYS,
           unread: tuple[str, ...] = ()) -> DomainEventProtocol[Any]:
    """A stored-event row (originator_id, originator_version, topic, state) → domain event,
    built as the library's mapper builds it (class resolved from the topic, state upcast to
    the class version, the object's ``__dict__`` set directly).

    Personal fields open with ``keys`` (``storage.sealing.load_keys`` for the rows);
    without their person's key they read as ``ERASED``.

    ``unread``: top-level fields the caller never reads, left out of the event (no
    parsing, no decryption); reading one then fails loudly instead of seeing a wrong value.
    The projector passes the texts no read model holds (``runner.UNREAD``).
    """
    topic = row["topic"]
    cls, class_version, name = _event_class(topic)
    raw = bytes(row["state"])
    state = decode_state(raw, unread)
    originator_id = row["originator_id"]
    if not isinstance(originator_id, UUID):
        originator_id = UUID(str(originator_id))
    state["originator_id"] = originator_id
    state["originator_version"] = row["originator_version"]
    from_version = state.pop("class_version", 1)
    while from_version < class_version:
        getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
        from_version += 1
    event: DomainEventProtocol[Any] = object.__new__(cls)
    object.__setattr__(event, "__dict__", state)
    # A state with no envelope has nothing to open (its owner is still noted).
    open_state(name, originator_id, state, keys, sealed=_SEALED in raw)
    return event
