"""Evaluation policy: the rules a tenant judges by, versioned.

Every period records the policy it was opened under, and every decision the version it
was judged by, so a replay of 2019 judges 2019 decisions by 2019 rules (domain: "Policies
change … a policy is versioned"). Presets follow the public texts; a tenant may adjust.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from domain.levels import ScoreBands


@dataclass(frozen=True)
class Policy:
    version: str
    name: str
    bands: ScoreBands = field(default_factory=ScoreBands)
    # Share of those to be rated that may be rated A (Hanoi 3814-QĐ/TU: A ≤ 30% monthly).
    excellent_share: float = 0.30
    # Days after the period ends by which staff should have self-assessed.
    self_assessment_days: int = 5
    # Appeals (khiếu nại) — unconfirmed in the public texts, hence policy, in calendar days:
    # how long after a decision the person may appeal (and escalate after a first-instance
    # outcome), and how long each instance may take before it shows as overdue.
    appeal_window_days: int = 10
    appeal_first_instance_days: int = 15
    appeal_second_instance_days: int = 30

    def excellent_cap(self, rated: int) -> int:
        """How many A ratings a period with ``rated`` people may hold (rounded down)."""
        return int(rated * self.excellent_share + 1e-9)

    def to_state(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Policy:
        data = dict(state)
        data["bands"] = ScoreBands(**data["bands"])
        return cls(**data)


HANOI_MONTHLY_2018 = Policy(
    version="hn-monthly-2018.1",
    name="Hà Nội — đánh giá hằng tháng (QĐ 3814-QĐ/TU, 2018)",
    excellent_share=0.30,
)
