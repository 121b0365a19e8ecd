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
class _ByReviewer:
    """A step the reviewer (the caller's user id) takes on the appeal."""

    appeal_id: UUID
    reviewer: str


@dataclass(frozen=True)
class _ByAppellant:
    """A step the appellant (the caller's user id: the rated person) takes on the appeal."""

    appeal_id: UUID
    appellant: str


@dataclass(frozen=True)
class AssignAppeal(_ByReviewer):
    reviewer_tenant: str = ""  # the parent tenant, when the level above sits there


@dataclass(frozen=True)
class AcceptAppeal(_ByReviewer):
    """The reviewer takes the appeal up."""


@dataclass(frozen=True)
class RequestAppealInformation(_ByReviewer):
    question: str


@dataclass(frozen=True)
class ProvideAppealInformation(_ByAppellant):
    information: str


@dataclass(frozen=True)
class WithdrawAppeal(_ByAppellant):
    reason: str = ""


@dataclass(frozen=True)
class DecideAppeal(_ByReviewer):
    outcome: Outcome
    reasons: str
    level: Level | None = None
    score: float | None = None


@dataclass(frozen=True)
class EscalateAppeal(_ByAppellant):
    grounds: str
