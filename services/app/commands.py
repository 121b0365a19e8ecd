"""Commands: what a user asks the system to do (imperative names, frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.ids import PeriodId, StaffId, UnitId
from domain.levels import Level


@dataclass(frozen=True)
class RegisterUnit:
    unit_id: UnitId
    name: str
    kind: str
    parent_id: UnitId | None = None


@dataclass(frozen=True)
class RegisterStaff:
    staff_id: StaffId
    full_name: str
    staff_type: str
    position: str
    unit_id: UnitId
    party_member: bool = False
    peer_group: str = ""
    party_cell: str = ""
    start_date: date | None = None


@dataclass(frozen=True)
class AppointLeader:
    unit_id: UnitId
    staff_id: StaffId


@dataclass(frozen=True)
class OpenPeriod:
    unit_id: UnitId
    year: int
    month: int  # the number of the period in its year: month, quarter (1–4), or 1 for a year
    deadline: date | None = None
    kind: str = "monthly"  # monthly | quarterly | annual


@dataclass(frozen=True)
class SubmitSelfAssessment:
    period_id: PeriodId
    staff_id: StaffId
    score: float | None
    tasks: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    criteria: dict[str, float] | None = None  # points per criterion key
    expected_version: int | None = None  # the evaluation's version the editor read


@dataclass(frozen=True)
class DecideRating:
    period_id: PeriodId
    staff_id: StaffId
    level: Level
    score: float
    reasons: str
    decider: str  # the user id of the leader deciding
    authority: str = ""  # căn cứ thẩm quyền (e.g. the delegation decision)
    expected_version: int | None = None  # the evaluation's version the decider read


@dataclass(frozen=True)
class RatingDecision:
    """One line of a unit's board decided at once (see ``DecideRatings``)."""

    staff_id: StaffId
    level: Level
    score: float
    reasons: str = ""
    expected_version: int | None = None


@dataclass(frozen=True)
class DecideRatings:
    """The competent leader decides a whole board of one period in one act: all or none."""

    period_id: PeriodId
    decisions: tuple[RatingDecision, ...]
    decider: str
    authority: str = ""


@dataclass(frozen=True)
class ClosePeriod:
    period_id: PeriodId


@dataclass(frozen=True)
class AdoptPolicy:
    cycle: str  # monthly | quarterly | annual
    preset: str  # a key of domain.policy.PRESETS
    reasons: str = ""


@dataclass(frozen=True)
class AdjustPolicy:
    cycle: str
    changes: dict[str, Any]  # fields of the policy, in its stored shape
    reasons: str


@dataclass(frozen=True)
class UpdateStaffProfile:
    staff_id: StaffId
    staff_type: str | None = None
    position: str | None = None
    peer_group: str | None = None
    party_member: bool | None = None
    party_cell: str | None = None
    start_date: date | None = None


@dataclass(frozen=True)
class RecordAbsence:
    staff_id: StaffId
    start: date
    end: date
    maternity: bool = False
    reason: str = ""


@dataclass(frozen=True)
class RecordDiscipline:
    staff_id: StaffId
    decided_on: date
    form: str  # khiển trách, cảnh cáo, cách chức, …
    reference: str = ""


@dataclass(frozen=True)
class FlagOutstandingUnit:
    unit_id: UnitId
    year: int
    outstanding: bool = True
    reasons: str = ""


@dataclass(frozen=True)
class AttachOpinion:
    period_id: PeriodId
    staff_id: StaffId
    source: str  # colleague | party_cell | citizens
    author: str
    text: str
    satisfaction: float | None = None


@dataclass(frozen=True)
class ProposeRating:
    period_id: PeriodId
    staff_id: StaffId
    level: Level
    score: float
    strengths: str
    shortcomings: str
    proposer: str
    expected_version: int | None = None  # the evaluation's version the proposer read


@dataclass(frozen=True)
class GrantQuotaException:
    period_id: PeriodId
    level: Level
    extra: int
    reasons: str
    granter: str  # must lead the parent unit (the competent higher level)
    peer_group: str | None = None  # None: the unit-wide quota


@dataclass(frozen=True)
class PublishPeriod:
    period_id: PeriodId


@dataclass(frozen=True)
class DecidePartyRating:
    period_id: PeriodId
    staff_id: StaffId
    level: Level
    score: float
    reasons: str
    decider: str
    authority: str = ""


@dataclass(frozen=True)
class ProposeRollups:
    """Compute quarterly/annual proposals from the monthly results, by the policy's method."""

    period_id: PeriodId
    proposer: str


@dataclass(frozen=True)
class TransferStaff:
    staff_id: StaffId
    to_unit: UnitId
    reasons: str


@dataclass(frozen=True)
class OpenCollectiveRound:
    """Open the year's round of collectives: every unit below the top, in the policy's order."""

    year: int


@dataclass(frozen=True)
class RateCollective:
    unit_id: UnitId
    year: int
    level: Level
    score: float
    reasons: str
    decider: str  # the head of the unit above
