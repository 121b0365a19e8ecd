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


@dataclass(frozen=True)
class AppointLeader:
    unit_id: UnitId
    staff_id: StaffId


@dataclass(frozen=True)
class OpenPeriod:
    unit_id: UnitId
    year: int
    month: int
    deadline: date | None = None


@dataclass(frozen=True)
class SubmitSelfAssessment:
    period_id: PeriodId
    staff_id: StaffId
    score: float
    tasks: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class DecideRating:
    period_id: PeriodId
    staff_id: StaffId
    level: Level
    score: float
    reasons: str
    decider: str  # the user id of the leader deciding


@dataclass(frozen=True)
class ClosePeriod:
    period_id: PeriodId
