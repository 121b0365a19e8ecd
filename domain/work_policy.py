"""The work-output part of a policy: how the score is computed from work, and rules per staff type.

It travels inside ``Policy.work`` (a state dict), so it is versioned, adopted, adjusted,
inherited from a province and copied into each period exactly like the rest of the policy,
and every decision records the version it was computed under. A policy without it (every
policy before 2026) scores everyone as today (``domain.scoring``) under Decree 90/2020.

Decree 335/2025 (art. 13–15, from the press summaries in ``shared/domain.md`` and the
national press of 25–26 December 2025; article numbers unconfirmed against the gazette):

- task results (70 points) = mean of three percentages over converted work in the month or
  quarter — quantity (completed ÷ assigned), quality (completed meeting requirements ÷
  assigned), timeliness (completed on time ÷ assigned); each failed quality assessment costs
  25 % of that item's quality points, each delay 25 % of its timeliness points, unless an
  objective cause is confirmed by the competent person;
- a leader's results add the unit's operating results (100 % when every civil servant under
  them scores "completed" or better, 50 % otherwise) and their ability to organise the
  unit's tasks. The press gives the leaders' formula only as an image; the weights are
  therefore policy (default: five equal terms, *unconfirmed*).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from domain.organisation import StaffType
from domain.staff_rules import (
    PARTY_MEMBER,
    SCORE_METHODS,
    StaffTypeRules,
    decree_90,
    decree_335,
    party_366,
)


@dataclass(frozen=True)
class WorkScoring:
    """Weights and deductions of the computed score (defaults: Decree 335/2025)."""

    general_points: float = 30  # tiêu chí chung, self-scored and confirmed as today
    results_points: float = 70  # kết quả thực hiện nhiệm vụ, computed
    quality_deduction: float = 0.25  # per failed quality assessment, of the item's points
    delay_deduction: float = 0.25  # per delay, of the item's timeliness points
    # Leaders: weights of the unit's results and of organising ability beside the three
    # personal criteria (each weighing 1). Unconfirmed: see the module's docstring.
    leader_unit_weight: float = 1.0
    leader_organisation_weight: float = 1.0
    unit_full_share: float = 1.0  # every subordinate "completed" or better
    unit_partial_share: float = 0.5  # otherwise


@dataclass(frozen=True)
class WorkPolicy:
    scoring: WorkScoring = field(default_factory=WorkScoring)
    rules: tuple[StaffTypeRules, ...] = ()

    def rules_for(self, key: str) -> StaffTypeRules:
        """The rules of a staff type (or ``PARTY_MEMBER``); unlisted types keep Decree 90."""
        for rule in self.rules:
            if rule.key == key:
                return rule
        return decree_90(key)

    def to_state(self) -> dict[str, Any]:
        return {"scoring": asdict(self.scoring), "rules": [r.to_state() for r in self.rules]}

    @classmethod
    def from_state(cls, state: dict[str, Any] | None) -> WorkPolicy:
        """Fields added later take their defaults, so older policy versions still load."""
        if not state:
            return LEGACY
        known = set(WorkScoring.__dataclass_fields__)
        scoring = WorkScoring(**{k: v for k, v in dict(state.get("scoring") or {}).items()
                                 if k in known})
        rules = tuple(StaffTypeRules.from_state(r) for r in state.get("rules") or ())
        return cls(scoring=scoring, rules=rules)

    def problems(self) -> list[tuple[str, str]]:
        """What makes this work policy unusable, as (vi, en) pairs; empty when valid."""
        s, found = self.scoring, []
        if abs(s.general_points + s.results_points - 100) > 1e-6 or \
                min(s.general_points, s.results_points) < 0:
            found.append(("điểm tiêu chí chung và kết quả nhiệm vụ phải cộng lại bằng 100",
                          "general and results points must add up to 100"))
        if not (0 <= s.quality_deduction <= 1 and 0 <= s.delay_deduction <= 1):
            found.append(("mức trừ mỗi lần không đạt/chậm phải từ 0 đến 100%",
                          "deductions per failure or delay must be between 0 and 1"))
        if min(s.leader_unit_weight, s.leader_organisation_weight) < 0 or \
                not 0 <= s.unit_partial_share <= s.unit_full_share <= 1:
            found.append(("trọng số và tỷ lệ kết quả đơn vị không hợp lệ",
                          "invalid leader weights or unit shares"))
        keys = [r.key for r in self.rules]
        if len(set(keys)) != len(keys) or any(r.score_method not in SCORE_METHODS
                                              for r in self.rules):
            found.append(("quy tắc theo loại cán bộ bị trùng hoặc sai phương pháp chấm",
                          "staff-type rules repeat a type or name an unknown method"))
        if any(not 0 <= r.party_a_exceeding_share <= 1 for r in self.rules):
            found.append(("tỷ lệ vượt yêu cầu phải từ 0 đến 100%",
                          "the share exceeding requirements must be between 0 and 1"))
        return found


# Before 2026 (and any policy without a work part): Decree 90/2020 for every staff type.
LEGACY = WorkPolicy()

# From 1 January 2026: công chức by work outputs (Decree 335/2025); cán bộ, viên chức and
# contract workers self-scored under Decree 90/2020 and 48/2023 until replaced; Party
# members under Quy định 366-QĐ/TW.
NATIONAL_2026 = WorkPolicy(rules=(
    decree_335(StaffType.CIVIL_SERVANT.value),
    decree_90(StaffType.CADRE.value),
    decree_90(StaffType.PUBLIC_EMPLOYEE.value),
    decree_90(StaffType.CONTRACT_WORKER.value),
    party_366(),
))

__all__ = ["LEGACY", "NATIONAL_2026", "PARTY_MEMBER", "WorkPolicy", "WorkScoring"]
