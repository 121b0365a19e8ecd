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


def canonical_sql(alias: str = "e") -> str:
    """The canonical bytes of a row, in SQL (the trigger's formula, for set-wise checks)."""
    return (f"int8send({alias}.notification_id) || uuid_send({alias}.originator_id) "
            f"|| int8send({alias}.originator_version) "
            f"|| int4send(octet_length(convert_to({alias}.topic, 'UTF8'))) "
            f"|| convert_to({alias}.topic, 'UTF8') "
            f"|| int4send(octet_length({alias}.state)) || {alias}.state")


def _links_sql(schema: str, table: str) -> str:
    """Each row in ($1, $2] beside the hash it must carry given the row before it.

    If every row's stored hash equals sha256(previous row's stored hash || its bytes), and
    the first row starts from the genesis, the stored hashes *are* the recomputed chain
    (induction on the position). So the chain is checked set-wise inside PostgreSQL — no
    row crosses the wire — and a long log is split into ranges checked in parallel, each
    range starting from the stored hash of the row just before it.
    """
    return (
        "SELECT l.notification_id FROM ("
        f"SELECT e.notification_id, e.chain_hash, sha256(coalesce(lag(e.chain_hash) OVER w, "
        f"'\\x{GENESIS.hex()}'::bytea) || {canonical_sql()}) AS expected "
        f"FROM {schema}.{table} e WHERE e.notification_id <= $2 AND e.notification_id >= "
        f"(SELECT coalesce(max(notification_id), 0) FROM {schema}.{table} "
        "WHERE notification_id <= $1) "
        "WINDOW w AS (ORDER BY e.notification_id)) l "
        "WHERE l.notification_id > $1 AND l.chain_hash IS DISTINCT FROM l.expected "
        "ORDER BY l.notification_id LIMIT 1")


PARALLEL_FROM = 50_000  # events: below this, one range is as fast as several
RANGES = 4


async def first_break(db: Any, schema: str, until: int, table: str = EVENTS_TABLE,
                      since: int = 0) -> int | None:
    """The first position in (``since``, ``until``] whose stored hash is not its link, if
    any (from ``since`` > 0: trusting the stored hash at ``since``, which the caller has
    checked against a published checkpoint).

    ``db`` may be a pool: then long logs are checked as ``RANGES`` ranges on as many
    connections at once (the rows up to ``until`` are append-only, so the ranges see
    the same rows whatever their snapshots).
    """
    sql = _links_sql(schema, table)
    if not isinstance(db, asyncpg.Pool) or until - since < PARALLEL_FROM:
        return await db.fetchval(sql, since, until)  # type: ignore[no-any-return]
    bounds = [since + (until - since) * i // RANGES for i in range(RANGES + 1)]
    found = await asyncio.gather(*(db.fetchval(sql, lo, hi)
                                   for lo, hi in itertools.pairwise(bounds)))
    broken = [f for f in found if f is not None]
    return min(broken) if broken else None


async def verify(db: Any, schema: str, *, until: int | None = None,
                 table: str = EVENTS_TABLE) -> Verification:
    """Check the chain from the rows alone (up to ``until``); name the first break.

    ``db`` is a connection or a pool (a pool lets a long log be checked in parallel).
    """
    t = f"{schema}.{table}"
    head_position = int(await db.fetchval(f"SELECT coalesce(max(notification_id), 0) FROM {t}"))
    stop = min(until, head_position) if until is not None else head_position
    broken = await first_break(db, schema, stop, table)
    last = broken - 1 if broken is not None else stop
    row = await db.fetchrow(
        f"SELECT count(*) AS n, max(notification_id) AS last FROM {t} "
        "WHERE notification_id <= $1", last)
    assert row is not None  # an aggregate query always returns one row
    count, position = int(row["n"]), int(row["last"] or 0)
    head = await db.fetchval(f"SELECT chain_hash FROM {t} WHERE notification_id = $1", position)
    head_bytes = bytes(head) if head is not None else GENESIS
    if broken is not None:
        return Verification(False, count, head_bytes, int(broken),
                            "event does not match the hash chain")
    return Verification(True, count, head_bytes, position)
