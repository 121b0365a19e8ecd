"""The score computed from assigned and confirmed work (Decree 335/2025 art. 13–15, công chức).

Over one month or quarter, with U the assigned converted work (Σ expected quantity ×
coefficient) and c the completed converted work of each item (confirmed quantity ×
coefficient), each item is worth ``100·c/U`` percentage points in each of three criteria:

- quantity (số lượng)   a = min(100, Σ 100·c/U)
- quality (chất lượng)  b = min(100, Σ (100·c/U − deduction)), deduction = 25 % of the
  item's quality points per failed assessment (never more than those points)
- timeliness (tiến độ)  c = min(100, Σ (100·c/U − deduction)), 25 % per delay

unless the competent person accepted an objective cause (nguyên nhân khách quan), which
waives that deduction. Task results = 70 × (a + b + c) / 300; the score = general criteria
(≤ 30, self-scored and confirmed as today) + task results, and the level is the band it
earns (art. 20: ≥ 90 A, ≥ 70 B, ≥ 50 C).

Where the press and the brief differ we follow the press's reading of the law: the quality
and timeliness deductions are *per assessment / per delay* of one item (an item can fail
more than once), and a leader's results add two terms, not one — the unit's results
(100 % when every civil servant under them is "completed" or better, 50 % otherwise) and
the ability to organise the unit's tasks — weighted as the policy says (``WorkScoring``;
the exact formula was published as an image, so the default weights are unconfirmed).
Items count only once confirmed by the leader: reported but unconfirmed work is pending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.errors import ScoreOutOfRangeError
from domain.levels import Level, ScoreBands
from domain.work_policy import WorkScoring


@dataclass(frozen=True)
class ItemOutcome:
    """One assigned item as the score needs it (built by ``WorkItem.outcome`` or a row)."""

    item_id: str
    title: str
    expected_quantity: float
    coefficient: float
    completed_quantity: float = 0.0  # as confirmed; 0 until confirmed
    confirmed: bool = False
    quality_failures: int = 0  # failed quality assessments
    quality_waived: bool = False  # objective cause accepted
    delays: int = 0
    timeliness_waived: bool = False

    @property
    def assigned_units(self) -> float:
        return self.expected_quantity * self.coefficient

    @property
    def completed_units(self) -> float:
        return self.completed_quantity * self.coefficient if self.confirmed else 0.0


@dataclass(frozen=True)
class ItemLine:
    """One line of the breakdown: what was assigned and done, and what it earned."""

    item_id: str
    title: str
    assigned_units: float
    completed_units: float
    quality: str  # meets · fails · waived · pending
    timeliness: str  # on_time · late · waived · pending
    quantity_percent: float  # percentage points of the quantity criterion
    quality_percent: float  # before its deduction
    quality_deduction: float
    timeliness_percent: float
    timeliness_deduction: float
    points: float  # contribution to the task-results points


@dataclass(frozen=True)
class ScoreBreakdown:
    """What a person and their leader both see: per item, per criterion, the score, the band."""

    items: tuple[ItemLine, ...]
    assigned_units: float
    completed_units: float
    quantity_percent: float
    quality_percent: float
    timeliness_percent: float
    # Percentage points the deductions actually cost the criterion (completed work above
    # 100 % may absorb some of the items' deductions; never more than the criterion holds).
    quality_deduction: float
    timeliness_deduction: float
    unit_percent: float | None  # leaders only
    organisation_percent: float | None
    results_points: float
    results_max: float
    general_points: float
    general_max: float
    score: float
    level: Level  # the band the score earns

    @property
    def no_work_assigned(self) -> bool:
        return self.assigned_units == 0


def _deduction(points: float, count: int, waived: bool, share: float) -> float:
    return 0.0 if waived else min(points, points * share * max(0, count))


def _outcome_label(confirmed: bool, count: int, waived: bool, ok: str, bad: str) -> str:
    if not confirmed:
        return "pending"
    if count <= 0:
        return ok
    return "waived" if waived else bad


def unit_percent(scoring: WorkScoring, subordinate_levels: Sequence[Level]) -> float:
    """Decree 335 art. 15: 100 % when every subordinate is C or better, else 50 % (policy)."""
    all_completed = all(level.rank >= Level.C.rank for level in subordinate_levels)
    share = scoring.unit_full_share if all_completed else scoring.unit_partial_share
    return 100 * share


def compute(scoring: WorkScoring, bands: ScoreBands, outcomes: Sequence[ItemOutcome],
            general: float, subordinate_levels: Sequence[Level] | None = None,
            organisation_percent: float | None = None) -> ScoreBreakdown:
    """The breakdown and score of one person's month or quarter (see the module docstring).

    ``subordinate_levels`` makes the person a leader (their unit's levels this period);
    ``organisation_percent`` (0–100) is the leader's ability to organise the unit's tasks,
    left out of the formula when not given.
    """
    if not 0 <= general <= scoring.general_points:
        raise ScoreOutOfRangeError(
            f"Điểm tiêu chí chung phải từ 0 đến {scoring.general_points:g}.",
            f"General-criteria points must be between 0 and {scoring.general_points:g}.")
    if organisation_percent is not None and not 0 <= organisation_percent <= 100:
        raise ScoreOutOfRangeError("Tỷ lệ tổ chức thực hiện nhiệm vụ phải từ 0 đến 100%.",
                                   "The organisation percentage must be between 0 and 100.")
    terms = 3.0
    unit = None if subordinate_levels is None else unit_percent(scoring, subordinate_levels)
    if unit is not None:
        terms += scoring.leader_unit_weight
    organisation = organisation_percent if subordinate_levels is not None else None
    if organisation is not None:
        terms += scoring.leader_organisation_weight
    per_point = scoring.results_points / (100 * terms)  # results points per percentage point

    assigned = sum(o.assigned_units for o in outcomes)
    lines = []
    for o in outcomes:
        share = 100 * o.completed_units / assigned if assigned else 0.0
        q_cut = _deduction(share, o.quality_failures, o.quality_waived, scoring.quality_deduction)
        t_cut = _deduction(share, o.delays, o.timeliness_waived, scoring.delay_deduction)
        lines.append(ItemLine(
            o.item_id, o.title, o.assigned_units, o.completed_units,
            _outcome_label(o.confirmed, o.quality_failures, o.quality_waived, "meets", "fails"),
            _outcome_label(o.confirmed, o.delays, o.timeliness_waived, "on_time", "late"),
            share, share, q_cut, share, t_cut,
            round(per_point * (3 * share - q_cut - t_cut), 4)))
    a = min(100.0, sum(line.quantity_percent for line in lines))
    b = min(100.0, sum(line.quality_percent - line.quality_deduction for line in lines))
    c = min(100.0, sum(line.timeliness_percent - line.timeliness_deduction for line in lines))
    weighted = a + b + c
    if unit is not None:
        weighted += scoring.leader_unit_weight * unit
    if organisation is not None:
        weighted += scoring.leader_organisation_weight * organisation
    results = round(per_point * weighted, 2)
    score = round(min(100.0, general + results), 2)
    return ScoreBreakdown(
        items=tuple(lines), assigned_units=assigned,
        completed_units=sum(o.completed_units for o in outcomes),
        quantity_percent=round(a, 2), quality_percent=round(b, 2), timeliness_percent=round(c, 2),
        quality_deduction=round(a - b, 2), timeliness_deduction=round(a - c, 2),
        unit_percent=unit, organisation_percent=organisation, results_points=results,
        results_max=scoring.results_points, general_points=general,
        general_max=scoring.general_points, score=score, level=bands.level_for(score))


def needs_reasons(decided: Level, breakdown: ScoreBreakdown) -> bool:
    """The decision is the leader's, but a level above what the computed score earns needs
    reasons and shows as such in the accountability record (issue 21, point 4)."""
    return decided.rank > breakdown.level.rank
