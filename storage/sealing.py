"""Personal data in events: which fields are personal, and how they are sealed per person.

Each personal field (see ``PERSONAL_FIELDS``) is stored in the log as an envelope
``{"_sealed_": "<person id hex>", "c": "<base64 nonce||AES-256-GCM ciphertext>"}``
encrypted with that person's own key. Keys live outside every event table
(``platform.personal_keys``). Erasing a person's key leaves the envelope — and so the
event's bytes and the hash chain over them — exactly as recorded, but nobody can open
it again: readers get ``ERASED`` instead of the text, in read models, history, as-of and
replay alike, and an export only ever carries the envelopes.

The ciphertext is bound (GCM associated data) to the event's aggregate and the field's
path, so an envelope copied into another event does not open there.

What stays readable after an erasure is the decision record itself: ids (pseudonymous
identifiers), who acted and in what capacity, when, levels, scores, policy versions,
dates, outcomes, authorities cited. Empty texts are stored empty (nothing to hide).
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.personal_data import OWN_SUBJECT, OWNER_FIELD, PERSONAL_FIELDS
from domain.text import storable
from storage.db import KeySource

ERASED = "⟨đã xoá dữ liệu cá nhân / personal data erased⟩"
SEALED = "_sealed_"
KEY_BYTES = 32
NONCE_BYTES = 12

_SEALED_FOR = re.compile(rb'"_sealed_":"([0-9a-f]{32})"')


def event_name(topic: str) -> str:
    """``domain.evaluation:Evaluation.RatingDecided`` → ``Evaluation.RatingDecided``."""
    return topic.rpartition(":")[2]


class KeyRing(Protocol):
    """Where the sealing mapper finds keys (and, on the write side, makes them)."""

    def key_to_open(self, subject: UUID) -> bytes | None:
        """The person's key, or None once erased."""

    def key_to_seal(self, subject: UUID) -> bytes:
        """The person's key, created on first use; refuses an erased person."""

    def owner(self, aggregate_id: UUID) -> UUID | None:
        """The person an Evaluation or Appeal is about (from its first event)."""

    def note_owner(self, aggregate_id: UUID, subject: UUID) -> None:
        """Remember whose aggregate this is (its first event is being written or read)."""


class LoadedKeys:
    """Keys fetched for a batch of rows: open-only (readers never create keys)."""

    def __init__(self, keys: Mapping[UUID, bytes] | None = None) -> None:
        self.keys = dict(keys or {})
        # Per envelope's subject as written in it (hex): the cipher, built once a batch.
        self._ciphers: dict[str, AESGCM | None] = {}

    def key_to_open(self, subject: UUID) -> bytes | None:
        return self.keys.get(subject)

    def cipher(self, subject_hex: str) -> AESGCM | None:
        """The cipher opening ``subject_hex``'s envelopes, or None once erased."""
        try:
            return self._ciphers[subject_hex]
        except KeyError:
            key = self.keys.get(UUID(subject_hex))
            found = self._ciphers[subject_hex] = AESGCM(key) if key is not None else None
            return found

    def key_to_seal(self, subject: UUID) -> bytes:
        raise RuntimeError("readers never seal")

    def owner(self, aggregate_id: UUID) -> UUID | None:
        return None

    def note_owner(self, aggregate_id: UUID, subject: UUID) -> None:
        pass


NO_KEYS = LoadedKeys()


def subjects_in(states: Iterable[bytes]) -> set[UUID]:
    """Every person whose sealed data appears in these stored states (one search of them
    all, joined by a byte no match can hold)."""
    return {UUID(m.decode()) for m in set(_SEALED_FOR.findall(b"\n".join(states)))}


async def load_keys(conn: KeySource, rows: Iterable[Any]) -> LoadedKeys:
    """The keys (those not erased) of the people sealed in ``rows`` — one query per batch,
    read fresh each time, so an erasure holds for every reader from its commit on."""
    return await keys_of(conn, subjects_in(bytes(r["state"]) for r in rows))


async def keys_of(conn: KeySource, subjects: set[UUID]) -> LoadedKeys:
    """The keys (those not erased) of ``subjects``, read fresh."""
    if not subjects:
        return NO_KEYS
    found = await conn.fetch(
        "SELECT subject_id, key FROM platform.personal_keys "
        "WHERE subject_id = ANY($1::uuid[]) AND key IS NOT NULL", list(subjects))
    return LoadedKeys({r["subject_id"]: bytes(r["key"]) for r in found})


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def _aad(aggregate_id: UUID, path: str) -> bytes:
    return aggregate_id.bytes + path.encode()


def seal_text(key: bytes, subject: UUID, aggregate_id: UUID, path: str,
              text: str) -> dict[str, str]:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, text.encode(), _aad(aggregate_id, path))
    return {SEALED: subject.hex, "c": base64.b64encode(nonce + sealed).decode()}


def open_text(keys: KeyRing, aggregate_id: UUID, path: str, value: Any) -> Any:
    """The text inside an envelope, ``ERASED`` without its key; anything else as is
    (events recorded before sealing existed hold plain text)."""
    if not (isinstance(value, dict) and SEALED in value):
        return value
    if isinstance(keys, LoadedKeys):
        cipher = keys.cipher(value[SEALED])
    else:
        key = keys.key_to_open(UUID(value[SEALED]))
        cipher = AESGCM(key) if key is not None else None
    if cipher is None:
        return ERASED
    blob = base64.b64decode(value["c"])
    try:
        # Sealed text may hold what PostgreSQL cannot store (written before the edge
        # refused it): made storable here, by the same rule as clear text (codec.py).
        return storable(cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:],
                                       _aad(aggregate_id, path)).decode(errors="replace"))
    except InvalidTag:
        return ERASED  # not this event's envelope: never show someone else's text


def _map_path(state: dict[str, Any], path: str, change: Any) -> None:
    """Apply ``change(path, value)`` to the field at ``path`` in ``state`` (copying lists and
    objects on the way, so the domain event's own values are never touched)."""
    head, sep, rest = path.partition("[].")
    if not sep:
        if head in state:
            state[head] = change(path, state[head])
        return
    items = state.get(head)
    if isinstance(items, list):
        copied = []
        for item in items:
            if isinstance(item, dict):
                item = dict(item)
                _map_path(item, rest, change)
            copied.append(item)
        state[head] = copied


def subject_of(name: str, aggregate_id: UUID, state: Mapping[str, Any],
               keys: KeyRing) -> UUID | None:
    aggregate = name.partition(".")[0]
    if aggregate in OWN_SUBJECT:
        return aggregate_id
    owner_field = OWNER_FIELD.get(name)
    if owner_field is not None:
        return UUID(str(state[owner_field]))
    return keys.owner(aggregate_id)


def seal_state(name: str, aggregate_id: UUID, state: dict[str, Any], keys: KeyRing) -> None:
    """Replace each non-empty personal text in ``state`` by its envelope (in place)."""
    fields = PERSONAL_FIELDS.get(name)
    if name in OWNER_FIELD:
        keys.note_owner(aggregate_id, UUID(str(state[OWNER_FIELD[name]])))
    if not fields:
        return
    subject = subject_of(name, aggregate_id, state, keys)
    if subject is None:
        raise LookupError(f"no person known for the personal data of {name} {aggregate_id}")
    key: bytes | None = None

    def seal(path: str, value: Any) -> Any:
        nonlocal key
        if not isinstance(value, str) or not value:
            return value
        key = key or keys.key_to_seal(subject)
        return seal_text(key, subject, aggregate_id, path, value)

    for path in fields:
        _map_path(state, path, seal)


def open_state(name: str, aggregate_id: UUID, state: dict[str, Any], keys: KeyRing,
               *, sealed: bool = True) -> None:
    """Replace each envelope in ``state`` by its text, or by ``ERASED`` (in place).
    ``sealed=False``: the caller saw no envelope in the stored state, so only the owner is
    noted."""
    owner = state.get(OWNER_FIELD[name]) if name in OWNER_FIELD else None
    if owner is not None:
        # Whoever reads a record's first event learns whose it is: the next event written
        # to it (a decision, an opinion) is sealed without asking the log again.
        keys.note_owner(aggregate_id, owner if type(owner) is UUID else UUID(str(owner)))
    if not sealed:
        return
    for path in PERSONAL_FIELDS.get(name, ()):
        _map_path(state, path, lambda p, v: open_text(keys, aggregate_id, p, v))
