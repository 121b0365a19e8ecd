"""Conditions beyond the score for a Party member's rating (Quy định 366-QĐ/TW, 2025).

The press summaries of Quy định 366 (which replaced Quy định 124/2023; article numbers
unconfirmed): to be rated "excellent" (A) a member must, besides the score, have done every
task on time with at least 30 % of them exceeding requirements; to be rated "good" (B),
every task on time. So the level a member's work allows is capped:

- some task not done, or late without an accepted objective cause → at most C;
- all on time but fewer than ``party_a_exceeding_share`` of tasks exceeding → at most B.

"Exceeding requirements" is read as a confirmed quantity above the expected one with the
quality met; shares are of the tasks assigned (count, not converted units — the text speaks
of tasks). A delay waived for an objective cause is not the member's delay.
The Party rating is also bounded by the official one (``Evaluation.decide_party``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.levels import Level
from domain.staff_rules import StaffTypeRules
from domain.work_score import ItemOutcome


@dataclass(frozen=True)
class PartyCap:
    cap: Level | None
    why_vi: str = ""
    why_en: str = ""


def _on_time(o: ItemOutcome) -> bool:
    done = o.confirmed and o.completed_quantity >= o.expected_quantity
    return done and (o.delays == 0 or o.timeliness_waived)


def _exceeds(o: ItemOutcome) -> bool:
    met = o.quality_failures == 0 or o.quality_waived
    return o.confirmed and met and o.completed_quantity > o.expected_quantity


def party_cap(rules: StaffTypeRules, outcomes: Sequence[ItemOutcome]) -> PartyCap:
    """The highest level the member's tasks allow under Quy định 366 (None: no cap)."""
    if not rules.party_conditions:
        return PartyCap(None)
    if not all(_on_time(o) for o in outcomes):
        return PartyCap(Level.C, "có nhiệm vụ chưa hoàn thành hoặc chậm tiến độ",
                        "some task was not done, or was late")
    exceeding = sum(1 for o in outcomes if _exceeds(o))
    if not outcomes or exceeding < rules.party_a_exceeding_share * len(outcomes) - 1e-9:
        return PartyCap(Level.B, f"chỉ {exceeding}/{len(outcomes)} nhiệm vụ vượt yêu cầu "
                        f"(cần từ {rules.party_a_exceeding_share:.0%})",
                        f"only {exceeding} of {len(outcomes)} tasks exceeded requirements "
                        f"({rules.party_a_exceeding_share:.0%} needed)")
    return PartyCap(None)


def allowed_level(earned: Level, cap: PartyCap) -> Level:
    """The level the score earns, lowered to the cap."""
    if cap.cap is not None and earned.rank > cap.cap.rank:
        return cap.cap
    return earned
