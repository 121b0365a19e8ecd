"""Commands: what a user asks the system to do (imperative names, frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.ids import PeriodId, StaffId, UnitId
from domain.levels import Level


@dataclass(frozen=True)
class _OfUnit:
    unit_id: UnitId


@dataclass(frozen=True)
class _OfUnitYear(_OfUnit):
    """A unit in one year: what the yearly commands on a unit name first."""

    year: int


@dataclass(frozen=True)
class RegisterUnit(_OfUnit):
    name: str
    kind: str
    parent_id: UnitId | None = None


@dataclass(frozen=True)
class StaffRecord:
    """Who a person is and where they serve: what a staff record opens with."""

    staff_id: StaffId
    full_name: str
    staff_type: str
    position: str
    unit_id: UnitId


@dataclass(frozen=True)
class RegisterStaff(StaffRecord):
    party_member: bool = False
    peer_group: str = ""
    party_cell: str = ""
    start_date: date | None = None


@dataclass(frozen=True)
class AppointLeader(_OfUnit):
    staff_id: StaffId


@dataclass(frozen=True)
class OpenPeriod(_OfUnitYear):
    month: int  # the number of the period in its year: month, quarter (1–4), or 1 for a year
    deadline: date | None = None
    kind: str = "monthly"  # monthly | quarterly | annual


@dataclass(frozen=True)
class _OfPeriod:
    period_id: PeriodId


@dataclass(frozen=True)
class _OfEvaluation(_OfPeriod):
    """One person's evaluation in one period: what the evaluation commands name first."""

    staff_id: StaffId


@dataclass(frozen=True)
class _Rating(_OfEvaluation):
    level: Level
    score: float


@dataclass(frozen=True)
class _Decision(_Rating):
    """A leader's rating with its grounds, and the authority it is decided under."""

    reasons: str
    decider: str  # the user id of the leader deciding
    authority: str = ""  # căn cứ thẩm quyền (e.g. the delegation decision)


@dataclass(frozen=True)
class SubmitSelfAssessment(_OfEvaluation):
    score: float | None
    tasks: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    criteria: dict[str, float] | None = None  # points per criterion key
    expected_version: int | None = None  # the evaluation's version the editor read


@dataclass(frozen=True)
class DecideRating(_Decision):
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
class ClosePeriod(_OfPeriod):
    """Close the period (see ``domain.period``)."""


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
class FlagOutstandingUnit(_OfUnitYear):
    outstanding: bool = True
    reasons: str = ""


@dataclass(frozen=True)
class AttachOpinion(_OfEvaluation):
    source: str  # colleague | party_cell | citizens
    author: str
    text: str
    satisfaction: float | None = None


@dataclass(frozen=True)
class ProposeRating(_Rating):
    strengths: str
    shortcomings: str
    proposer: str
    expected_version: int | None = None  # the evaluation's version the proposer read


@dataclass(frozen=True)
class GrantQuotaException(_OfPeriod):
    level: Level
    extra: int
    reasons: str
    granter: str  # must lead the parent unit (the competent higher level)
    peer_group: str | None = None  # None: the unit-wide quota


@dataclass(frozen=True)
class PublishPeriod(_OfPeriod):
    """Workflow step 6: post the decided results inside the unit."""


@dataclass(frozen=True)
class DecidePartyRating(_Decision):
    """The Party-member annual rating, after and within the official one."""


@dataclass(frozen=True)
class ProposeRollups(_OfPeriod):
    """Compute quarterly/annual proposals from the monthly results, by the policy's method."""

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
class RateCollective(_OfUnitYear):
    level: Level
    score: float
    reasons: str
    decider: str  # the head of the unit above
