"""Read model of each person's timeline (quá trình đánh giá): one entry per event that
touched their evaluations, in log order — opened, self-assessed, decided (and, as the
workflow grows, opinions, proposals, appeals and amendments).

The entry's key is the person and the log position, which is unique and only grows, so a
timeline page is a stable keyset: a new entry never shifts an earlier page.

Both tables are a fold (``projections.fold``): an evaluation's row (whose timeline its
entries go to) is read once per batch, and the entries — only ever added — are written in
one statement per batch, or by ``COPY`` in a rebuild.
"""

from __future__ import annotations

from typing import Any, ClassVar

from projections.base import Handler, Projection
from projections.fold import Args, Fold, Step, Table, Tables
from projections.timeline_appeals import appeal_entries

EVALUATIONS = "rm_timeline_evaluations"
ENTRIES = "rm_timeline"

EVALUATION = Table(
    name=EVALUATIONS, key="evaluation_id",
    columns={"evaluation_id": "uuid", "staff_id": "uuid", "period_id": "uuid", "kind": "text",
             "year": "int", "number": "int"},
)
ENTRY = Table(
    name=ENTRIES, key="position", append=True,
    columns={"staff_id": "uuid", "position": "bigint", "evaluation_id": "uuid",
             "period_id": "uuid", "kind": "text", "year": "int", "number": "int",
             "entry": "text", "level": "text", "score": "numeric", "actor": "text",
             "capacity": "text", "at": "timestamptz"},
)


def _started(t: Tables, a: Args) -> None:
    # The opening's entry is written from the event itself, beside the evaluation's row.
    eid, staff, period, kind, year, number, pos, actor, capacity, at = a
    t[EVALUATIONS].add(eid, EVALUATION.new_row(
        evaluation_id=eid, staff_id=staff, period_id=period, kind=kind, year=year,
        number=number))
    t[ENTRIES].add(pos, ENTRY.new_row(
        staff_id=staff, position=pos, evaluation_id=eid, period_id=period, kind=kind,
        year=year, number=number, entry="opened", actor=actor, capacity=capacity, at=at))


def entry(t: Tables, a: Args) -> None:
    """An entry of the evaluation ``a[0]`` (none for an evaluation never opened)."""
    eid, pos, name, level, score, actor, capacity, at = a
    if (ev := t[EVALUATIONS].peek(eid)) is not None:
        t[ENTRIES].add(pos, ENTRY.new_row(
            staff_id=ev["staff_id"], position=pos, evaluation_id=eid,
            period_id=ev["period_id"], kind=ev["kind"], year=ev["year"],
            number=ev["number"], entry=name, level=level, score=score, actor=actor,
            capacity=capacity, at=at))


def _entry_of(name: str) -> Step:
    """An entry named ``name`` of the event's own evaluation, with its level and score."""
    def args(e: Any, pos: int) -> Args:
        return (e.originator_id, pos, name, e.level, e.score, e.actor, e.capacity,
                e.timestamp)
    return Step(args, entry)


E = "domain.evaluation:Evaluation."
TIMELINE = Fold(
    tables=(EVALUATION, ENTRY),
    steps={
        E + "Started": Step(lambda e, pos: (
            e.originator_id, e.staff_id, e.period_id, e.kind, e.year, e.number, pos, e.actor,
            e.capacity, e.timestamp), _started),
        E + "SelfAssessmentSubmitted": _entry_of("self_assessed"),
        E + "RatingDecided": _entry_of("decided"),
        E + "RatingAmended": _entry_of("amended"),
        **appeal_entries(entry),
    },
)


class TimelineProjection(Projection):
    name = "timeline"
    tables = (EVALUATIONS, ENTRIES)
    folds = (TIMELINE,)
    handlers: ClassVar[dict[str, Handler]] = {}
