"""The four rating levels and the 100-point score bands.

Decree 335/2025 art. 20, Party Reg. 366/2025, Hanoi 3814/2018: bands ≥90 excellent,
≥70 good, ≥50 completed, otherwise not completed. The bands are policy defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    A = "A"  # Hoàn thành xuất sắc nhiệm vụ
    B = "B"  # Hoàn thành tốt nhiệm vụ
    C = "C"  # Hoàn thành nhiệm vụ
    D = "D"  # Không hoàn thành nhiệm vụ

    @property
    def label_vi(self) -> str:
        return _LABELS_VI[self]

    @property
    def rank(self) -> int:
        """A=3 … D=0, so that "departs by a level or more" is a subtraction."""
        return 3 - "ABCD".index(self.value)


_LABELS_VI = {
    Level.A: "Hoàn thành xuất sắc nhiệm vụ",
    Level.B: "Hoàn thành tốt nhiệm vụ",
    Level.C: "Hoàn thành nhiệm vụ",
    Level.D: "Không hoàn thành nhiệm vụ",
}


@dataclass(frozen=True)
class ScoreBands:
    """Lower bounds (inclusive) of A, B and C on the 100-point scale."""

    excellent: float = 90
    good: float = 70
    completed: float = 50

    def level_for(self, score: float) -> Level:
        if score >= self.excellent:
            return Level.A
        if score >= self.good:
            return Level.B
        if score >= self.completed:
            return Level.C
        return Level.D
