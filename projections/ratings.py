"""Read model of each person's evaluation per period: self-assessment, proposal, decision and
publication (rm_ratings), and the opinions attached to it (rm_opinions).

Both are a fold (``projections.fold``): one row per evaluation, folded in memory from a
batch's events and written once; the opinions, only ever added, in one statement per batch
(``COPY`` in a rebuild)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from domain.ids import PeriodId, StaffId, evaluation_id_for

from projections.base import Handler, Projection
from projections.fold import Args, Fold, Step, Table, Tables

E = "domain.evaluation:Evaluation."


def _started(t: Tables, a: Args) -> None:
    rows_ = t["rm_ratings"]
    eid, period, unit, staff, subject, kind, year, number, pos, version = a
    rows_.add(eid, RATING.new_row(
        evaluation_id=eid, period_id=period, unit_id=unit, staff_id=staff, subject=subject,
        kind=kind, year=year, number=number, status="pending", position=pos, version=version))


def _self_assessed(t: Tables, a: Args) -> None:
    rows_ = t["rm_ratings"]
    eid, score, level, at, pos, criteria, version = a
    if (row := rows_.get(eid)) is not None:
        row.update(self_score=score, self_level=level, self_assessed_at=at, position=pos,
                   criteria=criteria, version=version)
        if row["level"] is None:
            row["status"] = "self_assessed"


def _proposed(t: Tables, a: Args) -> None:
    rows_ = t["rm_ratings"]
    eid, level, score, strengths, shortcomings, actor, pos, version = a
    if (row := rows_.get(eid)) is not None:
        row.update(proposed_level=level, proposed_score=score, strengths=strengths,
                   shortcomings=shortcomings, proposed_by=actor, position=pos, version=version)


def _opinion_attached(t: Tables, a: Args) -> None:
    """The opinion's own row (whatever became of its evaluation), and one more on the
    evaluation's count."""
    eid, pos, version, source, body, satisfaction, author, at = a
    t["rm_opinions"].add(pos, OPINION.new_row(
        position=pos, evaluation_id=eid, source=source, body=body, satisfaction=satisfaction,
        author=author, at=at))
    if (row := t["rm_ratings"].get(eid)) is not None and row["position"] < pos:
        row.update(opinion_count=row["opinion_count"] + 1, position=pos, version=version)


def _decided(t: Tables, a: Args) -> None:
    rows_ = t["rm_ratings"]
    eid, level, score, reasons, policy_version, actor, at, pos, authority, version = a
    if (row := rows_.get(eid)) is not None:
        row.update(level=level, score=score, reasons=reasons, policy_version=policy_version,
                   decided_by=actor, decided_at=at, status="decided", position=pos,
                   authority=authority, version=version)


def _published_keys(a: Args) -> list[tuple[str, Any]]:
    return [("rm_ratings", eid) for eid in a[0]]


def _published(t: Tables, a: Args) -> None:
    """Each person sees their own result once the period is published."""
    rows_ = t["rm_ratings"]
    ids, at, pos = a
    for eid in ids:
        if (row := rows_.get(eid)) is not None and row["level"] is not None:
            row["published_at"] = row["published_at"] or at
            row["position"] = pos


def _amended(t: Tables, a: Args) -> None:
    """An appeal's outcome supersedes the decision on the board; the original stays in the
    log, the timeline and the appeal (which records the level and score it contested)."""
    rows_ = t["rm_ratings"]
    eid, level, score, reasons, policy_version, actor, at, appeal, pos, version = a
    if (row := rows_.get(eid)) is not None:
        row.update(level=level, score=score, reasons=reasons, policy_version=policy_version,
                   decided_by=actor, decided_at=at, status="amended", appeal_id=appeal,
                   position=pos, version=version)


def _imported(t: Tables, a: Args) -> None:
    rows_ = t["rm_ratings"]
    eid, self_score, self_level, level, score, reasons, policy_version, by, pos, version = a
    if (row := rows_.get(eid)) is not None:
        row.update(self_score=self_score, self_level=self_level, level=level, score=score,
                   reasons=reasons, policy_version=policy_version, decided_by=by,
                   position=pos, version=version)
        if level is not None:
            row["status"] = "decided"
        elif self_score is not None:
            row["status"] = "self_assessed"


def _versioned(t: Tables, a: Args) -> None:
    """The computation recorded before a decision by work moves the evaluation's version
    (its figures are the work projection's, ``projections/work.py``)."""
    rows_ = t["rm_ratings"]
    eid, pos, version = a
    if (row := rows_.get(eid)) is not None:
        row.update(position=pos, version=version)


def _criteria(e: Any) -> str | None:
    criteria = getattr(e, "criteria", None)
    return json.dumps(criteria, sort_keys=True) if criteria is not None else None


RATING = Table(
    name="rm_ratings", key="evaluation_id",
    columns={
        "evaluation_id": "uuid", "period_id": "uuid", "unit_id": "uuid", "staff_id": "uuid",
        "subject": "text", "kind": "text", "year": "int", "number": "int", "status": "text",
        "self_score": "numeric", "self_level": "text", "self_assessed_at": "timestamptz",
        "level": "text", "score": "numeric", "reasons": "text", "policy_version": "text",
        "decided_by": "text", "decided_at": "timestamptz", "position": "bigint",
        "appeal_id": "uuid", "authority": "text", "criteria": "jsonb",
        "proposed_level": "text", "proposed_score": "numeric", "strengths": "text",
        "shortcomings": "text", "proposed_by": "text", "opinion_count": "int",
        "published_at": "timestamptz", "version": "int",
    },
    defaults={"opinion_count": 0, "version": 1},
)
OPINION = Table(
    name="rm_opinions", key="position", append=True,
    columns={"position": "bigint", "evaluation_id": "uuid", "source": "text", "body": "text",
             "satisfaction": "numeric", "author": "text", "at": "timestamptz"},
)
RATINGS = Fold(
    tables=(RATING, OPINION),
    steps={
        E + "Started": Step(lambda e, pos: (
            e.originator_id, e.period_id, e.unit_id, e.staff_id, e.subject, e.kind, e.year,
            e.number, pos, e.originator_version), _started),
        E + "SelfAssessmentSubmitted": Step(lambda e, pos: (
            e.originator_id, e.score, e.level, e.timestamp, pos, _criteria(e),
            e.originator_version), _self_assessed),
        E + "RatingDecided": Step(lambda e, pos: (
            e.originator_id, e.level, e.score, e.reasons, e.policy_version, e.actor,
            e.timestamp, pos, getattr(e, "authority", ""), e.originator_version), _decided),
        E + "RatingAmended": Step(lambda e, pos: (
            e.originator_id, e.level, e.score, e.reasons, e.policy_version, e.actor,
            e.timestamp, e.appeal_id, pos, e.originator_version), _amended),
        E + "Proposed": Step(lambda e, pos: (
            e.originator_id, e.level, e.score, e.strengths, e.shortcomings, e.actor, pos,
            e.originator_version), _proposed),
        E + "OpinionAttached": Step(lambda e, pos: (
            e.originator_id, pos, e.originator_version, e.source, e.text, e.satisfaction,
            e.actor, e.timestamp), _opinion_attached),
        E + "OutcomeImported": Step(lambda e, pos: (
            e.originator_id, e.self_score, e.self_level, e.level, e.score, e.reasons,
            e.policy_version, f"tenant:{e.from_tenant}", pos, e.originator_version),
            _imported),
        E + "WorkScoreComputed": Step(lambda e, pos: (
            e.originator_id, pos, e.originator_version), _versioned),
        "domain.period:EvaluationPeriod.Published": Step(lambda e, pos: (
            tuple(evaluation_id_for(PeriodId(e.originator_id), StaffId(sid), "official")
                  for sid in e.decided), e.timestamp, pos), _published, _published_keys),
    },
)


class RatingsProjection(Projection):
    name = "ratings"
    tables = ("rm_ratings", "rm_opinions")
    folds = (RATINGS,)
    handlers: ClassVar[dict[str, Handler]] = {}
