"""Leader accountability (trách nhiệm người đứng đầu): every rating decision with who made it,
in which capacity, under which policy version and with which reasons, and what later
happened to it — appealed, overturned (amended on appeal), by whom (``rm_leader_decisions``).

Time to decide runs from the moment the case was ready for the leader — the person's first
self-assessment, or the opening of the evaluation if they never self-assessed — to the
decision. The per-leader figures (``LEADER_SUMMARY``) are a GROUP BY over this table, so
they can never disagree with the decisions they summarise.
"""

from __future__ import annotations

from typing import ClassVar

from projections.base import Handler, Projection
from projections.fold import Args, Fold, Step, Table, Tables

E = "domain.evaluation:Evaluation."


def _started(t: Tables, a: Args) -> None:
    rows = t["rm_leader_decisions"]
    eid, unit, staff, period, year, number, at, pos = a
    rows.add(eid, DECISION.new_row(
        evaluation_id=eid, unit_id=unit, staff_id=staff, period_id=period, year=year,
        number=number, ready_at=at, position=pos))


def _self_assessed(t: Tables, a: Args) -> None:
    """The case is ready for the leader at the first self-assessment before a decision."""
    rows = t["rm_leader_decisions"]
    eid, at, pos = a
    row = rows.get(eid)
    if row is not None and not row["self_assessed"] and row["decided_at"] is None:
        row.update(ready_at=at, self_assessed=True, position=pos)


def _decided(t: Tables, a: Args) -> None:
    rows = t["rm_leader_decisions"]
    eid, decider, capacity, policy_version, level, score, reasons, at, pos = a
    if (row := rows.get(eid)) is not None:
        row.update(decider=decider, capacity=capacity, policy_version=policy_version,
                   level=level, score=score, reasons=reasons, decided_at=at, position=pos)


def _work_score(t: Tables, a: Args) -> None:
    """Decree 335: the score computed from work, and whether the level decided went above
    the level it earns (which needed reasons)."""
    rows = t["rm_leader_decisions"]
    eid, score, level, above, pos = a
    if (row := rows.get(eid)) is not None:
        row.update(computed_score=score, computed_level=level, above_computed=above,
                   position=pos)


def _amended(t: Tables, a: Args) -> None:
    rows = t["rm_leader_decisions"]
    eid, actor, at, appeal, level, score, pos = a
    if (row := rows.get(eid)) is not None:
        row.update(overturned=True, overturned_by=actor, overturned_at=at,
                   overturn_appeal_id=appeal, amended_level=level, amended_score=score,
                   position=pos)


def _appeal_filed(t: Tables, a: Args) -> None:
    rows = t["rm_leader_decisions"]
    eid, pos = a
    if (row := rows.get(eid)) is not None:
        row.update(appeals=row["appeals"] + 1, position=pos)


DECISION = Table(
    name="rm_leader_decisions", key="evaluation_id",
    columns={
        "evaluation_id": "uuid", "unit_id": "uuid", "staff_id": "uuid", "period_id": "uuid",
        "year": "int", "number": "int", "ready_at": "timestamptz", "self_assessed": "boolean",
        "decider": "text", "capacity": "text", "policy_version": "text", "level": "text",
        "score": "numeric", "reasons": "text", "decided_at": "timestamptz", "appeals": "int",
        "overturned": "boolean", "overturned_by": "text", "overturned_at": "timestamptz",
        "overturn_appeal_id": "uuid", "amended_level": "text", "amended_score": "numeric",
        "position": "bigint", "computed_score": "numeric", "computed_level": "text",
        "above_computed": "boolean",
    },
    defaults={"self_assessed": False, "appeals": 0, "overturned": False,
              "above_computed": False},
)
DECISIONS = Fold(
    tables=(DECISION,),
    steps={
        E + "Started": Step(lambda e, pos: (
            e.originator_id, e.unit_id, e.staff_id, e.period_id, e.year, e.number,
            e.timestamp, pos), _started),
        E + "SelfAssessmentSubmitted": Step(lambda e, pos: (
            e.originator_id, e.timestamp, pos), _self_assessed),
        E + "RatingDecided": Step(lambda e, pos: (
            e.originator_id, e.actor, e.capacity, e.policy_version, e.level, e.score,
            e.reasons, e.timestamp, pos), _decided),
        E + "RatingAmended": Step(lambda e, pos: (
            e.originator_id, e.actor, e.timestamp, e.appeal_id, e.level, e.score, pos),
            _amended),
        E + "WorkScoreComputed": Step(lambda e, pos: (
            e.originator_id, e.score, e.earned_level, e.above_computed, pos), _work_score),
        "domain.appeal:Appeal.Filed": Step(lambda e, pos: (e.evaluation_id, pos),
                                           _appeal_filed),
    },
)


class LeadersProjection(Projection):
    name = "leaders"
    tables = ("rm_leader_decisions",)
    folds = (DECISIONS,)
    handlers: ClassVar[dict[str, Handler]] = {}


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
