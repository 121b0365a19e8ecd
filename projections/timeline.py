"""Read model of each person's timeline (quá trình đánh giá): one entry per event that
touched their evaluations, in log order — opened, self-assessed, decided (and, as the
workflow grows, opinions, proposals, appeals and amendments).

The entry's key is the person and the log position, which is unique and only grows, so a
timeline page is a stable keyset: a new entry never shifts an earlier page.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

from projections.base import Handler, Projection, Sql, Statement, key, rows
from projections.timeline_appeals import appeal_entries

_ENTRY = (
    "INSERT INTO {s}.rm_timeline (staff_id, position, evaluation_id, period_id, kind, year, "
    "number, entry, level, score, actor, capacity, at) "
    "SELECT ev.staff_id, $2, ev.evaluation_id, ev.period_id, ev.kind, ev.year, ev.number, "
    "$3, $4, $5, $6, $7, $8 FROM {s}.rm_timeline_evaluations ev WHERE ev.evaluation_id = $1 "
    "ON CONFLICT (staff_id, position) DO NOTHING"
)


_COLUMNS = ("staff_id, position, evaluation_id, period_id, kind, year, number, entry, level, "
            "score, actor, capacity, at")


@lru_cache(maxsize=1024)
def _started_sql(s: str) -> Sql:
    # One statement (the entry is written from the event itself, beside the evaluation row).
    values = rows("evaluation_id uuid", "staff_id uuid", "period_id uuid", "kind text",
                  "year int", "number int", "pos bigint", "actor text", "capacity text",
                  "at timestamptz")
    return Sql(
        f"WITH ev AS (INSERT INTO {s}.rm_timeline_evaluations (evaluation_id, staff_id, "
        "period_id, kind, year, number) VALUES ($1, $2, $3, $4, $5, $6) "
        "ON CONFLICT (evaluation_id) DO NOTHING) "
        f"INSERT INTO {s}.rm_timeline ({_COLUMNS}) "
        "VALUES ($2, $7, $1, $3, $4, $5, $6, 'opened', NULL, NULL, $8, $9, $10) "
        "ON CONFLICT (staff_id, position) DO NOTHING",
        keys=key("evaluation"),
        bulk=f"WITH ev AS (INSERT INTO {s}.rm_timeline_evaluations (evaluation_id, staff_id, "
        "period_id, kind, year, number) SELECT r.evaluation_id, r.staff_id, r.period_id, "
        f"r.kind, r.year, r.number FROM {values} ON CONFLICT (evaluation_id) DO NOTHING) "
        f"INSERT INTO {s}.rm_timeline ({_COLUMNS}) "
        "SELECT r.staff_id, r.pos, r.evaluation_id, r.period_id, r.kind, r.year, r.number, "
        f"'opened', NULL, NULL, r.actor, r.capacity, r.at FROM {values} "
        "ON CONFLICT (staff_id, position) DO NOTHING",
    )


def _started(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_started_sql(s), (e.originator_id, e.staff_id, e.period_id, e.kind, e.year,
                               e.number, pos, e.actor, e.capacity, e.timestamp))]


@lru_cache(maxsize=1024)
def _entry_sql(s: str) -> Sql:
    """An entry of the evaluation ``$1``; it reads the evaluation's row (its key)."""
    return Sql(
        _ENTRY.format(s=s), keys=key("evaluation"),
        bulk=f"INSERT INTO {s}.rm_timeline ({_COLUMNS}) "
        "SELECT ev.staff_id, r.pos, ev.evaluation_id, ev.period_id, ev.kind, ev.year, "
        "ev.number, r.entry, r.level, r.score, r.actor, r.capacity, r.at FROM "
        + rows("evaluation_id uuid", "pos bigint", "entry text", "level text",
               "score numeric", "actor text", "capacity text", "at timestamptz")
        + f" JOIN {s}.rm_timeline_evaluations ev ON ev.evaluation_id = r.evaluation_id "
        "ON CONFLICT (staff_id, position) DO NOTHING",
    )


def _self_assessed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_entry_sql(s), (e.originator_id, pos, "self_assessed", e.level, e.score,
                             e.actor, e.capacity, e.timestamp))]


def _decided(s: str, e: Any, pos: int) -> list[Statement]:
    return [(_entry_sql(s), (e.originator_id, pos, "decided", e.level, e.score,
                             e.actor, e.capacity, e.timestamp))]


class TimelineProjection(Projection):
    name = "timeline"
    tables = ("rm_timeline_evaluations", "rm_timeline")
    handlers: ClassVar[dict[str, Handler]] = {
        "domain.evaluation:Evaluation.Started": _started,
        "domain.evaluation:Evaluation.SelfAssessmentSubmitted": _self_assessed,
        "domain.evaluation:Evaluation.RatingDecided": _decided,
        **appeal_entries(_ENTRY),
    }
