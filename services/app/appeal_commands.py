"""Appeal commands: what a person, a reviewer or the personnel body asks (imperative names)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.appeal import Outcome
from domain.levels import Level


@dataclass(frozen=True)
class FileAppeal:
    appeal_id: UUID
    evaluation_id: UUID
    appellant: str  # the caller's user id: must be the rated person
    grounds: str
    level_claimed: Level | None = None
    evidence: str = ""


@dataclass(frozen=True)
class AssignAppeal:
    appeal_id: UUID
    reviewer: str
    reviewer_tenant: str = ""  # the parent tenant, when the level above sits there


@dataclass(frozen=True)
class AcceptAppeal:
    appeal_id: UUID
    reviewer: str


@dataclass(frozen=True)
class RequestAppealInformation:
    appeal_id: UUID
    reviewer: str
    question: str


@dataclass(frozen=True)
class ProvideAppealInformation:
    appeal_id: UUID
    appellant: str
    information: str


@dataclass(frozen=True)
class WithdrawAppeal:
    appeal_id: UUID
    appellant: str
    reason: str = ""


@dataclass(frozen=True)
class DecideAppeal:
    appeal_id: UUID
    reviewer: str
    outcome: Outcome
    reasons: str
    level: Level | None = None
    score: float | None = None


@dataclass(frozen=True)
class EscalateAppeal:
    appeal_id: UUID
    appellant: str
    grounds: str
