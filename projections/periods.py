"""Read model of evaluation periods per unit, with quota use (rm_periods)."""

from __future__ import annotations

from typing import Any, ClassVar

from projections.base import Handler, Projection, Statement


def _opened(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.rm_periods (period_id, unit_id, kind, year, number, deadline, "
        "policy_version, status, member_count, opened_by, opened_at, position) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10, $11) "
        "ON CONFLICT (period_id) DO NOTHING",
        (e.originator_id, e.unit_id, e.kind, e.year, e.number, e.deadline,
         e.policy["version"], len(e.members), e.actor, e.timestamp, pos),
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


class PeriodsProjection(Projection):
    name = "periods"
    tables = ("rm_periods",)
    handlers: ClassVar[dict[str, Handler]] = {
        "domain.period:EvaluationPeriod.Opened": _opened,
        "domain.period:EvaluationPeriod.DecisionRegistered": _decision_registered,
        "domain.period:EvaluationPeriod.Closed": _closed,
        "domain.period:EvaluationPeriod.DecisionAmended": _decision_amended,
    }
