"""One person's evaluation in one period (đánh giá, xếp loại): self-assessment, then decision.

A correction is a new event: resubmitting a self-assessment appends, it never edits.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.actor import TenantAggregate
from domain.errors import (
    AlreadyDecidedError,
    LevelScoreMismatchError,
    ReasonsRequiredError,
    ScoreOutOfRangeError,
)
from domain.levels import Level
from domain.policy import Policy

OFFICIAL = "official"  # the rating as cadre/civil servant; Party rating is another subject


def check_score(score: float) -> None:
    """Scores are on the 100-point scale (Decree 335/2025 art. 20)."""
    if not 0 <= score <= 100:
        raise ScoreOutOfRangeError(
            f"Điểm {score:g} không hợp lệ: điểm phải từ 0 đến 100.",
            f"Score {score:g} is invalid: it must be between 0 and 100.",
        )


class Evaluation(TenantAggregate):
    @event("Started")
    def __init__(
        self,
        id: UUID,
        period_id: UUID,
        unit_id: UUID,
        staff_id: UUID,
        subject: str,
        kind: str,
        year: int,
        number: int,
    ) -> None:
        # The period's coordinates travel with the evaluation: "March 2026" is part of it.
        self.period_id = period_id
        self.unit_id = unit_id
        self.staff_id = staff_id
        self.subject = subject
        self.self_score: float | None = None
        self.self_level: str | None = None
        self.level: str | None = None
        self.score: float | None = None

    def submit_self_assessment(
        self, score: float, tasks: list[dict[str, Any]], note: str, policy: Policy
    ) -> None:
        """Tự đánh giá: the person scores themselves; the level follows the policy's bands."""
        check_score(score)
        self._ensure_undecided()
        level = policy.bands.level_for(score)
        self._self_assessment_submitted(score, level.value, tasks, note)

    @event("SelfAssessmentSubmitted")
    def _self_assessment_submitted(
        self, score: float, level: str, tasks: list[dict[str, Any]], note: str
    ) -> None:
        self.self_score = score
        self.self_level = level

    def decide(self, level: Level, score: float, reasons: str, policy: Policy) -> None:
        """Quyết định xếp loại by the competent leader, judged by ``policy``.

        Rules: score on the 100-point scale; the level may not exceed the band the score
        earns; reasons are required when the decision departs from the self-assessment by
        a level or more; one decision per evaluation (changes go through appeal).
        """
        check_score(score)
        self._ensure_undecided()
        earned = policy.bands.level_for(score)
        if level.rank > earned.rank:
            raise LevelScoreMismatchError(
                f"Mức '{level.label_vi}' không phù hợp với số điểm {score:g} "
                f"(điểm này tương ứng mức '{earned.label_vi}').",
                f"Level {level.value} is higher than score {score:g} allows ({earned.value}).",
            )
        departs = self.self_level is not None and abs(Level(self.self_level).rank - level.rank) >= 1
        if departs and not reasons.strip():
            raise ReasonsRequiredError(
                "Cần nêu lý do khi quyết định khác với mức tự đánh giá.",
                "Reasons are required when the decision differs from the self-assessment.",
            )
        self._rating_decided(level.value, score, reasons, policy.version)

    @event("RatingDecided")
    def _rating_decided(self, level: str, score: float, reasons: str, policy_version: str) -> None:
        self.level = level
        self.score = score

    def _ensure_undecided(self) -> None:
        if self.level is not None:
            raise AlreadyDecidedError(
                "Đã có quyết định xếp loại cho kỳ này; muốn thay đổi phải qua khiếu nại.",
                "This evaluation is already decided; a change must go through an appeal.",
            )

    # Appeals (khiếu nại, workflow step 7) -----------------------------------

    def amend(self, level: Level, score: float, reasons: str, policy: Policy,
              appeal_id: UUID) -> None:
        """An appeal's outcome that changes the rating: a new decision citing the appeal,
        which supersedes the current one; the original stays in the history. Judged by the
        period's policy, like the decision it replaces; reasons are always required."""
        check_score(score)
        if self.level is None:
            raise AlreadyDecidedError(
                "Chưa có quyết định xếp loại nên không có gì để sửa đổi.",
                "There is no decision to amend yet.",
            )
        earned = policy.bands.level_for(score)
        if level.rank > earned.rank:
            raise LevelScoreMismatchError(
                f"Mức '{level.label_vi}' không phù hợp với số điểm {score:g}.",
                f"Level {level.value} is higher than score {score:g} allows ({earned.value}).",
            )
        if not reasons.strip():
            raise ReasonsRequiredError("Cần nêu lý do sửa đổi kết quả xếp loại.",
                                       "Reasons are required to amend a rating.")
        self._rating_amended(level.value, score, reasons, policy.version, appeal_id,
                             self.level, self.score)

    @event("RatingAmended")
    def _rating_amended(self, level: str, score: float, reasons: str, policy_version: str,
                        appeal_id: UUID, previous_level: str | None,
                        previous_score: float | None) -> None:
        self.level = level
        self.score = score
