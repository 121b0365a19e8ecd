"""Commendation proposals (khen thưởng): HR proposes whoever meets the rules, the head
approves or returns each one (domain/commendation.py)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.commendation import Commendation, CommendationRules, commendation_id, rules_cycle
from domain.errors import NotFoundError, StaleVersionError
from services.app.handler_base import UnitOfWork


@dataclass(frozen=True)
class Nominee:
    nominee_id: UUID  # a staff member, or a unit rated as a collective
    kind: str  # "person" | "collective"
    evidence: tuple[str, ...]  # the results the proposal rests on, e.g. "2026-04: A"


@dataclass(frozen=True)
class ProposeCommendations:
    basis: str  # e.g. "quarter_all_a:2026-Q2"
    nominees: tuple[Nominee, ...]
    reasons: str
    proposed_by: str
    policy_version: str = ""  # the version whose rules chose the nominees ("": not checked)
    quarter: int | None = None  # which cycle's policy that is (None: the year's)


@dataclass(frozen=True)
class DecideCommendation:
    commendation_id: UUID
    approve: bool
    reasons: str
    decided_by: str


def commendation_rules(uow: UnitOfWork, quarter: int | None) -> tuple[str, CommendationRules]:
    """The policy version in force for a basis and the commendation rules it holds."""
    policy = uow.policy_for(rules_cycle(quarter))
    return policy.version, CommendationRules.from_state(policy.commendation)


def propose_commendations(uow: UnitOfWork, cmd: ProposeCommendations) -> tuple[int, int]:
    """Every nominee not yet proposed on this basis, in one save (all or none); a
    nominee already proposed is left as it is. Returns (position, how many proposed)."""
    def attempt() -> int:
        in_force = uow.policy_for(rules_cycle(cmd.quarter)).version
        if cmd.policy_version and cmd.policy_version != in_force:
            # The rules changed between the list and the proposal: list again.
            raise StaleVersionError(
                "Quy tắc khen thưởng vừa thay đổi; vui lòng lập lại danh sách.",
                "The commendation rules have just changed; please list again.")
        ids = [commendation_id(cmd.basis, n.nominee_id) for n in cmd.nominees]
        found = uow.app.get_many(ids)
        new = [Commendation(basis=cmd.basis, staff_id=n.nominee_id, nominee_kind=n.kind,
                            evidence=list(n.evidence), reasons=cmd.reasons,
                            proposed_by=cmd.proposed_by, policy_version=in_force)
               for n, i in zip(cmd.nominees, ids, strict=True) if i not in found]
        counted.append(len(new))
        if not new:
            return 0
        uow.app.prepare_to_seal([c.nominee_id for c in new])
        return uow._save(*new)
    counted: list[int] = []
    position = uow._retrying(attempt)
    return position, counted[-1]


def decide_commendation(uow: UnitOfWork, cmd: DecideCommendation) -> int:
    def attempt() -> int:
        found = uow._find(Commendation, cmd.commendation_id)
        if found is None:
            raise NotFoundError("Không tìm thấy đề nghị khen thưởng.",
                                "Commendation proposal not found.")
        found.decide(cmd.approve, cmd.reasons, cmd.decided_by)
        return uow._save(found)
    return uow._retrying(attempt)
