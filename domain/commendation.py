"""Commendation proposals (đề nghị khen thưởng): who meets the tenant's rules, proposed by
the HR office, approved or returned by the head.

Seed 000 and Decree 335/2025 make the monthly and annual results the basis of commendation.
The rules (``CommendationRules``) say which results qualify; they are part of the tenant's
versioned policy (``Policy.commendation``, set by ``adjustPolicy``): the quarterly rule in the
monthly policy (it reads monthly ratings), the yearly ones in the annual policy. A proposal
records the version of the policy whose rules it met.

- ``quarter_months_at_a``: "Hoàn thành xuất sắc nhiệm vụ" (A) in at least this many of a
  quarter's three months (3 by default: every month; 0: no quarterly proposals);
- ``year_at_a``: A as the annual rating (a person);
- ``collectives``: A as a collective's rating for the year.

One ``Commendation`` per nominee and basis (its id says both, so proposing the same person
twice for the same quarter is refused). Its evidence is the results it rests on, copied
when proposed; the head's decision is a later event, never an edit. Reasons are personal
text about the nominee: sealed with their key (domain/personal_data.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.actor import TenantAggregate
from domain.errors import AlreadyDecidedError, DomainError
from domain.levels import Level

COMMENDATION_NAMESPACE = uuid5(NAMESPACE_URL, "urn:congtam:commendation")
PERSON, COLLECTIVE = "person", "collective"


class SelfApprovalError(DomainError):
    code = "SELF_APPROVAL"


class NotEligibleError(DomainError):
    code = "NOT_ELIGIBLE"


class InvalidCommendationRuleError(DomainError):
    """A tenant's commendation rules naming an unknown item or out of their range."""

    code = "INVALID_COMMENDATION_RULE"


@dataclass(frozen=True)
class CommendationRules:
    """The tenant's rules, from its policy's ``commendation`` state; all on by default."""

    quarter_months_at_a: int = 3
    year_at_a: bool = True
    collectives: bool = True

    @classmethod
    def from_state(cls, state: Mapping[str, object] | None) -> CommendationRules:
        """The rules a policy version holds (none: the defaults). Lenient, as a version
        already in the log must always read back; ``check`` refuses a bad one when set."""
        if not state:
            return cls()
        known = {k: v for k, v in state.items() if k in cls.__dataclass_fields__}
        return cls(**known)  # type: ignore[arg-type]

    def to_state(self) -> dict[str, object]:
        return {"quarter_months_at_a": self.quarter_months_at_a, "year_at_a": self.year_at_a,
                "collectives": self.collectives}

    @staticmethod
    def check(state: Mapping[str, object] | None) -> None:
        """Refuse rules a policy version may not hold, naming what is wrong."""
        if state is None:
            return
        unknown = sorted(set(state) - set(CommendationRules.__dataclass_fields__))
        if unknown:
            raise InvalidCommendationRuleError(
                f"Quy tắc khen thưởng không có mục {', '.join(unknown)}.",
                f"Commendation rules have no item {', '.join(unknown)}.")
        months = state.get("quarter_months_at_a", 3)
        if isinstance(months, bool) or not isinstance(months, int) or not 0 <= months <= 3:
            raise InvalidCommendationRuleError(
                "Số tháng đạt loại A trong quý phải từ 0 đến 3.",
                "The months at A in a quarter must be 0 to 3.")
        for flag in ("year_at_a", "collectives"):
            if not isinstance(state.get(flag, True), bool):
                raise InvalidCommendationRuleError(
                    f"Quy tắc khen thưởng '{flag}' phải là có hoặc không.",
                    f"The commendation rule '{flag}' must be true or false.")


def rules_cycle(quarter: int | None) -> str:
    """The policy cycle holding the rules of a basis: the ratings it rests on."""
    return "monthly" if quarter else "annual"


def quarter_basis(year: int, quarter: int) -> str:
    return f"quarter_all_a:{year}-Q{quarter}"


def year_basis(year: int) -> str:
    return f"year_excellent:{year}"


def quarter_months(quarter: int) -> tuple[int, int, int]:
    first = 3 * quarter - 2
    return first, first + 1, first + 2


def meets_quarter(levels_by_month: Mapping[int, Level | None], quarter: int) -> bool:
    """A in each of the quarter's three months (a month not rated does not count as A)."""
    return all(levels_by_month.get(m) == Level.A for m in quarter_months(quarter))


def meets_year(annual: Level | None) -> bool:
    return annual == Level.A


def commendation_id(basis: str, nominee_id: UUID) -> UUID:
    return uuid5(COMMENDATION_NAMESPACE, f"{basis}/{nominee_id}")


class Commendation(TenantAggregate):
    """One nominee proposed for commendation on one basis."""

    @staticmethod
    def create_id(basis: str, staff_id: UUID, **_: object) -> UUID:
        return commendation_id(basis, staff_id)

    # ``staff_id`` is the nominee: a staff member, or for a collective its unit. It is named
    # as every person-owned aggregate's first event names its owner, where the sealing keys
    # look for it (services/store/personal_keys.py).
    @event("Proposed")
    def __init__(self, basis: str, staff_id: UUID, nominee_kind: str,
                 evidence: Sequence[str], reasons: str, proposed_by: str,
                 policy_version: str = "") -> None:
        if nominee_kind not in (PERSON, COLLECTIVE):
            raise NotEligibleError(f"Loại đối tượng '{nominee_kind}' không hợp lệ.",
                                   f"Unknown nominee kind '{nominee_kind}'.")
        if not evidence:
            raise NotEligibleError("Đề nghị khen thưởng phải dựa trên kết quả đánh giá.",
                                   "A proposal must rest on rating results.")
        self.basis = basis
        self.nominee_id = staff_id
        self.nominee_kind = nominee_kind
        self.evidence = list(evidence)
        self.reasons = reasons
        self.proposed_by = proposed_by
        self.policy_version = policy_version  # whose rules it met ("" before they were)
        self.status = "proposed"
        self.decided_reasons = ""

    def decide(self, approve: bool, reasons: str, by: str) -> None:
        """The head approves or returns the proposal, once; never their own proposal."""
        if self.status != "proposed":
            raise AlreadyDecidedError("Đề nghị này đã được quyết định.",
                                      "This proposal has already been decided.")
        if by == self.proposed_by:
            raise SelfApprovalError("Người đề nghị không tự phê duyệt đề nghị của mình.",
                                    "The proposer cannot approve their own proposal.")
        if approve:
            self._approved(reasons)
        else:
            self._returned(reasons)

    @event("Approved")
    def _approved(self, reasons: str) -> None:
        self.status = "approved"
        self.decided_reasons = reasons

    @event("Returned")
    def _returned(self, reasons: str) -> None:
        self.status = "returned"
        self.decided_reasons = reasons
