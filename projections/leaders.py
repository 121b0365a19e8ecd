"""Leader accountability (trách nhiệm người đứng đầu): every rating decision with who made it,
in which capacity, under which policy version and with which reasons, and what later
happened to it — appealed, overturned (amended on appeal), by whom (``rm_leader_decisions``).

Time to decide runs from the moment the case was ready for the leader — the person's first
self-assessment, or the opening of the evaluation if they never self-assessed — to the
decision. The per-leader figures (``LEADER_SUMMARY``) are a GROUP BY over this table, so
they can never disagree with the decisions they summarise.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

from projections.base import Handler, Projection, Sql, Statement, key, rows

E = "domain.evaluation:Evaluation."


@lru_cache(maxsize=1024)
def _started_sql(s: str) -> Sql:
    return Sql(
        f"INSERT INTO {s}.rm_leader_decisions (evaluation_id, unit_id, staff_id, period_id, "
        "year, number, ready_at, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (evaluation_id) DO NOTHING",
        keys=key("decision"),
        bulk=f"INSERT INTO {s}.rm_leader_decisions (evaluation_id, unit_id, staff_id, "
        "period_id, year, number, ready_at, position) SELECT * FROM "
        + rows("evaluation_id uuid", "unit_id uuid", "staff_id uuid", "period_id uuid",
               "year int", "number int", "ready_at timestamptz", "pos bigint")
        + " ON CONFLICT (evaluation_id) DO NOTHING",
    )


def _started(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_started_sql(s), (e.originator_id, e.unit_id, e.staff_id, e.period_id, e.year,
                               e.number, e.timestamp, pos))]


@lru_cache(maxsize=1024)
def _self_assessed_sql(s: str) -> Sql:
    return Sql(
        f"UPDATE {s}.rm_leader_decisions SET ready_at = $2, self_assessed = true, position = $3 "
        "WHERE evaluation_id = $1 AND NOT self_assessed AND decided_at IS NULL",
        keys=key("decision"),
        bulk=f"UPDATE {s}.rm_leader_decisions t SET ready_at = r.at, self_assessed = true, "
        "position = r.pos FROM " + rows("evaluation_id uuid", "at timestamptz", "pos bigint")
        + " WHERE t.evaluation_id = r.evaluation_id AND NOT t.self_assessed "
        "AND t.decided_at IS NULL",
    )


def _self_assessed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_self_assessed_sql(s), (e.originator_id, e.timestamp, pos))]


@lru_cache(maxsize=1024)
def _decided_sql(s: str) -> Sql:
    return Sql(
        f"UPDATE {s}.rm_leader_decisions SET decider = $2, capacity = $3, policy_version = $4, "
        "level = $5, score = $6, reasons = $7, decided_at = $8, position = $9 "
        "WHERE evaluation_id = $1",
        keys=key("decision"),
        bulk=f"UPDATE {s}.rm_leader_decisions t SET decider = r.decider, "
        "capacity = r.capacity, policy_version = r.policy_version, level = r.level, "
        "score = r.score, reasons = r.reasons, decided_at = r.at, position = r.pos FROM "
        + rows("evaluation_id uuid", "decider text", "capacity text", "policy_version text",
               "level text", "score numeric", "reasons text", "at timestamptz", "pos bigint")
        + " WHERE t.evaluation_id = r.evaluation_id",
    )


def _decided(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_decided_sql(s), (e.originator_id, e.actor, e.capacity, e.policy_version,
                               e.level, e.score, e.reasons, e.timestamp, pos))]


def _work_score(s: str, e: Any, pos: int) -> list[Statement]:
    """Decree 335: the score computed from work, and whether the level decided went above
    the level it earns (which needed reasons)."""
    return [(
        f"UPDATE {s}.rm_leader_decisions SET computed_score = $2, computed_level = $3, "
        "above_computed = $4, position = $5 WHERE evaluation_id = $1",
        (e.originator_id, e.score, e.earned_level, e.above_computed, pos),
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
        E + "WorkScoreComputed": _work_score,
        "domain.appeal:Appeal.Filed": _appeal_filed,
    }


# Per leader: decisions made, share appealed, share overturned, average hours to decide;
# ``where`` narrows the decisions counted (a dashboard's filter), TRUE for all of them.
LEADER_SUMMARY = (
    "SELECT decider, count(*) AS decisions, "
    "count(*) FILTER (WHERE appeals > 0) AS appealed, "
    "count(*) FILTER (WHERE overturned) AS overturned, "
    "count(*) FILTER (WHERE above_computed) AS above_computed, "
    "avg(extract(epoch FROM decided_at - ready_at)) / 3600.0 AS avg_hours_to_decide "
    "FROM {s}.rm_leader_decisions WHERE decider IS NOT NULL AND {where} GROUP BY decider"
)
