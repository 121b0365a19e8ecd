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

import hashlib
import struct
from dataclasses import dataclass
from uuid import UUID

from projections.base import DbConn

GENESIS = bytes(32)
EVENTS_TABLE = "evaluations_events"


def install_sql(schema: str, table: str = EVENTS_TABLE) -> str:
    t = f"{schema}.{table}"
    return f"""
ALTER TABLE {t} ADD COLUMN IF NOT EXISTS chain_hash bytea;

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

DROP TRIGGER IF EXISTS chain_event ON {t};
CREATE TRIGGER chain_event BEFORE INSERT ON {t}
    FOR EACH ROW EXECUTE FUNCTION {schema}.chain_event();
DROP TRIGGER IF EXISTS append_only ON {t};
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON {t}
    FOR EACH ROW EXECUTE FUNCTION {schema}.refuse_change();
DROP TRIGGER IF EXISTS append_only_truncate ON {t};
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON {t}
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.refuse_change();
"""


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


async def verify(conn: DbConn, schema: str, batch: int = 5000) -> Verification:
    """Recompute the chain from the rows alone; stop at the first break."""
    previous, count, last = GENESIS, 0, 0
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        cursor = conn.cursor(
            f"SELECT notification_id, originator_id, originator_version, topic, state, "
            f"chain_hash FROM {schema}.{EVENTS_TABLE} ORDER BY notification_id",
            prefetch=batch)
        async for row in cursor:
            expected = link(previous, row[0], row[1], row[2], row[3], bytes(row[4]))
            if row[5] is None or bytes(row[5]) != expected:
                return Verification(False, count, previous, row[0],
                                    "event does not match the hash chain")
            previous, last, count = expected, row[0], count + 1
    return Verification(True, count, previous, last)
