"""Who is rated, and how, per staff type — the eligibility rules as policy, not code.

``domain.eligibility.assess`` hard-codes Decree 90/2020 art. 2 and Decree 48/2023 for
everyone; it stays as it is for the periods and services that call it. Here the same rules
are values (``StaffTypeRules``), one per staff type, so that from 2026:

- công chức follow Decree 335/2025: people on sick or maternity leave are rated on the time
  actually worked (art. 21 — a period spent wholly on leave is not rated, the others are
  rated on their own work, nothing is capped); discipline forces D only for a violation tied
  to official duties (art. 20.4), and one discipline decision serves one D only (Decree
  48/2023, as summarised in the press: "not counted again").
- cán bộ and viên chức keep Decree 90/2020 art. 2 and Decree 48/2023 until replaced:
  under 6 months worked → not rated (maternity leave counts as worked); absent 3 to under 6
  months → at most C; discipline in the year → D.
- Party members (Quy định 366-QĐ/TW, 2025) add conditions beyond the score, applied by
  ``domain.work_score.party_cap``.

Months are counted in days as in ``domain.eligibility`` (6 months = 183, 3 months = 91).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from domain.eligibility import SIX_MONTHS_DAYS, THREE_MONTHS_DAYS, Eligibility
from domain.levels import Level

SELF_SCORED = "self_scored"  # today's criteria self-score (domain.scoring)
WORK_OUTPUTS = "work_outputs"  # computed from assigned and confirmed work (domain.work_score)
SCORE_METHODS = (SELF_SCORED, WORK_OUTPUTS)
PARTY_MEMBER = "party_member"  # the Party-member rating, keyed beside the staff types


@dataclass(frozen=True)
class StaffTypeRules:
    """How one staff type is scored and who of them is rated. Defaults = Decree 90/2020."""

    key: str
    basis_vi: str = "Nghị định 90/2020/NĐ-CP, Nghị định 48/2023/NĐ-CP"
    score_method: str = SELF_SCORED
    min_worked_days: int | None = SIX_MONTHS_DAYS  # annual: fewer worked → not rated
    absence_cap_days: int | None = THREE_MONTHS_DAYS  # annual: this much away → capped
    absence_cap_level: str = Level.C.value
    rated_on_time_worked: bool = False  # Decree 335 art. 21
    discipline_level: str = Level.D.value
    discipline_duty_only: bool = False  # Decree 335 art. 20.4
    discipline_counted_once: bool = False  # Decree 48/2023
    party_conditions: bool = False  # Quy định 366-QĐ/TW: on time, share exceeding
    party_a_exceeding_share: float = 0.30

    def to_state(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> StaffTypeRules:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in state.items() if k in known})


def decree_90(key: str) -> StaffTypeRules:
    """Cán bộ, viên chức (and everyone before 2026): Decree 90/2020 art. 2, Decree 48/2023."""
    return StaffTypeRules(key=key)


def decree_335(key: str) -> StaffTypeRules:
    """Công chức from 1 January 2026: Decree 335/2025 art. 13–15, 20.4, 21."""
    return StaffTypeRules(
        key=key, basis_vi="Nghị định 335/2025/NĐ-CP", score_method=WORK_OUTPUTS,
        min_worked_days=None, absence_cap_days=None, rated_on_time_worked=True,
        discipline_duty_only=True, discipline_counted_once=True)


def party_366() -> StaffTypeRules:
    """Đảng viên: Quy định 366-QĐ/TW (2025), replacing Quy định 124/2023; the Party rating is
    bounded by the official one (``Evaluation.decide_party``)."""
    return StaffTypeRules(
        key=PARTY_MEMBER, basis_vi="Quy định 366-QĐ/TW (2025)", score_method=WORK_OUTPUTS,
        discipline_duty_only=False, party_conditions=True)


@dataclass(frozen=True)
class Discipline:
    """A discipline decision as the rules need it. ``tied_to_duties`` unknown counts as tied
    (the stricter reading, and today's behaviour); ``used_in_year`` is the year whose rating
    it already made D, if any."""

    decided_on: date
    form: str
    tied_to_duties: bool = True
    used_in_year: int | None = None


@dataclass(frozen=True)
class WorkHistory:
    """What eligibility depends on: start date, absences (start, end, maternity), discipline."""

    start_date: date | None = None
    absences: tuple[tuple[date, date, bool], ...] = ()
    disciplines: tuple[Discipline, ...] = ()


@dataclass(frozen=True)
class StaffAssessment:
    eligibility: Eligibility
    worked_days: int  # days at work in the period (leave of any kind excluded)
    period_days: int  # days employed in the period


def _overlap(a: date, b: date, start: date, end: date) -> int:
    lo, hi = max(a, start), min(b, end)
    return max(0, (hi - lo).days + 1)


def _disciplined(rules: StaffTypeRules, history: WorkHistory, start: date, end: date) -> bool:
    for d in history.disciplines:
        if not start <= d.decided_on <= end:
            continue
        if rules.discipline_duty_only and not d.tied_to_duties:
            continue
        if rules.discipline_counted_once and d.used_in_year not in (None, end.year):
            continue
        return True
    return False


def assess(rules: StaffTypeRules, history: WorkHistory, start: date, end: date,
           annual: bool) -> StaffAssessment:
    """Eligibility of one person for the period ``start``–``end`` under ``rules``.

    With ``decree_90`` rules this gives exactly what ``domain.eligibility.assess`` gives
    (a test holds them equal); with ``decree_335`` rules leave never excludes or caps, and
    a period with no day at work is not rated (art. 21: rated on time actually worked).
    """
    if history.start_date is not None and history.start_date > end:
        return StaffAssessment(Eligibility(False, why_vi="chưa công tác trong kỳ này",
                                           why_en="had not started work in this period"), 0, 0)
    first = max(start, history.start_date) if history.start_date else start
    employed = (end - first).days + 1
    away_any = sum(_overlap(a, b, first, end) for a, b, _ in history.absences)
    away = sum(_overlap(a, b, start, end) for a, b, maternity in history.absences
               if not maternity)
    at_work = max(0, employed - away_any)
    if rules.rated_on_time_worked and at_work == 0:
        return StaffAssessment(Eligibility(False, why_vi="nghỉ cả kỳ, không có thời gian công tác",
                                           why_en="on leave for the whole period"), 0, employed)
    if not annual:
        return StaffAssessment(Eligibility(True), at_work, employed)
    worked = employed - away
    if rules.min_worked_days is not None and worked < rules.min_worked_days:
        return StaffAssessment(Eligibility(
            False, why_vi=f"chỉ công tác {worked} ngày trong năm (dưới 6 tháng)",
            why_en=f"worked only {worked} days in the year (under 6 months)"), at_work, employed)
    if _disciplined(rules, history, start, end):
        return StaffAssessment(Eligibility(
            True, forced=Level(rules.discipline_level), why_vi="bị kỷ luật trong năm",
            why_en="disciplined during the year"), at_work, employed)
    if rules.absence_cap_days is not None and \
            rules.absence_cap_days <= away < (rules.min_worked_days or SIX_MONTHS_DAYS):
        return StaffAssessment(Eligibility(
            True, cap=Level(rules.absence_cap_level),
            why_vi=f"nghỉ {away} ngày (từ 3 đến dưới 6 tháng)",
            why_en=f"absent {away} days (3 to under 6 months)"), at_work, employed)
    return StaffAssessment(Eligibility(True), at_work, employed)
