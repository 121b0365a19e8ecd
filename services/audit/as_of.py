"""As-of state: what a unit's month board, or any aggregate, looked like at a point in time.

"What did unit X's March board look like on 10 April?" — the point (a date-time or a log
position) is resolved to a position, and only the events that can touch that board are
replayed through the ordinary projections into a scratch schema: the unit, the period of
that month, the evaluations of its members and the members themselves. Those are found
by id (primary-key lookups), so the cost follows the size of the unit-month, not of the
tenant's log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from domain.evaluation import OFFICIAL
from domain.ids import PeriodId, StaffId, UnitId, evaluation_id_for, period_id_for
from projections.codec import decode
from services.audit.history import json_safe
from services.audit.replay import scratch_replay
from storage.db import KeySource
from storage.sealing import load_keys

EVENTS_TABLE = "evaluations_events"
RATING_COLUMNS = (
    "r.evaluation_id, r.period_id, r.unit_id, r.staff_id, s.full_name, r.year, r.number, "
    "r.status, r.self_score, r.self_level, r.self_assessed_at, r.level, r.score, r.reasons, "
    "r.policy_version, r.decided_by, r.decided_at, r.position, r.version"
)


@dataclass(frozen=True)
class BoardAsOf:
    position: int  # the log position the board reflects
    period: Any  # the rm_periods row, None if the month was not open yet
    ratings: list[Any]  # rm_ratings rows (with full_name), by name


async def board_originators(conn: Any, schema: str, unit_id: UUID, year: int, month: int,
                            until: int) -> tuple[UUID, list[UUID]]:
    """The period's id and every aggregate whose events can touch that month's board."""
    period_id = period_id_for(UnitId(unit_id), "monthly", year, month)
    row = await conn.fetchrow(
        f"SELECT notification_id, originator_id, originator_version, topic, state "
        f"FROM {schema}.{EVENTS_TABLE} WHERE originator_id = $1 AND originator_version = 1 "
        "AND notification_id <= $2", period_id, until)
    ids: list[UUID] = [unit_id, period_id]
    if row is not None:
        members = [UUID(str(m)) for m in decode(row).members]  # type: ignore[attr-defined]
        ids += members
        ids += [evaluation_id_for(PeriodId(period_id), StaffId(m), OFFICIAL) for m in members]
    return period_id, ids


async def unit_month_as_of(pool: asyncpg.Pool, schema: str, unit_id: UUID, year: int,
                           month: int, until: int, keys: KeySource | None = None) -> BoardAsOf:
    async with pool.acquire() as conn:
        period_id, ids = await board_originators(conn, schema, unit_id, year, month, until)
    async with scratch_replay(pool, schema, until, ids, keys) as scratch, pool.acquire() as conn:
        period = await conn.fetchrow(
            f"SELECT * FROM {scratch}.rm_periods WHERE period_id = $1", period_id)
        ratings = await conn.fetch(
            f"SELECT {RATING_COLUMNS} FROM {scratch}.rm_ratings r "
            f"LEFT JOIN {scratch}.rm_staff s ON s.staff_id = r.staff_id "
            "WHERE r.period_id = $1 ORDER BY s.full_name, r.staff_id", period_id)
    return BoardAsOf(until, period, list(ratings))


async def aggregate_as_of(conn: Any, schema: str, aggregate_id: UUID, until: int,
                          keys_from: KeySource | None = None) -> dict[str, Any] | None:
    """An aggregate's state as of ``until``: its events up to there, applied by the domain."""
    rows = await conn.fetch(
        f"SELECT notification_id, originator_id, originator_version, topic, state "
        f"FROM {schema}.{EVENTS_TABLE} WHERE originator_id = $1 AND notification_id <= $2 "
        "ORDER BY originator_version", aggregate_id, until)
    aggregate: Any = None
    keys = await load_keys(keys_from or conn, rows)
    for row in rows:
        aggregate = decode(row, keys).mutate(aggregate)  # type: ignore[attr-defined]
    if aggregate is None:
        return None
    state = {k.lstrip("_"): json_safe(v) for k, v in vars(aggregate).items()
             if k not in {"_pending_events"}}
    state["type"] = type(aggregate).__name__
    return state
