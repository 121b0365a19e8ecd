"""Leader accountability (trách nhiệm người đứng đầu): every rating decision with who made it,
in which capacity, under which policy version and with which reasons, and what later
happened to it — appealed, overturned (amended on appeal), by whom (``rm_leader_decisions``).

Time to decide runs from the moment the case was ready for the leader — the person's first
self-assessment, or the opening of the evaluation if they never self-assessed — to the
decision. The per-leader figures (``LEADER_SUMMARY``) are a GROUP BY over this table, so
they can never disagree with the decisions they summarise.
"""

from __future__ import annotations

from typing import Any, ClassVar

from projections.base import Handler, Projection, Statement

E = "domain.evaluation:Evaluation."


def _started(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.rm_leader_decisions (evaluation_id, unit_id, staff_id, period_id, "
        "year, number, ready_at, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (evaluation_id) DO NOTHING",
        (e.originator_id, e.unit_id, e.staff_id, e.period_id, e.year, e.number, e.timestamp,
         pos),
    )]


def _self_assessed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.rm_leader_decisions SET ready_at = $2, self_assessed = true, position = $3 "
        "WHERE evaluation_id = $1 AND NOT self_assessed AND decided_at IS NULL",
        (e.originator_id, e.timestamp, pos),
    )]


def _decided(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.rm_leader_decisions SET decider = $2, capacity = $3, policy_version = $4, "
        "level = $5, score = $6, reasons = $7, decided_at = $8, position = $9 "
        "WHERE evaluation_id = $1",
        (e.originator_id, e.actor, e.capacity, e.policy_version, e.level, e.score, e.reasons,
         e.timestamp, pos),
    )]


def _amended(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.rm_leader_decisions SET overturned = true, overturned_by = $2, "
        "overturned_at = $3, overturn_appeal_id = $4, amended_level = $5, amended_score = $6, "
        "position = $7 WHERE evaluation_id = $1",
        (e.originator_id, e.actor, e.timestamp, e.appeal_id, e.level, e.score, pos),
    )]


def _appeal_filed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.rm_leader_decisions SET appeals = appeals + 1, position = $2 "
        "WHERE evaluation_id = $1",
        (e.evaluation_id, pos),
    )]


class LeadersProjection(Projection):
    name = "leaders"
    tables = ("rm_leader_decisions",)
    handlers: ClassVar[dict[str, Handler]] = {
        E + "Started": _started,
        E + "SelfAssessmentSubmitted": _self_assessed,
        E + "RatingDecided": _decided,
        E + "RatingAmended": _amended,
        "domain.appeal:Appeal.Filed": _appeal_filed,
    }


# Per leader: decisions made, share appealed, share overturned, average hours to decide.
LEADER_SUMMARY = (
    "SELECT decider, count(*) AS decisions, "
    "count(*) FILTER (WHERE appeals > 0) AS appealed, "
    "count(*) FILTER (WHERE overturned) AS overturned, "
    "avg(extract(epoch FROM decided_at - ready_at)) / 3600.0 AS avg_hours_to_decide "
    "FROM {s}.rm_leader_decisions WHERE decider IS NOT NULL GROUP BY decider"
)
