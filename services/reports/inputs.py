"""What each report is made from: plain data the caller fills from the read models.

Every report carries ``position``, the event-log position its data was read at, printed in
the footer so an auditor can rebuild the same document from the log (services/audit as_of).
Scores are on the 100-point scale; ``None`` means not given yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from domain.levels import Level
from domain.organisation import StaffType


@dataclass(frozen=True, kw_only=True)
class Signed:
    """What closes every list and report: who prepared it, the head who signs, where and
    when (named, so each report lists only its own fields)."""

    prepared_by: str = ""
    head_name: str = ""
    place: str = ""
    signed_on: date | None = None


@dataclass(frozen=True)
class UnitMonthRow:
    full_name: str
    position: str  # chức vụ
    self_score: float | None = None
    score: float | None = None
    level: Level | None = None
    self_level: Level | None = None
    reasons: str = ""  # the decider's; printed where the rating departs from the self-rating


@dataclass(frozen=True)
class UnitMonthReport(Signed):
    """Danh sách kết quả đánh giá, xếp loại hằng tháng của đơn vị (posted and filed)."""

    tenant_name: str
    unit_name: str
    year: int
    month: int
    position: int
    rows: tuple[UnitMonthRow, ...]


@dataclass(frozen=True)
class SelfAssessmentForm:
    """Phiếu đánh giá, xếp loại chất lượng năm (the national form of Decree 90/2020, amended
    by Decree 48/2023; Decree 335/2025 for civil servants from 2026): personal details, the
    self-assessment by criteria, task results, self-rating, the leader's comment and the
    competent level's decision."""

    tenant_name: str
    unit_name: str
    year: int
    position: int
    full_name: str
    job_title: str  # chức vụ, chức danh
    staff_type: StaffType
    political_qualities: str = ""  # chính trị tư tưởng
    ethics_lifestyle: str = ""  # đạo đức, lối sống
    working_style: str = ""  # tác phong, lề lối làm việc
    discipline: str = ""  # ý thức tổ chức kỷ luật
    task_results: str = ""  # kết quả thực hiện chức trách, nhiệm vụ được giao
    leadership_results: str = ""  # for heads: results of the unit they lead
    strengths: str = ""  # ưu điểm
    shortcomings: str = ""  # khuyết điểm, hạn chế
    self_score: float | None = None
    self_level: Level | None = None
    leader_comment: str = ""
    leader_name: str = ""
    decided_level: Level | None = None
    decided_score: float | None = None
    decision_reasons: str = ""
    place: str = ""
    signed_on: date | None = None
    # The criteria of the policy the year is rated under, with the person's own points
    # where they self-scored them: (label, maximum points, self points or None).
    criteria: tuple[tuple[str, float, float | None], ...] = ()
    policy_version: str = ""


@dataclass(frozen=True)
class UnitYearRow:
    full_name: str
    position: str
    monthly: Mapping[Level, int] = field(default_factory=dict)  # months rated at each level
    score: float | None = None
    level: Level | None = None
    note: str = ""


@dataclass(frozen=True)
class CollectiveRow:
    """A collective rated for the year: a Party organisation, a unit's leadership…"""

    name: str
    level: Level | None = None
    reasons: str = ""


@dataclass(frozen=True)
class UnitYearReport(Signed):
    """Danh sách kết quả đánh giá, xếp loại chất lượng năm of a unit, with its collectives."""

    tenant_name: str
    unit_name: str
    year: int
    position: int
    rows: tuple[UnitYearRow, ...]
    collectives: tuple[CollectiveRow, ...] = ()


@dataclass(frozen=True)
class UnitCompliance:
    """One unit's month, in counts: how many to rate, how far along, each level, and whether
    it missed the deadline."""

    unit_name: str
    staff: int
    self_assessed: int
    decided: int
    by_level: Mapping[Level, int] = field(default_factory=dict)
    late: bool = False


@dataclass(frozen=True)
class CommuneMonthReport(Signed):
    """Báo cáo tình hình đánh giá, xếp loại hằng tháng — a commune to the province's
    Department of Home Affairs (Sở Nội vụ)."""

    tenant_name: str  # "UBND xã …"
    recipient: str  # "Sở Nội vụ tỉnh …"
    year: int
    month: int
    position: int
    units: tuple[UnitCompliance, ...]
    unit_name: str = "Văn phòng HĐND và UBND"  # where a commune's HR work sits


@dataclass(frozen=True)
class CommuneCounts:
    """One commune in the province's roll-up: counts only, never people."""

    commune_name: str
    units: int
    staff: int
    decided: int
    by_level: Mapping[Level, int] = field(default_factory=dict)
    late_units: int = 0


@dataclass(frozen=True)
class ProvinceMonthRollup(Signed):
    tenant_name: str  # "UBND tỉnh …"
    unit_name: str  # "Sở Nội vụ"
    year: int
    month: int
    position: int
    communes: tuple[CommuneCounts, ...]


Report = (UnitMonthReport | SelfAssessmentForm | UnitYearReport | CommuneMonthReport
          | ProvinceMonthRollup)
