"""Read models of appeals (khiếu nại): one row per appeal with its stage, reviewer and deadline
(``rm_appeals``), and every step of it in log order (``rm_appeal_steps``).

Overdue is not stored: it depends on today, so queries compare ``due_on`` with the date
(see ``UNIT_APPEAL_COUNTS``). Nothing here decides anything; it only records.
"""

from __future__ import annotations

from typing import Any, ClassVar

from projections.base import Handler, Projection, Statement

A = "domain.appeal:Appeal."
OPEN_STAGES = ("awaiting_reviewer", "assigned", "under_review", "awaiting_information")

_STEP = (
    "INSERT INTO {s}.rm_appeal_steps (appeal_id, position, instance, step, actor, capacity, "
    "at, note, level, score) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT (appeal_id, position) DO NOTHING"
)


def _step(s: str, e: Any, pos: int, instance: int, step: str, note: str = "",
          level: str | None = None, score: float | None = None) -> Statement:
    return (_STEP.format(s=s), (e.originator_id, pos, instance, step, e.actor, e.capacity,
                                e.timestamp, note, level, score))


def _filed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.rm_appeals (appeal_id, evaluation_id, staff_id, unit_id, period_id, "
        "year, number, decided_by, decided_level, decided_score, decided_on, grounds, "
        "level_claimed, evidence, filed_on, filed_at, status, instance, due_on, current_level, "
        "current_score, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
        "$13, $14, $15, $16, 'awaiting_reviewer', 1, $17, $9, $10, $18) "
        "ON CONFLICT (appeal_id) DO NOTHING",
        (e.originator_id, e.evaluation_id, e.staff_id, e.unit_id, e.period_id, e.year, e.number,
         e.decided_by, e.decided_level, e.decided_score, e.decided_on, e.grounds,
         e.level_claimed, e.evidence, e.filed_on, e.timestamp, e.due_on, pos),
    ), _step(s, e, pos, 1, "filed", e.grounds, e.level_claimed)]


def _set(s: str, e: Any, pos: int, assignments: str, *args: Any) -> Statement:
    return (f"UPDATE {s}.rm_appeals SET {assignments}, position = $2 WHERE appeal_id = $1",
            (e.originator_id, pos, *args))


def _assigned(s: str, e: Any, pos: int) -> list[Statement]:
    return [_set(s, e, pos, "status = 'assigned', reviewer = $3, reviewer_tenant = $4",
                 e.reviewer, e.reviewer_tenant),
            _step(s, e, pos, e.instance, "assigned", e.reviewer)]


def _accepted(s: str, e: Any, pos: int) -> list[Statement]:
    return [_set(s, e, pos, "status = 'under_review'"), _step(s, e, pos, e.instance, "accepted")]


def _requested(s: str, e: Any, pos: int) -> list[Statement]:
    return [_set(s, e, pos, "status = 'awaiting_information'"),
            _step(s, e, pos, e.instance, "information_requested", e.question)]


def _provided(s: str, e: Any, pos: int) -> list[Statement]:
    return [_set(s, e, pos, "status = 'under_review'"),
            _step(s, e, pos, e.instance, "information_provided", e.information)]


def _withdrawn(s: str, e: Any, pos: int) -> list[Statement]:
    return [_set(s, e, pos, "status = 'withdrawn', closed_at = $3", e.timestamp),
            _step(s, e, pos, e.instance, "withdrawn", e.reason)]


def _decided(s: str, e: Any, pos: int) -> list[Statement]:
    final = e.instance == 2 or e.outcome == "upheld"
    first = "CASE WHEN $10::int = 1 THEN {new} ELSE {col} END"
    return [_set(
        s, e, pos,
        "first_reviewer = " + first.format(new="reviewer", col="first_reviewer") + ", "
        "first_outcome = " + first.format(new="$3::text", col="first_outcome") + ", "
        "first_decided_on = " + first.format(new="$4::date", col="first_decided_on") + ", "
        "first_decided_at = " + first.format(new="$5::timestamptz", col="first_decided_at")
        + ", status = $6::text, outcome = CASE WHEN $7::boolean THEN $3::text ELSE outcome END, "
        "closed_at = CASE WHEN $7::boolean THEN $5::timestamptz ELSE closed_at END, "
        "current_level = coalesce($8::text, current_level), "
        "current_score = coalesce($9::numeric, current_score), escalate_by = $11::date",
        e.outcome, e.decided_on, e.timestamp, "closed" if final else "decided", final,
        e.level, e.score, e.instance, e.escalate_by),
        _step(s, e, pos, e.instance, e.outcome, e.reasons, e.level, e.score)]


def _escalated(s: str, e: Any, pos: int) -> list[Statement]:
    return [_set(s, e, pos, "status = 'awaiting_reviewer', instance = 2, reviewer = NULL, "
                 "reviewer_tenant = '', due_on = $3, escalated_on = $4, escalate_by = NULL",
                 e.due_on, e.escalated_on),
            _step(s, e, pos, 2, "escalated", e.grounds)]


class AppealsProjection(Projection):
    name = "appeals"
    tables = ("rm_appeals", "rm_appeal_steps")
    handlers: ClassVar[dict[str, Handler]] = {
        A + "Filed": _filed,
        A + "Assigned": _assigned,
        A + "Accepted": _accepted,
        A + "MoreInformationRequested": _requested,
        A + "MoreInformationProvided": _provided,
        A + "Withdrawn": _withdrawn,
        A + "Decided": _decided,
        A + "Escalated": _escalated,
    }


# Per unit: appeals open, overdue (open and past their instance's deadline) and decided
# (first instance decided, or closed by an outcome). $1 is today's date in Hanoi; ``where``
# narrows the appeals counted (a dashboard's filter), TRUE for all of them.
UNIT_APPEAL_COUNTS = (
    "SELECT unit_id, "
    "count(*) FILTER (WHERE status IN ({open})) AS open, "
    "count(*) FILTER (WHERE status IN ({open}) AND due_on < $1) AS overdue, "
    "count(*) FILTER (WHERE status IN ('decided', 'closed')) AS decided, "
    "count(*) FILTER (WHERE status = 'withdrawn') AS withdrawn "
    "FROM {{s}}.rm_appeals WHERE {{where}} GROUP BY unit_id"
).format(open=", ".join(f"'{x}'" for x in OPEN_STAGES))
