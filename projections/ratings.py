"""Read model of each person's evaluation per period: self-assessment and decision (rm_ratings)."""

from __future__ import annotations

from typing import Any, ClassVar

from projections.base import Handler, Projection, Statement


def _started(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.rm_ratings (evaluation_id, period_id, unit_id, staff_id, subject, "
        "kind, year, number, status, position) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9) "
        "ON CONFLICT (evaluation_id) DO NOTHING",
        (e.originator_id, e.period_id, e.unit_id, e.staff_id, e.subject,
         e.kind, e.year, e.number, pos),
    )]


def _self_assessed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.rm_ratings SET self_score = $2, self_level = $3, self_assessed_at = $4, "
        "status = CASE WHEN level IS NULL THEN 'self_assessed' ELSE status END, position = $5 "
        "WHERE evaluation_id = $1",
        (e.originator_id, e.score, e.level, e.timestamp, pos),
    )]


def _decided(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.rm_ratings SET level = $2, score = $3, reasons = $4, policy_version = $5, "
        "decided_by = $6, decided_at = $7, status = 'decided', position = $8 "
        "WHERE evaluation_id = $1",
        (e.originator_id, e.level, e.score, e.reasons, e.policy_version,
         e.actor, e.timestamp, pos),
    )]


def _amended(s: str, e: Any, pos: int) -> list[Statement]:
    """An appeal's outcome supersedes the decision on the board; the original stays in the
    log, the timeline and the appeal (which records the level and score it contested)."""
    return [(
        f"UPDATE {s}.rm_ratings SET level = $2, score = $3, reasons = $4, policy_version = $5, "
        "decided_by = $6, decided_at = $7, status = 'amended', appeal_id = $8, position = $9 "
        "WHERE evaluation_id = $1",
        (e.originator_id, e.level, e.score, e.reasons, e.policy_version, e.actor, e.timestamp,
         e.appeal_id, pos),
    )]


class RatingsProjection(Projection):
    name = "ratings"
    tables = ("rm_ratings",)
    handlers: ClassVar[dict[str, Handler]] = {
        "domain.evaluation:Evaluation.Started": _started,
        "domain.evaluation:Evaluation.SelfAssessmentSubmitted": _self_assessed,
        "domain.evaluation:Evaluation.RatingDecided": _decided,
        "domain.evaluation:Evaluation.RatingAmended": _amended,
    }

