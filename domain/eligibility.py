"""Who may be rated for a period, and at most how high (Decree 90/2020 art. 2; Decree 48/2023).

- Worked fewer than 6 months of the year → not rated (still self-reviews); maternity leave
  does not count as time away.
- Absent (other than maternity) from 3 to under 6 months → at most "completed" (C).
- Disciplined (reprimand or heavier) in the year → the annual rating is "not completed" (D).

Months are counted in days (6 months = 183 days, 3 months = 91 days), so the rule is exact
and replayable whatever the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.errors import EligibilityCapError, NotEligibleError
from domain.levels import Level
from domain.organisation import StaffMember

SIX_MONTHS_DAYS = 183
THREE_MONTHS_DAYS = 91


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    cap: Level | None = None  # the highest level allowed, if limited
    forced: Level | None = None  # the only level allowed (discipline)
    why_vi: str = ""
    why_en: str = ""


def _overlap(a: date, b: date, start: date, end: date) -> int:
    lo, hi = max(a, start), min(b, end)
    return max(0, (hi - lo).days + 1)


def assess(staff: StaffMember, start: date, end: date, annual: bool) -> Eligibility:
    """Eligibility of ``staff`` for the period ``start``–``end`` (inclusive)."""
    if staff.start_date is not None and staff.start_date > end:
        return Eligibility(False, why_vi="chưa công tác trong kỳ này",
                           why_en="had not started work in this period")
    if not annual:
        return Eligibility(True)
    first = max(start, staff.start_date) if staff.start_date else start
    employed = (end - first).days + 1
    away = sum(_overlap(a, b, start, end) for a, b, maternity in staff.absences if not maternity)
    worked = employed - away
    if worked < SIX_MONTHS_DAYS:
        return Eligibility(False, why_vi=f"chỉ công tác {worked} ngày trong năm (dưới 6 tháng)",
                           why_en=f"worked only {worked} days in the year (under 6 months)")
    if any(start <= decided_on <= end for decided_on, _ in staff.disciplines):
        return Eligibility(True, forced=Level.D, why_vi="bị kỷ luật trong năm",
                           why_en="disciplined during the year")
    if THREE_MONTHS_DAYS <= away < SIX_MONTHS_DAYS:
        return Eligibility(True, cap=Level.C, why_vi=f"nghỉ {away} ngày (từ 3 đến dưới 6 tháng)",
                           why_en=f"absent {away} days (3 to under 6 months)")
    return Eligibility(True)


def check(eligibility: Eligibility, level: Level) -> None:
    """Refuse a level the person's eligibility does not allow."""
    if not eligibility.eligible:
        raise NotEligibleError(
            f"Người này không thuộc diện đánh giá, xếp loại: {eligibility.why_vi}.",
            f"This person is not to be rated: {eligibility.why_en}.",
        )
    if eligibility.forced is not None and level is not eligibility.forced:
        raise EligibilityCapError(
            f"Người này {eligibility.why_vi} nên chỉ được xếp loại "
            f"'{eligibility.forced.label_vi}'.",
            f"This person was {eligibility.why_en}: the rating must be "
            f"{eligibility.forced.value}.",
        )
    if eligibility.cap is not None and level.rank > eligibility.cap.rank:
        raise EligibilityCapError(
            f"Người này {eligibility.why_vi} nên chỉ được xếp loại tối đa "
            f"'{eligibility.cap.label_vi}'.",
            f"This person was {eligibility.why_en}: at most {eligibility.cap.value}.",
        )
