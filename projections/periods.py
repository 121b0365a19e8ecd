"""Read model of evaluation periods per unit, with quota use (rm_periods) and the quota
exceptions granted by the level above (rm_quota_exceptions)."""

from __future__ import annotations

from typing import Any, ClassVar

from projections.base import Handler, Projection, Statement


def _opened(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.rm_periods (period_id, unit_id, kind, year, number, deadline, "
        "policy_version, status, member_count, opened_by, opened_at, position, outstanding) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10, $11, $12) "
        "ON CONFLICT (period_id) DO NOTHING",
        (e.originator_id, e.unit_id, e.kind, e.year, e.number, e.deadline,
         e.policy["version"], len(e.members), e.actor, e.timestamp, pos,
         getattr(e, "outstanding", False)),
    )]


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


def _decision_registered(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.rm_periods SET decided_count = decided_count + 1, "
        "excellent_count = excellent_count + ($2 = 'A')::int, position = $3 "
        "WHERE period_id = $1 AND position < $3",
        (e.originator_id, e.level, pos),
    )]


def _decision_amended(s: str, e: Any, pos: int) -> list[Statement]:
    """An amendment on appeal moves the quota in use; the count of decisions is unchanged."""
    return [(
        f"UPDATE {s}.rm_periods SET excellent_count = excellent_count + ($2 = 'A')::int "
        "- (coalesce($3, '') = 'A')::int, position = $4 WHERE period_id = $1 AND position < $4",
        (e.originator_id, e.level, e.previous_level, pos),
    )]


def _closed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.rm_periods SET status = 'closed', closed_at = $2, position = $3 "
        "WHERE period_id = $1",
        (e.originator_id, e.timestamp, pos),
    )]


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
