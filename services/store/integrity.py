"""Tamper evidence for a tenant's event log: a hash chain, and an append-only table.

Each event row carries ``chain_hash = sha256(previous chain_hash || canonical bytes of the
row)``, computed by a trigger inside the very transaction that appends the event. Appends
are serialised by the event store's table lock, so "previous" is well defined. UPDATE,
DELETE and TRUNCATE are refused by triggers.

A superuser can still disable triggers and rewrite rows; ``verify`` recomputes the chain
from the rows alone and names the first position where it breaks — a changed field, a
removed, reordered or inserted event all break it. (A superuser who also recomputes every
later hash is caught by comparing against an earlier published checkpoint of the head.)

Canonical bytes (all integers big-endian, as PostgreSQL's ``int8send``/``int4send``):
``notification_id:int8 | originator_id:16 bytes | originator_version:int8 |
len(topic):int4 | topic (UTF-8) | len(state):int4 | state``. The first ``previous`` is 32
zero bytes.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import struct
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from storage.db import index_order, past_copy_header

GENESIS = bytes(32)
EVENTS_TABLE = "evaluations_events"


def install_sql(schema: str, table: str = EVENTS_TABLE) -> str:
    t = f"{schema}.{table}"
    return f"""
CREATE OR REPLACE FUNCTION {schema}.chain_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE previous bytea;
BEGIN
    SELECT chain_hash INTO previous FROM {t}
     WHERE notification_id < NEW.notification_id
     ORDER BY notification_id DESC LIMIT 1;
    NEW.chain_hash := sha256(
        coalesce(previous, '\\x{GENESIS.hex()}'::bytea)
        || int8send(NEW.notification_id) || uuid_send(NEW.originator_id)
        || int8send(NEW.originator_version)
        || int4send(octet_length(convert_to(NEW.topic, 'UTF8'))) || convert_to(NEW.topic, 'UTF8')
        || int4send(octet_length(NEW.state)) || NEW.state);
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION {schema}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log of % is append-only', TG_TABLE_SCHEMA
        USING ERRCODE = 'insufficient_privilege';
END $$;

-- Changed only where the catalogue says so: ALTER TABLE and DROP TRIGGER take the table's
-- ACCESS EXCLUSIVE lock, and this runs at every start, beside live replicas.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = '{t}'::regclass
                   AND attname = 'chain_hash' AND NOT attisdropped) THEN
        ALTER TABLE {t} ADD COLUMN chain_hash bytea;
    END IF;
{_trigger(t, "chain_event", "BEFORE INSERT", "ROW", f"{schema}.chain_event")}
{_trigger(t, "append_only", "BEFORE UPDATE OR DELETE", "ROW", f"{schema}.refuse_change")}
{_trigger(t, "append_only_truncate", "BEFORE TRUNCATE", "STATEMENT", f"{schema}.refuse_change")}
END $$;
{revoke_sql(schema, table)}"""


def _trigger(table: str, name: str, when: str, each: str, function: str) -> str:
    """One trigger of ``table``, created when missing and enabled when disabled."""
    return f"""    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = '{table}'::regclass
                   AND tgname = '{name}') THEN
        CREATE TRIGGER {name} {when} ON {table}
            FOR EACH {each} EXECUTE FUNCTION {function}();
    ELSIF EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = '{table}'::regclass
                  AND tgname = '{name}' AND tgenabled = 'D') THEN
        ALTER TABLE {table} ENABLE TRIGGER {name};
    END IF;"""


def revoke_sql(schema: str, table: str = EVENTS_TABLE) -> str:
    """No privilege to change or remove events, for anyone — the owning (application) role
    included: an owner who disables the triggers still cannot UPDATE or DELETE. (An owner
    can grant the privileges back, and a superuser needs none: the chain catches both.)"""
    return f"REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.{table} FROM PUBLIC, CURRENT_USER;\n"


def link(previous: bytes, notification_id: int, originator_id: UUID, version: int,
         topic: str, state: bytes) -> bytes:
    """The chain hash of one event, exactly as the trigger computes it."""
    topic_bytes = topic.encode("utf-8")
    return hashlib.sha256(
        previous + struct.pack(">q", notification_id) + originator_id.bytes
        + struct.pack(">q", version) + struct.pack(">i", len(topic_bytes)) + topic_bytes
        + struct.pack(">i", len(state)) + state
    ).digest()


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    head: bytes  # the chain hash of the last event checked
    position: int  # the last position checked, or the first broken one
    problem: str = ""


def _rows_sql(schema: str, table: str) -> str:
    """Each row in ($1, $2], in log order, as four fields read in binary: the stored hash,
    then the canonical bytes' fixed head, the topic and the state.

    In PostgreSQL's binary format a text or bytea field is its int4 length then its bytes,
    which is exactly how the canonical bytes frame the topic and the state: from the head
    to the end of the state, a row on the wire *is* its canonical bytes, so nothing is
    assembled on either side. The stored hash is NULL whenever the row cannot be a link
    (a hash that is not 32 bytes, a missing field): a hash of another length would move
    where the reader splits the row. (The topic is sent in the
    client's encoding, which asyncpg sets to UTF-8: the trigger's ``convert_to(topic,
    'UTF8')``.)"""
    return (f"SELECT CASE WHEN octet_length(e.chain_hash) = {len(GENESIS)} "
            "AND e.originator_id IS NOT NULL AND e.originator_version IS NOT NULL "
            "AND e.topic IS NOT NULL AND e.state IS NOT NULL THEN e.chain_hash END, "
            "int8send(e.notification_id) || uuid_send(e.originator_id) "
            "|| int8send(e.originator_version), e.topic, e.state "
            f"FROM {schema}.{table} e WHERE e.notification_id > $1 AND e.notification_id <= $2 "
            "ORDER BY e.notification_id")


_HASH = struct.Struct(">hi")  # a row's field count, then its stored hash's length
_LENGTH = struct.Struct(">i")
# A row: field count (2), the hash's length (4) and hash (32), the head's length (4) and
# head (32: position, originator id, version), then the topic's and the state's lengths
# and bytes. The canonical bytes run from the head to the end of the row.
_CANONICAL_AT = 2 + 4 + 32 + 4
_TOPIC_AT = _CANONICAL_AT + 32
# A row's start up to the topic's bytes, read in one call: the hash's length, then (past
# the hash, the head's length and the head) the topic's length. A row with a 32-byte hash
# is longer than this, so where fewer bytes are left there is the trailer or a partial row.
_ROW = struct.Struct(f">2xi{_TOPIC_AT - _HASH.size}xi")


class _Links:
    """A COPY sink walking the chain: every row's stored hash must be sha256(the stored hash
    before it || its canonical bytes), starting from ``previous``.

    Hashing here, with the client's OpenSSL, rather than with ``sha256()`` in SQL: the
    embedded PostgreSQL hashes with its own portable code at ~4.5 µs an event, the client
    at well under 1 µs, and the rows are read once either way."""

    def __init__(self, previous: bytes, position: int) -> None:
        self.previous, self.position = previous, position
        self.events = 0
        self.broken: int | None = None
        self.null_after: int | None = None  # a row that cannot be a link, after this many
        self._carry = b""
        self._header = True

    async def __call__(self, chunk: bytes) -> None:
        if self.broken is not None or self.null_after is not None:
            return  # the first break is named; the rest of the stream is drained unread
        if self._carry:
            chunk, self._carry = self._carry + chunk, b""
        offset = self._skip_header(chunk) if self._header else 0
        if offset < 0:
            self._carry = chunk
            return
        self._walk(chunk, offset)

    def _skip_header(self, chunk: bytes) -> int:
        offset = past_copy_header(chunk)
        self._header = offset < 0
        return offset

    def _walk(self, chunk: bytes, offset: int) -> None:
        view, end = memoryview(chunk), len(chunk)
        previous, sha256 = self.previous, hashlib.sha256
        row, length = _ROW.unpack_from, _LENGTH.unpack_from
        canonical_at, state_length_at = _CANONICAL_AT, _TOPIC_AT + 4
        walked, last = 0, -1
        # A row's start or its state's length past the chunk's end stops the walk (an error
        # raised once a chunk, not a bounds check a row); ``walked``: the rows before this one.
        try:
            for walked in itertools.count():  # noqa: B007 - the count is read after the loop
                size, topic = row(chunk, offset)
                if size != 32:
                    break  # a row that cannot be a link: named below
                state_at = offset + state_length_at + topic
                stop = state_at + 4 + length(chunk, state_at)[0]
                if stop > end:
                    break  # a partial row: finished with the next chunk
                stored = chunk[offset + 6:offset + 38]
                if sha256(previous + view[offset + canonical_at:stop]).digest() != stored:
                    self.broken = self._position(chunk, offset)
                    break
                previous, last, offset = stored, offset, stop
        except struct.error:
            pass  # the trailer, a short row that cannot be a link, or a partial row: below
        if self.broken is None and offset + _HASH.size <= end:
            fields, size = _HASH.unpack_from(chunk, offset)
            if fields < 0:  # the trailer
                offset = end
            elif size != 32:
                self.null_after = self.events + walked
        self.previous, self.events = previous, self.events + walked
        if last >= 0:
            self.position = self._position(chunk, last)
        if self.broken is None and self.null_after is None and offset < end:
            self._carry = chunk[offset:]

    @staticmethod
    def _position(chunk: bytes, offset: int) -> int:
        at = offset + _CANONICAL_AT
        return int.from_bytes(chunk[at:at + 8], "big", signed=True)


PARALLEL_FROM = 50_000  # events: below this, one range is as fast as several
RANGES = 4
# Positions one COPY covers at most: a walk is paced by the client's hashing, and every
# statement must end well inside the statement timeout whatever the log's length.
PIECE = 50_000


@dataclass(frozen=True)
class _Walked:
    events: int
    head: bytes
    position: int
    broken: int | None


async def _walk(conn: Any, schema: str, table: str, since: int, until: int) -> _Walked:
    """The chain over (``since``, ``until``], from the stored hash of the row at or before
    ``since`` (the genesis when there is none)."""
    t = f"{schema}.{table}"
    start = await conn.fetchrow(
        f"SELECT notification_id, coalesce(chain_hash, '\\x{GENESIS.hex()}'::bytea) AS h "
        f"FROM {t} WHERE notification_id <= $1 ORDER BY notification_id DESC LIMIT 1", since)
    links = (_Links(bytes(start["h"]), int(start["notification_id"])) if start is not None
             else _Links(GENESIS, 0))
    async with index_order(conn):
        await conn.copy_from_query(_rows_sql(schema, table), since, until, output=links,
                                   format="binary")
    broken = links.broken
    if links.null_after is not None:
        broken = await conn.fetchval(
            f"SELECT notification_id FROM {t} WHERE notification_id > $1 "
            "ORDER BY notification_id OFFSET $2 LIMIT 1", since, links.null_after)
    return _Walked(links.events, links.previous, links.position, broken)


def pieces(since: int, until: int, ranges: int, most: int | None = None
           ) -> list[tuple[int, int]]:
    """(``since``, ``until``] cut into at least ``ranges`` pieces of at most ``most``
    positions (``PIECE`` as it is when called; one empty piece for an empty range)."""
    size = max(1, min(PIECE if most is None else most, -(-(until - since) // ranges)))
    return list(itertools.pairwise([*range(since, until, size), until])) or [(since, until)]


async def _walk_ranges(db: Any, schema: str, table: str, since: int, until: int
                       ) -> _Walked:
    """``_walk`` over (``since``, ``until``], piece by piece; ``db`` may be a pool: then a
    long log is walked ``RANGES`` pieces at a time on as many connections (the rows up to
    ``until`` are append-only, so the pieces see the same rows whatever their snapshots).
    Each piece starts from the stored hash its predecessor checks last."""
    if not isinstance(db, asyncpg.Pool):
        return await _in_order(db, schema, table, pieces(since, until, 1))
    if until - since < PARALLEL_FROM:
        async with db.acquire() as conn:
            return await _in_order(conn, schema, table, pieces(since, until, 1))
    at_once = asyncio.Semaphore(RANGES)

    async def one(lo: int, hi: int) -> _Walked:
        async with at_once, db.acquire() as conn:
            return await _walk(conn, schema, table, lo, hi)
    return _joined(await asyncio.gather(*(one(lo, hi)
                                          for lo, hi in pieces(since, until, RANGES))))


async def _in_order(conn: Any, schema: str, table: str, spans: list[tuple[int, int]]
                    ) -> _Walked:
    walked: list[_Walked] = []
    for lo, hi in spans:
        walked.append(await _walk(conn, schema, table, lo, hi))
        if walked[-1].broken is not None:
            break
    return _joined(walked)


def _joined(walked: list[_Walked]) -> _Walked:
    """Consecutive pieces' walks as one: up to the first break, if any."""
    events = 0
    for part in walked:
        events += part.events
        if part.broken is not None:
            return _Walked(events, part.head, part.position, part.broken)
    return _Walked(events, walked[-1].head, walked[-1].position, None)


async def first_break(db: Any, schema: str, until: int, table: str = EVENTS_TABLE,
                      since: int = 0) -> int | None:
    """The first position in (``since``, ``until``] whose stored hash is not its link, if
    any (from ``since`` > 0: trusting the stored hash at ``since``, which the caller has
    checked against a published checkpoint). ``db`` is a connection or a pool."""
    return (await _walk_ranges(db, schema, table, since, until)).broken


async def verify(db: Any, schema: str, *, until: int | None = None,
                 table: str = EVENTS_TABLE) -> Verification:
    """Check the chain from the rows alone (up to ``until``); name the first break.

    ``db`` is a connection or a pool (a pool lets a long log be checked in parallel).
    """
    t = f"{schema}.{table}"
    head_position = int(await db.fetchval(f"SELECT coalesce(max(notification_id), 0) FROM {t}"))
    stop = min(until, head_position) if until is not None else head_position
    walked = await _walk_ranges(db, schema, table, 0, stop)
    if walked.broken is not None:
        return Verification(False, walked.events, walked.head, int(walked.broken),
                            "event does not match the hash chain")
    return Verification(True, walked.events, walked.head, walked.position)
