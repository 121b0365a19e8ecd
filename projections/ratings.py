"""Read model of each person's evaluation per period: self-assessment, proposal, decision and
publication (rm_ratings), and the opinions attached to it (rm_opinions)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, ClassVar

from domain.ids import PeriodId, StaffId, evaluation_id_for

from projections.base import Handler, Projection, Sql, Statement, key, no_rows, rows


@lru_cache(maxsize=1024)
def _started_sql(s: str) -> Sql:
    return Sql(
        f"INSERT INTO {s}.rm_ratings (evaluation_id, period_id, unit_id, staff_id, subject, "
        "kind, year, number, status, position, version) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10) "
        "ON CONFLICT (evaluation_id) DO NOTHING",
        keys=key("rating"),
        bulk=(
            f"INSERT INTO {s}.rm_ratings (evaluation_id, period_id, unit_id, staff_id, "
            "subject, kind, year, number, status, position, version) "
            "SELECT r.evaluation_id, r.period_id, r.unit_id, r.staff_id, r.subject, r.kind, "
            "r.year, r.number, 'pending', r.pos, r.version FROM "
            + rows("evaluation_id uuid", "period_id uuid", "unit_id uuid", "staff_id uuid",
                   "subject text", "kind text", "year int", "number int", "pos bigint",
                   "version int")
            + " ON CONFLICT (evaluation_id) DO NOTHING"),
    )


def _started(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_started_sql(s), (e.originator_id, e.period_id, e.unit_id, e.staff_id, e.subject,
                               e.kind, e.year, e.number, pos, e.originator_version))]


@lru_cache(maxsize=1024)
def _self_assessed_sql(s: str) -> Sql:
    return Sql(
        f"UPDATE {s}.rm_ratings SET self_score = $2, self_level = $3, self_assessed_at = $4, "
        "status = CASE WHEN level IS NULL THEN 'self_assessed' ELSE status END, position = $5, "
        "criteria = $6::jsonb, version = $7 WHERE evaluation_id = $1",
        keys=key("rating"),
        bulk=(
            f"UPDATE {s}.rm_ratings t SET self_score = r.score, self_level = r.level, "
            "self_assessed_at = r.at, "
            "status = CASE WHEN t.level IS NULL THEN 'self_assessed' ELSE t.status END, "
            "position = r.pos, criteria = r.criteria::jsonb, version = r.version FROM "
            + rows("evaluation_id uuid", "score numeric", "level text", "at timestamptz",
                   "pos bigint", "criteria text", "version int")
            + " WHERE t.evaluation_id = r.evaluation_id"),
    )


def _self_assessed(s: str, e: Any, pos: int) -> list[Statement]:
    criteria = getattr(e, "criteria", None)
    return [(_self_assessed_sql(s), (
        e.originator_id, e.score, e.level, e.timestamp, pos,
        json.dumps(criteria, sort_keys=True) if criteria is not None else None,
        e.originator_version))]


@lru_cache(maxsize=1024)
def _proposed_sql(s: str) -> Sql:
    return Sql(
        f"UPDATE {s}.rm_ratings SET proposed_level = $2, proposed_score = $3, strengths = $4, "
        "shortcomings = $5, proposed_by = $6, position = $7, version = $8 "
        "WHERE evaluation_id = $1",
        keys=key("rating"),
        bulk=(
            f"UPDATE {s}.rm_ratings t SET proposed_level = r.level, proposed_score = r.score, "
            "strengths = r.strengths, shortcomings = r.shortcomings, proposed_by = r.actor, "
            "position = r.pos, version = r.version FROM "
            + rows("evaluation_id uuid", "level text", "score numeric", "strengths text",
                   "shortcomings text", "actor text", "pos bigint", "version int")
            + " WHERE t.evaluation_id = r.evaluation_id"),
    )


def _proposed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_proposed_sql(s), (e.originator_id, e.level, e.score, e.strengths,
                                e.shortcomings, e.actor, pos, e.originator_version))]


@lru_cache(maxsize=1024)
def _opinion_sql(s: str) -> tuple[Sql, Sql]:
    entry = Sql(
        f"INSERT INTO {s}.rm_opinions (position, evaluation_id, source, body, satisfaction, "
        "author, at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (position) DO NOTHING",
        keys=no_rows,
        bulk=f"INSERT INTO {s}.rm_opinions (position, evaluation_id, source, body, "
        "satisfaction, author, at) SELECT r.pos, r.evaluation_id, r.source, r.body, "
        "r.satisfaction, r.author, r.at FROM "
        + rows("pos bigint", "evaluation_id uuid", "source text", "body text",
               "satisfaction numeric", "author text", "at timestamptz")
        + " ON CONFLICT (position) DO NOTHING",
    )
    count = Sql(
        f"UPDATE {s}.rm_ratings SET opinion_count = opinion_count + 1, position = $2, "
        "version = $3 WHERE evaluation_id = $1 AND position < $2",
        keys=key("rating"),
        bulk=f"UPDATE {s}.rm_ratings t SET opinion_count = t.opinion_count + 1, "
        "position = r.pos, version = r.version FROM "
        + rows("evaluation_id uuid", "pos bigint", "version int")
        + " WHERE t.evaluation_id = r.evaluation_id AND t.position < r.pos",
    )
    return entry, count


def _opinion(s: str, e: Any, pos: int) -> list[Statement]:
    entry, count = _opinion_sql(s)
    return [
        (entry, (pos, e.originator_id, e.source, e.text, e.satisfaction, e.actor, e.timestamp)),
        (count, (e.originator_id, pos, e.originator_version)),
    ]


@lru_cache(maxsize=1024)
def _decided_sql(s: str) -> Sql:
    return Sql(
        f"UPDATE {s}.rm_ratings SET level = $2, score = $3, reasons = $4, policy_version = $5, "
        "decided_by = $6, decided_at = $7, status = 'decided', position = $8, authority = $9, "
        "version = $10 WHERE evaluation_id = $1",
        keys=key("rating"),
        bulk=(
            f"UPDATE {s}.rm_ratings t SET level = r.level, score = r.score, "
            "reasons = r.reasons, policy_version = r.policy_version, decided_by = r.actor, "
            "decided_at = r.at, status = 'decided', position = r.pos, "
            "authority = r.authority, version = r.version FROM "
            + rows("evaluation_id uuid", "level text", "score numeric", "reasons text",
                   "policy_version text", "actor text", "at timestamptz", "pos bigint",
                   "authority text", "version int")
            + " WHERE t.evaluation_id = r.evaluation_id"),
    )


def _decided(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_decided_sql(s), (e.originator_id, e.level, e.score, e.reasons, e.policy_version,
                               e.actor, e.timestamp, pos, getattr(e, "authority", ""),
                               e.originator_version))]


def _published(s: str, e: Any, pos: int) -> list[Statement]:
    """Each person sees their own result once the period is published."""
    ids = [evaluation_id_for(PeriodId(e.originator_id), StaffId(sid), "official")
           for sid in e.decided]
    return [(
        f"UPDATE {s}.rm_ratings SET published_at = coalesce(published_at, $2), position = $3 "
        "WHERE evaluation_id = ANY($1::uuid[]) AND level IS NOT NULL",
        (ids, e.timestamp, pos),
    )]


def _amended(s: str, e: Any, pos: int) -> list[Statement]:
    """An appeal's outcome supersedes the decision on the board; the original stays in the
    log, the timeline and the appeal (which records the level and score it contested)."""
    return [(
        f"UPDATE {s}.rm_ratings SET level = $2, score = $3, reasons = $4, policy_version = $5, "
        "decided_by = $6, decided_at = $7, status = 'amended', appeal_id = $8, position = $9, "
        "version = $10 WHERE evaluation_id = $1",
        (e.originator_id, e.level, e.score, e.reasons, e.policy_version, e.actor, e.timestamp,
         e.appeal_id, pos, e.originator_version),
    )]


def _imported(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.rm_ratings SET self_score = $2, self_level = $3, level = $4, score = $5, "
        "reasons = $6, policy_version = $7, decided_by = $8, "
        "status = CASE WHEN $4::text IS NOT NULL THEN 'decided' WHEN $2::numeric IS NOT NULL "
        "THEN 'self_assessed' ELSE status END, position = $9, version = $10 "
        "WHERE evaluation_id = $1",
        (e.originator_id, e.self_score, e.self_level, e.level, e.score, e.reasons,
         e.policy_version, f"tenant:{e.from_tenant}", pos, e.originator_version),
    )]


def _work_score_computed(s: str, e: Any, pos: int) -> list[Statement]:
    """The computation recorded before a decision by work moves the evaluation's version
    (its figures are the work projection's, ``projections/work.py``)."""
    return [(f"UPDATE {s}.rm_ratings SET position = $2, version = $3 WHERE evaluation_id = $1",
             (e.originator_id, pos, e.originator_version))]


class RatingsProjection(Projection):
    name = "ratings"
    tables = ("rm_ratings", "rm_opinions")
    handlers: ClassVar[dict[str, Handler]] = {
        "domain.evaluation:Evaluation.Started": _started,
        "domain.evaluation:Evaluation.SelfAssessmentSubmitted": _self_assessed,
        "domain.evaluation:Evaluation.RatingDecided": _decided,
        "domain.evaluation:Evaluation.RatingAmended": _amended,
        "domain.evaluation:Evaluation.Proposed": _proposed,
        "domain.evaluation:Evaluation.OpinionAttached": _opinion,
        "domain.evaluation:Evaluation.OutcomeImported": _imported,
        "domain.evaluation:Evaluation.WorkScoreComputed": _work_score_computed,
        "domain.period:EvaluationPeriod.Published": _published,
    }

