"""The self-score, computed by the policy's criteria (tự chấm điểm theo tiêu chí).

Each criterion is scored up to its weight (20 discipline + 70 results + 10 bonus in Hanoi
3814; 30 general + 70 results nationally). When task results are given, the "results"
criterion is computed from them: each task counts equally; a task earns its quality share
of the points, and a task late or failed loses ``late_task_penalty`` of them (Decree 335:
25%). The total is capped at 100.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.errors import ValidationFailedError
from domain.policy import Policy

RESULTS = "results"


@dataclass(frozen=True)
class TaskResult:
    """One output item (sản phẩm/công việc): quantity, quality, timeliness, evidence."""

    title: str
    quantity: int | None = None
    quality: float | None = None  # share of the expected quality reached, 0–100 (%)
    on_time: bool | None = None
    evidence: str = ""

    def earned_share(self, late_penalty: float) -> float:
        quality = 1.0 if self.quality is None else self.quality / 100
        late = self.on_time is False
        return quality * (1 - late_penalty) if late else quality


def task_from_state(state: dict[str, Any]) -> TaskResult:
    quality = state.get("quality_percent")
    return TaskResult(title=str(state.get("title", "")), quantity=state.get("quantity"),
                      quality=float(quality) if quality is not None else None,
                      on_time=state.get("on_time"), evidence=str(state.get("evidence") or ""))


def results_points(policy: Policy, tasks: list[TaskResult]) -> float:
    weight = next((c.max_points for c in policy.criteria if c.key == RESULTS), 0.0)
    if not tasks:
        return 0.0
    share = sum(t.earned_share(policy.late_task_penalty) for t in tasks) / len(tasks)
    return weight * share


def self_score(policy: Policy, points: dict[str, float], tasks: list[TaskResult]) -> float:
    """The score the criteria give; ``points`` per criterion key, ``results`` from tasks
    unless given. Unknown criteria or points above a weight are refused."""
    known = {c.key: c for c in policy.criteria}
    for key, value in points.items():
        criterion = known.get(key)
        if criterion is None:
            raise ValidationFailedError(
                f"Tiêu chí '{key}' không có trong chính sách đánh giá đang áp dụng.",
                f"Criterion '{key}' is not in the policy in force.",
            )
        if not 0 <= value <= criterion.max_points:
            raise ValidationFailedError(
                f"Điểm tiêu chí '{criterion.label_vi}' phải từ 0 đến {criterion.max_points:g}.",
                f"Points for '{key}' must be between 0 and {criterion.max_points:g}.",
            )
    total = sum(points.values())
    if RESULTS not in points and RESULTS in known:
        total += results_points(policy, tasks)
    return round(min(100.0, total), 2)
