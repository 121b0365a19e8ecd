"""Read model of evaluation periods per unit, with quota use (rm_periods) and the quota
exceptions granted by the level above (rm_quota_exceptions)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

from projections.base import Handler, Projection, Sql, Statement, key, no_rows, rows


@lru_cache(maxsize=1024)
def _opened_sql(s: str) -> Sql:
    return Sql(
        f"INSERT INTO {s}.rm_periods (period_id, unit_id, kind, year, number, deadline, "
        "policy_version, status, member_count, opened_by, opened_at, position, outstanding) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10, $11, $12) "
        "ON CONFLICT (period_id) DO NOTHING",
        keys=key("period"),
    )


def _opened(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_opened_sql(s), (e.originator_id, e.unit_id, e.kind, e.year, e.number, e.deadline,
                              e.policy["version"], len(e.members), e.actor, e.timestamp, pos,
                              getattr(e, "outstanding", False)))]


def _exception_granted(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.rm_quota_exceptions (position, period_id, level, scope, extra, "
        "reasons, authority, granted_by, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (position) DO NOTHING",
        (pos, e.originator_id, e.level, e.scope, e.extra, e.reasons, e.authority, e.actor,
         e.timestamp),
    )]


def _published(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.rm_periods SET published_at = coalesce(published_at, $2), "
        "published_by = coalesce(published_by, $3), position = $4 WHERE period_id = $1",
        (e.originator_id, e.timestamp, e.actor, pos),
    )]


@lru_cache(maxsize=1024)
def _decision_registered_sql(s: str) -> Sql:
    # ``position < $3`` makes a replayed event a no-op; the bulk form counts, per period, the
    # events past the row's position (positions rise in log order, so it is the same set).
    return Sql(
        f"UPDATE {s}.rm_periods SET decided_count = decided_count + 1, "
        "excellent_count = excellent_count + ($2 = 'A')::int, position = $3 "
        "WHERE period_id = $1 AND position < $3",
        keys=no_rows, folds=key("period"),
        bulk=f"UPDATE {s}.rm_periods p SET decided_count = p.decided_count + a.n, "
        "excellent_count = p.excellent_count + a.excellent, position = a.pos "
        "FROM (SELECT r.period_id, count(*) AS n, "
        "count(*) FILTER (WHERE r.level = 'A') AS excellent, max(r.pos) AS pos FROM "
        + rows("period_id uuid", "level text", "pos bigint")
        + f" JOIN {s}.rm_periods p0 ON p0.period_id = r.period_id "
        "WHERE r.pos > p0.position GROUP BY r.period_id) a WHERE p.period_id = a.period_id",
    )


def _decision_registered(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_decision_registered_sql(s), (e.originator_id, e.level, pos))]


def _decision_amended(s: str, e: Any, pos: int) -> list[Statement]:
    """An amendment on appeal moves the quota in use; the count of decisions is unchanged."""
    return [(
        f"UPDATE {s}.rm_periods SET excellent_count = excellent_count + ($2 = 'A')::int "
        "- (coalesce($3, '') = 'A')::int, position = $4 WHERE period_id = $1 AND position < $4",
        (e.originator_id, e.level, e.previous_level, pos),
    )]


@lru_cache(maxsize=1024)
def _closed_sql(s: str) -> Sql:
    return Sql(f"UPDATE {s}.rm_periods SET status = 'closed', closed_at = $2, position = $3 "
               "WHERE period_id = $1", keys=key("period"))


def _closed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_closed_sql(s), (e.originator_id, e.timestamp, pos))]


def _decisions_imported(s: str, e: Any, pos: int) -> list[Statement]:
    levels = list(e.decisions.values())
    return [(
        f"UPDATE {s}.rm_periods SET decided_count = decided_count + $2, "
        "excellent_count = excellent_count + $3, position = $4 "
        "WHERE period_id = $1 AND position < $4",
        (e.originator_id, len(levels), levels.count("A"), pos),
    )]


class PeriodsProjection(Projection):
    name = "periods"
    tables = ("rm_periods", "rm_quota_exceptions")
    handlers: ClassVar[dict[str, Handler]] = {
        "domain.period:EvaluationPeriod.Opened": _opened,
        "domain.period:EvaluationPeriod.DecisionRegistered": _decision_registered,
        "domain.period:EvaluationPeriod.Closed": _closed,
        "domain.period:EvaluationPeriod.DecisionAmended": _decision_amended,
        "domain.period:EvaluationPeriod.QuotaExceptionGranted": _exception_granted,
        "domain.period:EvaluationPeriod.Published": _published,
        "domain.period:EvaluationPeriod.DecisionsImported": _decisions_imported,
    }
