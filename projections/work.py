"""Read models of work outputs (Decree 335/2025): every assigned item with its status
(``rm_work_items``: "my work this period" per person, "the unit's work board" per unit and
period), every catalogue version (``rm_work_catalogues``) and the score each decision was
computed with (``rm_work_scores``).

The live breakdown of a period not yet decided is computed at read time from the item rows
by the same function the decision uses (``domain.work_score.compute``, see
``breakdown_of``), so what the person and the leader see before the decision is what the
decision will record. Nothing here decides anything; it only records.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from domain.levels import Level
from domain.policy import Policy
from domain.work_score import ItemOutcome, ScoreBreakdown, compute

from projections.base import Handler, Projection, Statement

W = "domain.work_item:WorkItem."
C = "domain.work_catalogue:WorkCatalogue."
ITEM_COLUMNS = (
    "item_id, unit_id, staff_id, kind, year, number, title, catalogue_key, catalogue_version, "
    "coefficient, expected_quantity, assigned_on, deadline, assigned_by, status, "
    "closing_reasons, reported_quantity, done_on, evidence, confirmed_by, confirmed_quantity, "
    "quality, failed_checks, quality_waived, timeliness, delays, timeliness_waived, "
    "waiver_reasons, comment, reassigned_from, position"
)


def _assigned(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.rm_work_items (item_id, unit_id, staff_id, kind, year, number, "
        "title, catalogue_key, catalogue_version, coefficient, expected_quantity, "
        "assigned_on, deadline, assigned_by, assigned_at, reassigned_from, status, position) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
        "'assigned', $17) ON CONFLICT (item_id) DO NOTHING",
        (e.originator_id, e.unit_id, e.staff_id, e.kind, e.year, e.number, e.title,
         e.catalogue_key, e.catalogue_version, float(e.coefficient),
         float(e.expected_quantity), e.assigned_on, e.deadline, e.assigned_by, e.timestamp,
         e.reassigned_from, pos),
    )]


def _set(s: str, e: Any, pos: int, assignments: str, *args: Any) -> Statement:
    return (f"UPDATE {s}.rm_work_items SET {assignments}, position = $2 WHERE item_id = $1",
            (e.originator_id, pos, *args))


def _reassigned(s: str, e: Any, pos: int) -> list[Statement]:
    return [_set(s, e, pos, "status = 'reassigned', closing_reasons = $3", e.reasons)]


def _cancelled(s: str, e: Any, pos: int) -> list[Statement]:
    return [_set(s, e, pos, "status = 'cancelled', closing_reasons = $3", e.reasons)]


def _reported(s: str, e: Any, pos: int) -> list[Statement]:
    return [_set(s, e, pos, "status = 'reported', reported_quantity = $3, done_on = $4, "
                 "evidence = $5", float(e.quantity), e.done_on, e.evidence)]


def _confirmed(s: str, e: Any, pos: int) -> list[Statement]:
    return [_set(
        s, e, pos, "status = 'confirmed', confirmed_by = $3, confirmed_quantity = $4, "
        "quality = $5, failed_checks = $6, quality_waived = $7, timeliness = $8, delays = $9, "
        "timeliness_waived = $10, waiver_reasons = $11, comment = $12",
        e.confirmed_by, float(e.quantity), e.quality, e.failed_checks, e.quality_waived,
        e.timeliness, e.delays, e.timeliness_waived, e.waiver_reasons, e.comment)]


def _carried_over(s: str, e: Any, pos: int) -> list[Statement]:
    """An item continued from a predecessor tenant (a merge), as it stood there."""
    def number(v: Any) -> float | None:
        return None if v is None else float(v)
    return [_set(
        s, e, pos, "status = $3, reported_quantity = $4, done_on = $5, confirmed_by = $6, "
        "confirmed_quantity = $7, quality = $8, failed_checks = $9, quality_waived = $10, "
        "timeliness = $11, delays = $12, timeliness_waived = $13",
        e.status, number(e.reported_quantity), e.done_on, e.confirmed_by,
        number(e.confirmed_quantity), e.quality, e.failed_checks, e.quality_waived,
        e.timeliness, e.delays, e.timeliness_waived)]


def _catalogue(source: str | None) -> Handler:
    def handler(s: str, e: Any, pos: int) -> list[Statement]:
        state = e.catalogue
        return [(
            f"INSERT INTO {s}.rm_work_catalogues (version, source, province_tenant, "
            "province_version, catalogue, dropped, reasons, at, position) VALUES ($1, $2, $3, "
            "$4, $5::jsonb, $6::jsonb, $7, $8, $9) ON CONFLICT (version) DO NOTHING",
            (state["version"], source or getattr(e, "source", "inherited"),
             getattr(e, "province_tenant", ""), state.get("province_version") or "",
             json.dumps(state, ensure_ascii=False, sort_keys=True),
             json.dumps(list(getattr(e, "dropped", []))), e.reasons, e.timestamp, pos),
        )]
    return handler


def _score_computed(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"INSERT INTO {s}.rm_work_scores (evaluation_id, assigned_units, completed_units, "
        "quantity_percent, quality_percent, timeliness_percent, unit_percent, results_points, "
        "general_points, score, earned_level, decided_level, above_computed, "
        "catalogue_versions, policy_version, position) VALUES ($1, $2, $3, $4, $5, $6, $7, "
        "$8, $9, $10, $11, $12, $13, $14::jsonb, $15, $16) ON CONFLICT (evaluation_id) "
        "DO NOTHING",
        (e.originator_id, float(e.assigned_units), float(e.completed_units),
         float(e.quantity_percent), float(e.quality_percent), float(e.timeliness_percent),
         None if e.unit_percent is None else float(e.unit_percent), float(e.results_points),
         float(e.general_points), float(e.score), e.earned_level, e.decided_level,
         e.above_computed, json.dumps(list(e.catalogue_versions)), e.policy_version, pos),
    )]


class WorkProjection(Projection):
    name = "work"
    tables = ("rm_work_items", "rm_work_catalogues", "rm_work_scores")
    handlers: ClassVar[dict[str, Handler]] = {
        W + "Assigned": _assigned,
        W + "Reassigned": _reassigned,
        W + "Cancelled": _cancelled,
        W + "ReportedDone": _reported,
        W + "Confirmed": _confirmed,
        W + "CarriedOver": _carried_over,
        C + "Established": _catalogue(None),
        C + "Revised": _catalogue("own"),
        C + "Adjusted": _catalogue("inherited"),
        "domain.evaluation:Evaluation.WorkScoreComputed": _score_computed,
    }


def outcome_of(row: Mapping[str, Any]) -> ItemOutcome | None:
    """An item row as the score counts it (``WorkItem.outcome``'s twin); None once closed."""
    if row["status"] in ("cancelled", "reassigned"):
        return None
    confirmed = row["status"] == "confirmed"
    return ItemOutcome(
        str(row["item_id"]), row["title"], row["expected_quantity"], row["coefficient"],
        (row["confirmed_quantity"] or 0.0) if confirmed else 0.0, confirmed,
        row["failed_checks"], row["quality_waived"], row["delays"], row["timeliness_waived"])


def breakdown_of(policy: Policy, rows: Sequence[Mapping[str, Any]], general: float,
                 subordinate_levels: Sequence[Level] | None = None) -> ScoreBreakdown:
    """The breakdown of one person's period from their item rows, as the decision computes
    it (``services.app.work.work_breakdown``)."""
    scoring = policy.work_policy.scoring
    outcomes = [o for o in (outcome_of(r) for r in rows) if o is not None]
    return compute(scoring, policy.bands, outcomes, min(general, scoring.general_points),
                   subordinate_levels)
