"""One person's evaluation in one period (đánh giá, xếp loại): self-assessment, then decision.

A correction is a new event: resubmitting a self-assessment appends, it never edits.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.actor import TenantAggregate
from domain.eligibility import Eligibility
from domain.eligibility import check as check_eligibility
from domain.errors import (
    AlreadyDecidedError,
    LevelScoreMismatchError,
    NotDecidedError,
    PartyRatingAboveOfficialError,
    ReasonsRequiredError,
    ScoreOutOfRangeError,
    SelfRatingError,
    StaleVersionError,
)
from domain.levels import Level
from domain.policy import Policy
from domain.scoring import self_score, task_from_state
from domain.work_score import ScoreBreakdown, needs_reasons

OFFICIAL = "official"  # the rating as cadre/civil servant; Party rating is another subject
PARTY = "party"  # the Party-member annual rating (Party Reg. 366/2025), judged after OFFICIAL


def check_score(score: float) -> None:
    """Scores are on the 100-point scale (Decree 335/2025 art. 20)."""
    if not 0 <= score <= 100:
        raise ScoreOutOfRangeError(
            f"Điểm {score:g} không hợp lệ: điểm phải từ 0 đến 100.",
            f"Score {score:g} is invalid: it must be between 0 and 100.",
        )


def _check_band(level: Level, score: float, policy: Policy) -> None:
    earned = policy.bands.level_for(score)
    if level.rank > earned.rank:
        raise LevelScoreMismatchError(
            f"Mức '{policy.label(level)}' không phù hợp với số điểm {score:g} "
            f"(điểm này tương ứng mức '{policy.label(earned)}').",
            f"Level {level.value} is higher than score {score:g} allows ({earned.value}).",
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
        self.proposed_level: str | None = None
        self.proposed_score: float | None = None
        self.opinions = 0
        self.self_criteria: dict[str, float] | None = None

    def ensure_version(self, expected: int | None) -> None:
        """Optimistic concurrency for edits of one evaluation: whoever edits it says which
        version they read; if someone else changed it since, the edit is refused and the
        editor reloads and retries (no silent last-writer-wins)."""
        if expected is not None and expected != self.version:
            raise StaleVersionError(
                f"Phiếu đánh giá vừa được người khác cập nhật (phiên bản {self.version}, bạn "
                f"đang xem phiên bản {expected}); vui lòng tải lại và thực hiện lại.",
                f"This evaluation was changed by someone else (now version {self.version}, "
                f"you read version {expected}); reload it and try again.",
            )

    def submit_self_assessment(
        self, score: float | None, tasks: list[dict[str, Any]], note: str, policy: Policy,
        criteria: dict[str, float] | None = None,
    ) -> None:
        """Tự đánh giá: the person scores themselves; the level follows the policy's bands.

        With points per criterion, the score is computed by the policy's criteria (and the
        results criterion from the task results); a score given as well must agree.
        """
        self._ensure_undecided()
        if criteria is not None:
            computed = self_score(policy, criteria, [task_from_state(t) for t in tasks])
            if score is not None and abs(score - computed) > 0.01:
                raise ScoreOutOfRangeError(
                    f"Điểm tự chấm {score:g} khác với điểm tính theo tiêu chí ({computed:g}).",
                    f"Self-score {score:g} differs from the criteria's total ({computed:g}).",
                )
            score = computed
        if score is None:
            raise ScoreOutOfRangeError(
                "Cần nhập điểm tự chấm hoặc điểm theo từng tiêu chí.",
                "Give a self-score or points per criterion.",
            )
        check_score(score)
        level = policy.bands.level_for(score)
        self._self_assessment_submitted(score, level.value, tasks, note, criteria)

    @event("SelfAssessmentSubmitted")
    def _self_assessment_submitted(
        self, score: float, level: str, tasks: list[dict[str, Any]], note: str,
        criteria: dict[str, float] | None = None,
    ) -> None:
        self.self_score = score
        self.self_level = level
        self.self_criteria = criteria

    def attach_opinion(self, source: str, author: str, text: str,
                       satisfaction: float | None) -> None:
        """Lấy ý kiến (colleague, Party cell, citizens' satisfaction): shown to the decider,
        never decisive alone — no rule reads it."""
        if source == "colleague" and author == str(self.staff_id):
            raise SelfRatingError(
                "Không thể tự góp ý kiến cho phiếu đánh giá của chính mình.",
                "No one may give an opinion on their own evaluation.",
            )
        if satisfaction is not None and not 0 <= satisfaction <= 100:
            raise ScoreOutOfRangeError(
                "Mức độ hài lòng phải từ 0 đến 100%.", "Satisfaction must be 0–100%.")
        self._opinion_attached(source, text, satisfaction)

    @event("OpinionAttached")
    def _opinion_attached(self, source: str, text: str, satisfaction: float | None) -> None:
        self.opinions += 1

    def propose(self, level: Level, score: float, strengths: str, shortcomings: str,
                policy: Policy, proposer: str) -> None:
        """Đề xuất (direct manager / personnel body): score, level, strengths, shortcomings."""
        check_score(score)
        self._ensure_undecided()
        if proposer == str(self.staff_id):
            raise SelfRatingError("Không ai được tự đề xuất xếp loại cho chính mình.",
                                  "No one may propose their own rating.")
        _check_band(level, score, policy)
        self._proposed(level.value, score, strengths, shortcomings)

    @event("Proposed")
    def _proposed(self, level: str, score: float, strengths: str, shortcomings: str) -> None:
        self.proposed_level = level
        self.proposed_score = score

    def decide(self, level: Level, score: float, reasons: str, policy: Policy,
               authority: str = "", eligibility: Eligibility | None = None) -> None:
        """Quyết định xếp loại by the competent leader, judged by ``policy``.

        Rules: score on the 100-point scale; the level may not exceed the band the score
        earns; eligibility (Decree 90/2020 art. 2, discipline); reasons are required when the
        decision departs from the proposal or the self-assessment by a level or more; one
        decision per evaluation (changes go through appeal). The authority basis and the
        policy version are recorded with it.
        """
        check_score(score)
        self._ensure_undecided()
        if eligibility is not None:
            check_eligibility(eligibility, level)
        _check_band(level, score, policy)
        self._check_departure(level, reasons, policy)
        self._rating_decided(level.value, score, reasons, policy.version, authority)

    def _check_departure(self, level: Level, reasons: str, policy: Policy) -> None:
        """Reasons are required when the decision departs from the self-assessment or the
        proposal."""
        for basis, vi, en in ((self.self_level, "mức tự đánh giá", "the self-assessment"),
                              (self.proposed_level, "mức đề xuất", "the proposal")):
            if basis is not None and Level(basis) is not level and not reasons.strip():
                raise ReasonsRequiredError(
                    f"Cần nêu lý do khi quyết định khác với {vi} "
                    f"('{policy.label(Level(basis))}').",
                    f"Reasons are required when the decision differs from {en} ({basis}).")

    @event("RatingDecided")
    def _rating_decided(self, level: str, score: float, reasons: str, policy_version: str,
                        authority: str = "") -> None:
        self.level = level
        self.score = score

    def general_points(self, general_max: float) -> float:
        """The general criteria (tiêu chí chung) as self-scored: the ``general`` criterion's
        points, else the self-score scaled to the general part (a plain self-score)."""
        if self.self_criteria and "general" in self.self_criteria:
            return min(general_max, max(0.0, float(self.self_criteria["general"])))
        if self.self_score is not None:
            return round(general_max * self.self_score / 100, 2)
        return 0.0

    def decide_from_work(self, level: Level, breakdown: ScoreBreakdown, reasons: str,
                         policy: Policy, catalogue_versions: list[str], authority: str = "",
                         eligibility: Eligibility | None = None) -> None:
        """Quyết định xếp loại of a person scored by work outputs (Decree 335/2025 art.
        13–15, 20): the score is the computed one (general criteria + task results from
        confirmed work), never typed. The level is the leader's, but one above what the
        computed score earns needs reasons (issue 21): the computation, the catalogue
        versions and whether the decision went above it are recorded before the decision.
        """
        self._ensure_undecided()
        if eligibility is not None:
            check_eligibility(eligibility, level)
        above = needs_reasons(level, breakdown)
        if above and not reasons.strip():
            raise ReasonsRequiredError(
                f"Điểm tính từ kết quả công việc là {breakdown.score:g} (mức "
                f"'{policy.label(breakdown.level)}'); quyết định mức cao hơn phải nêu lý do.",
                f"The score computed from work is {breakdown.score:g} ({breakdown.level.value});"
                " a higher level needs reasons.")
        self._check_departure(level, reasons, policy)
        b = breakdown
        self._work_score_computed(
            b.assigned_units, b.completed_units, b.quantity_percent, b.quality_percent,
            b.timeliness_percent, b.unit_percent, b.results_points, b.general_points, b.score,
            b.level.value, level.value, above, sorted(set(catalogue_versions)), policy.version)
        self._rating_decided(level.value, b.score, reasons, policy.version, authority)

    @event("WorkScoreComputed")
    def _work_score_computed(self, assigned_units: float, completed_units: float,
                             quantity_percent: float, quality_percent: float,
                             timeliness_percent: float, unit_percent: float | None,
                             results_points: float, general_points: float, score: float,
                             earned_level: str, decided_level: str, above_computed: bool,
                             catalogue_versions: list[str], policy_version: str) -> None:
        self.computed_score = score

    def decide_party(self, level: Level, score: float, reasons: str, policy: Policy,
                     official_level: str | None, authority: str = "") -> None:
        """The Party-member rating: after the official rating, and never "excellent" unless
        the official rating is (domain: "a member cannot be excellent as a Party member
        unless rated excellent as an official")."""
        check_score(score)
        self._ensure_undecided()
        if official_level is None:
            raise NotDecidedError(
                "Cần có kết quả xếp loại cán bộ, công chức trước khi xếp loại đảng viên.",
                "The official rating must be decided before the Party-member rating.",
            )
        if level is Level.A and official_level != Level.A.value:
            raise PartyRatingAboveOfficialError(
                "Đảng viên chỉ được xếp loại 'Hoàn thành xuất sắc nhiệm vụ' khi được xếp loại "
                "xuất sắc với tư cách cán bộ, công chức.",
                "A Party member can be rated excellent only if rated excellent as an official.",
            )
        _check_band(level, score, policy)
        self._rating_decided(level.value, score, reasons, policy.version, authority)

    def import_outcome(self, from_tenant: str, self_score: float | None,
                       self_level: str | None, level: str | None, score: float | None,
                       reasons: str, policy_version: str) -> None:
        """Carry a predecessor tenant's evaluation over on a merge, naming its source."""
        self._outcome_imported(from_tenant, self_score, self_level, level, score, reasons,
                               policy_version)

    @event("OutcomeImported")
    def _outcome_imported(self, from_tenant: str, self_score: float | None,
                          self_level: str | None, level: str | None, score: float | None,
                          reasons: str, policy_version: str) -> None:
        self.self_score, self.self_level = self_score, self_level
        self.level, self.score = level, score

    def _ensure_undecided(self) -> None:
        """One decision per evaluation: later changes are appeals, recorded as such."""
        if self.level is not None:
            raise AlreadyDecidedError(
                "Đã có quyết định xếp loại cho kỳ này; muốn thay đổi phải qua khiếu nại.",
                "This evaluation is already decided; a change must go through an appeal.",
            )

    # Appeals (khiếu nại, workflow step 7) -----------------------------------

    def amend(self, level: Level, score: float, reasons: str, policy: Policy,
              appeal_id: UUID, eligibility: Eligibility | None = None,
              official_level: str | None = None) -> None:
        """An appeal's outcome that changes the rating: a new decision citing the appeal,
        which supersedes the current one; the original stays in the history. Judged by the
        period's policy and the person's eligibility, like the decision it replaces (a Party
        rating never above the official one); reasons are always required."""
        check_score(score)
        if eligibility is not None:
            check_eligibility(eligibility, level)
        if self.subject == PARTY and level is Level.A and official_level != Level.A.value:
            raise PartyRatingAboveOfficialError(
                "Đảng viên chỉ được xếp loại 'Hoàn thành xuất sắc nhiệm vụ' khi được xếp loại "
                "xuất sắc với tư cách cán bộ, công chức.",
                "A Party member can be rated excellent only if rated excellent as an official.",
            )
        if self.level is None:
            raise AlreadyDecidedError(
                "Chưa có quyết định xếp loại nên không có gì để sửa đổi.",
                "There is no decision to amend yet.",
            )
        earned = policy.bands.level_for(score)
        if level.rank > earned.rank:
            raise LevelScoreMismatchError(
                f"Mức '{policy.label(level)}' không phù hợp với số điểm {score:g}.",
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
