"""History (lịch sử): every event about a person, rating, appeal, unit or leader, in log order.

Read from the log itself, never from read models, so it is exactly what was recorded.
What counts as "about" a subject:

* the subject's own aggregate (a person's ``StaffMember``, a rating's ``Evaluation``, an
  appeal, a unit);
* aggregates *created* naming the subject — a person's evaluations (``Started`` names the
  staff id) and appeals; a unit's periods (``Opened`` names the unit);
* every other event that names the subject (a unit's ``MemberJoined``, a period's
  ``DecisionRegistered`` …): ids are stored as hex inside the event state;
* for a leader: every event the leader acted on (``actor``), i.e. their decisions.

Each entry carries actor, capacity, timestamp, the policy version and the reasons
when the event has them, and the rest of the event's fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum, auto
from typing import Any
from uuid import UUID

from projections.codec import decode
from storage.db import DbConn, KeySource
from storage.sealing import NO_KEYS, KeyRing, load_keys

EVENTS_TABLE = "evaluations_events"
_ENVELOPE = {"originator_id", "originator_version", "timestamp", "actor", "capacity",
             "originator_topic"}


class Subject(StrEnum):  # values: the names in lower case
    PERSON = auto()
    RATING = auto()
    APPEAL = auto()
    UNIT = auto()
    LEADER = auto()
    AGGREGATE = auto()


# Creation events (topic patterns) whose aggregates belong to a subject's history.
_OWNED: dict[Subject, list[str]] = {
    Subject.PERSON: ["domain.evaluation:Evaluation.Started", "%Appeal%"],
    Subject.RATING: ["%Appeal%"],
    Subject.APPEAL: [],
    Subject.UNIT: ["domain.period:EvaluationPeriod.Opened"],
    Subject.LEADER: [],
    Subject.AGGREGATE: [],
}


@dataclass(frozen=True)
class HistoryEntry:
    position: int
    aggregate_id: UUID
    aggregate_type: str  # e.g. "Evaluation"
    event: str  # e.g. "RatingDecided"
    version: int
    recorded_at: datetime
    actor: str
    capacity: str
    policy_version: str | None
    reasons: str | None
    data: dict[str, Any]  # the event's other fields, JSON-safe


def json_safe(value: Any) -> Any:
    if isinstance(value, UUID | datetime | date):
        return str(value) if isinstance(value, UUID) else value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def entry(row: Any, keys: KeyRing = NO_KEYS) -> HistoryEntry:
    event = decode(row, keys)
    fields = dict(vars(event))
    kind, _, name = row["topic"].partition(":")[2].rpartition(".")
    policy = fields.get("policy_version")
    if policy is None and isinstance(fields.get("policy"), dict):
        policy = fields["policy"].get("version")
    return HistoryEntry(
        position=row["notification_id"], aggregate_id=row["originator_id"],
        aggregate_type=kind, event=name, version=row["originator_version"],
        recorded_at=fields["timestamp"], actor=str(fields.get("actor", "")),
        capacity=str(fields.get("capacity", "")),
        policy_version=str(policy) if policy is not None else None,
        reasons=fields.get("reasons"),
        data={k: json_safe(v) for k, v in fields.items() if k not in _ENVELOPE},
    )


async def history(conn: DbConn, schema: str, subject: Subject, target: str, *,
                  until: int | None = None, limit: int = 10_000,
                  after: int = 0, keys_from: KeySource | None = None) -> list[HistoryEntry]:
    """Every event about ``target`` (a UUID, or for a leader their user id) up to ``until``;
    with ``after`` (a log position already seen), only those after it — a page's seek.
    ``keys_from``: where personal-data keys are, for a tenant placed away from home."""
    t = f"{schema}.{EVENTS_TABLE}"
    stop = until if until is not None else 2**62
    columns = "notification_id, originator_id, originator_version, topic, state"
    if subject is Subject.LEADER:
        needle = f'"actor":"{target}"'.encode()
        rows = await conn.fetch(
            f"SELECT {columns} FROM {t} WHERE notification_id <= $2 AND notification_id > $4 "
            "AND position($1::bytea in state) > 0 ORDER BY notification_id LIMIT $3",
            needle, stop, limit, after)
        keys = await load_keys(keys_from or conn, rows)
        return [entry(r, keys) for r in rows]
    target_id = UUID(target)
    rows = await conn.fetch(
        f"WITH owned AS (SELECT originator_id FROM {t} WHERE originator_version = 1 "
        "AND notification_id <= $3 AND topic LIKE ANY($4::text[]) "
        "AND position($2::bytea in state) > 0) "
        f"SELECT {columns} FROM {t} WHERE notification_id <= $3 AND notification_id > $6 "
        "AND (originator_id = $1 OR originator_id IN (SELECT originator_id FROM owned) "
        "OR position($2::bytea in state) > 0) ORDER BY notification_id LIMIT $5",
        target_id, target_id.hex.encode(), stop, _OWNED[subject], limit, after)
    keys = await load_keys(keys_from or conn, rows)
    return [entry(r, keys) for r in rows]
