"""An appeal against a rating (khiếu nại kết quả xếp loại), and the docket of one rating.

Domain, workflow step 7: the rated person may contest a decided rating within the policy's
window; the first instance is decided by the decider (or a reviewer the personnel body
names), the second by the level above. The leader whose decision is contested never
decides the second instance, and no one decides an appeal about their own rating. Every
step — filing, assignment, acceptance (thụ lý), requests for information, withdrawal,
outcomes, escalation — is an event. Nothing is ever decided automatically: a deadline that
passes only makes the appeal show as overdue.

Dates (``today``) come from the caller's clock as Hanoi calendar dates, so the rules are
pure and testable; windows and deadlines are calendar days (policy).
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain import appeal_errors
from domain.actor import TenantAggregate
from domain.appeal_errors import wrong_stage
from domain.errors import ReasonsRequiredError
from domain.levels import Level

_NS = uuid5(NAMESPACE_URL, "urn:congtam:appeal")

OPEN_STAGES = ("awaiting_reviewer", "assigned", "under_review", "awaiting_information")


class Outcome(StrEnum):
    DISMISSED = "dismissed"  # bác đơn
    UPHELD = "upheld"  # chấp nhận
    PARTIALLY_UPHELD = "partially_upheld"  # chấp nhận một phần


def docket_id_for(evaluation_id: UUID) -> UUID:
    """One docket per rating: it is what makes "one open appeal at a time" hold under races."""
    return uuid5(_NS, f"docket/{evaluation_id}")


def check_window(known_on: date, today: date, window_days: int) -> None:
    """Policy: an appeal (or an escalation) is lodged within ``window_days`` of the day the
    person could know the result (its publication, or a first-instance outcome)."""
    last = known_on + timedelta(days=window_days)
    if today > last:
        raise appeal_errors.AppealWindowClosedError(
            f"Đã hết thời hạn khiếu nại: hạn cuối là {last:%d/%m/%Y} "
            f"({window_days} ngày kể từ ngày công bố kết quả {known_on:%d/%m/%Y}).",
            f"The appeal window closed on {last.isoformat()} ({window_days} days after the "
            f"result was made known on {known_on.isoformat()}).",
        )


class Appeal(TenantAggregate):
    @event("Filed")
    def __init__(
        self,
        id: UUID,
        evaluation_id: UUID,
        staff_id: UUID,
        unit_id: UUID,
        period_id: UUID,
        year: int,
        number: int,
        decided_by: str,
        decided_level: str,
        decided_score: float,
        decided_on: date,
        published_on: date,
        grounds: str,
        level_claimed: str | None,
        evidence: str,
        filed_on: date,
        due_on: date,
    ) -> None:
        self.evaluation_id = evaluation_id
        self.staff_id = staff_id
        self.decided_by = decided_by
        self.decided_level = decided_level
        self.decided_score = decided_score
        self.level_claimed = level_claimed
        self.instance = 1
        self.status = "awaiting_reviewer"
        self.reviewer: str | None = None
        self.reviewer_tenant = ""
        self.due_on = due_on
        self.first_reviewer: str | None = None
        self.first_outcome: str | None = None
        self.first_decided_on: date | None = None
        self.current_level = decided_level
        self.current_score = decided_score

    @classmethod
    def file(cls, *, appeal_id: UUID, appellant: str, evaluation_id: UUID, staff_id: UUID,
             unit_id: UUID, period_id: UUID, year: int, number: int, decided_by: str,
             decided_level: str, decided_score: float, decided_on: date,
             published_on: date | None, grounds: str, level_claimed: Level | None,
             evidence: str, today: date, window_days: int, instance_days: int) -> Appeal:
        """Filing (nộp đơn): own rating only, once published, within the window after the
        person could know it (publication, or the decision if it came later), with grounds;
        a level claimed must be better than the one decided."""
        if appellant != str(staff_id):
            raise appeal_errors.NotOwnRatingError(
                "Chỉ người được đánh giá mới được khiếu nại kết quả xếp loại của mình.",
                "Only the rated person may appeal their own rating.")
        if published_on is None:
            raise appeal_errors.RatingNotPublishedError(
                "Kết quả xếp loại chưa được công khai nên chưa thể khiếu nại.",
                "The rating has not been published yet, so it cannot be appealed.")
        check_window(max(decided_on, published_on), today, window_days)
        if not grounds.strip():
            raise appeal_errors.GroundsRequiredError("Cần nêu căn cứ, lý do khiếu nại.",
                                                     "The grounds of the appeal are required.")
        if level_claimed is not None and level_claimed.rank <= Level(decided_level).rank:
            raise appeal_errors.OutcomeInconsistentError(
                f"Mức đề nghị '{level_claimed.label_vi}' phải cao hơn mức đã xếp loại.",
                f"The level claimed ({level_claimed.value}) must be above the level decided "
                f"({decided_level}).")
        return cls(id=appeal_id, evaluation_id=evaluation_id, staff_id=staff_id,
                   unit_id=unit_id, period_id=period_id, year=year, number=number,
                   decided_by=decided_by, decided_level=decided_level,
                   decided_score=decided_score, decided_on=decided_on,
                   published_on=published_on, grounds=grounds,
                   level_claimed=level_claimed.value if level_claimed else None,
                   evidence=evidence, filed_on=today,
                   due_on=today + timedelta(days=instance_days))

    # Who may review -------------------------------------------------------

    def ensure_unconflicted(self, reviewer: str) -> None:
        """No one reviews an appeal about their own rating; on second instance neither the
        leader whose decision is contested nor the first-instance reviewer reviews."""
        if reviewer == str(self.staff_id):
            raise appeal_errors.ConflictedReviewerError(
                "Không ai được giải quyết khiếu nại về kết quả xếp loại của chính mình.",
                "No one may decide an appeal about their own rating.")
        if self.instance == 2 and reviewer in (self.decided_by, self.first_reviewer):
            raise appeal_errors.ConflictedReviewerError(
                "Người đã quyết định xếp loại hoặc đã giải quyết lần đầu không được giải quyết "
                "khiếu nại lần hai.",
                "The leader who made the decision or decided the first instance may not "
                "decide the second instance.")

    def _ensure_reviewer(self, reviewer: str) -> None:
        self.ensure_unconflicted(reviewer)
        if self.reviewer != reviewer:
            raise appeal_errors.NotCompetentReviewerError(
                "Bạn không phải người được phân công giải quyết khiếu nại này.",
                "You are not the reviewer assigned to this appeal.")

    def _ensure_appellant(self, who: str) -> None:
        if who != str(self.staff_id):
            raise appeal_errors.NotAppellantError(
                "Chỉ người khiếu nại mới được thực hiện thao tác này.",
                "Only the appellant may do this.")

    def is_open(self, today: date, window_days: int) -> bool:
        """Still open: being handled, or decided at first instance and still escalable."""
        if self.status in OPEN_STAGES:
            return True
        if self.status == "decided" and self.first_decided_on is not None:
            return today <= self.first_decided_on + timedelta(days=window_days)
        return False

    # Steps ------------------------------------------------------------------

    def assign(self, reviewer: str, reviewer_tenant: str = "") -> None:
        """Phân công: name who decides the current instance (``reviewer_tenant``: the parent
        tenant, when the level above is outside this one)."""
        if self.status not in ("awaiting_reviewer", "assigned", "under_review"):
            raise wrong_stage(self.status, "phân công người giải quyết", "assign a reviewer")
        self.ensure_unconflicted(reviewer)
        self._assigned(self.instance, reviewer, reviewer_tenant)

    def take_up(self, reviewer: str, reviewer_tenant: str) -> None:
        """The level above, from the parent tenant, takes up a second-instance appeal that
        found no reviewer inside this tenant."""
        if self.instance != 2 or self.status != "awaiting_reviewer":
            raise wrong_stage(self.status, "nhận giải quyết lần hai", "take up the appeal")
        self.assign(reviewer, reviewer_tenant)

    @event("Assigned")
    def _assigned(self, instance: int, reviewer: str, reviewer_tenant: str) -> None:
        self.reviewer = reviewer
        self.reviewer_tenant = reviewer_tenant
        self.status = "assigned"

    def accept(self, reviewer: str) -> None:
        """Thụ lý: the assigned reviewer takes the case up."""
        self._ensure_reviewer(reviewer)
        if self.status != "assigned":
            raise wrong_stage(self.status, "thụ lý", "accept the appeal")
        self._accepted(self.instance)

    @event("Accepted")
    def _accepted(self, instance: int) -> None:
        self.status = "under_review"

    def request_information(self, reviewer: str, question: str) -> None:
        self._ensure_reviewer(reviewer)
        if self.status != "under_review":
            raise wrong_stage(self.status, "yêu cầu bổ sung thông tin", "request information")
        if not question.strip():
            raise ReasonsRequiredError("Cần nêu rõ thông tin cần bổ sung.",
                                       "Say what information is needed.")
        self._more_information_requested(self.instance, question)

    @event("MoreInformationRequested")
    def _more_information_requested(self, instance: int, question: str) -> None:
        self.status = "awaiting_information"

    def provide_information(self, appellant: str, information: str) -> None:
        self._ensure_appellant(appellant)
        if self.status != "awaiting_information":
            raise wrong_stage(self.status, "bổ sung thông tin", "provide information")
        if not information.strip():
            raise appeal_errors.GroundsRequiredError("Nội dung bổ sung không được để trống.",
                                                     "The information provided may not be empty.")
        self._more_information_provided(self.instance, information)

    @event("MoreInformationProvided")
    def _more_information_provided(self, instance: int, information: str) -> None:
        self.status = "under_review"

    def withdraw(self, appellant: str, reason: str) -> None:
        """Rút đơn: the appellant may withdraw until the appeal is finally decided."""
        self._ensure_appellant(appellant)
        if self.status not in (*OPEN_STAGES, "decided"):
            raise wrong_stage(self.status, "rút đơn", "withdraw")
        self._withdrawn(self.instance, reason)

    @event("Withdrawn")
    def _withdrawn(self, instance: int, reason: str) -> None:
        self.status = "withdrawn"

    def decide(self, reviewer: str, outcome: Outcome, reasons: str, level: Level | None,
               score: float | None, today: date, window_days: int) -> bool:
        """The outcome of the current instance, with reasons; returns whether the rating
        changes (upheld or partially upheld), which the caller records as an amendment.
        A first-instance outcome that is not final tells the person until when they may
        escalate (``window_days``)."""
        self._ensure_reviewer(reviewer)
        if self.status not in ("under_review", "awaiting_information"):
            raise wrong_stage(self.status, "ra quyết định giải quyết", "decide the appeal")
        if not reasons.strip():
            raise ReasonsRequiredError("Cần nêu lý do của kết quả giải quyết khiếu nại.",
                                       "Reasons are required for the outcome of an appeal.")
        changes = outcome is not Outcome.DISMISSED
        if changes:
            self._check_change(outcome, level, score)
        elif level is not None or score is not None:
            raise appeal_errors.OutcomeInconsistentError(
                "Bác đơn thì không thay đổi mức xếp loại; không nhập mức hoặc điểm mới.",
                "A dismissal changes nothing: give no new level or score.")
        final = self.instance == 2 or outcome is Outcome.UPHELD
        escalate_by = None if final else today + timedelta(days=window_days)
        self._decided(self.instance, outcome.value, reasons, level.value if level else None,
                      score, today, escalate_by)
        return changes

    def _check_change(self, outcome: Outcome, level: Level | None, score: float | None) -> None:
        if level is None or score is None:
            raise appeal_errors.OutcomeInconsistentError(
                "Chấp nhận (toàn bộ hoặc một phần) khiếu nại thì phải nêu mức và điểm mới.",
                "Upholding an appeal (fully or partly) needs the new level and score.")
        if level.value == self.current_level and score == self.current_score:
            raise appeal_errors.OutcomeInconsistentError(
                "Mức và điểm mới giống kết quả hiện tại; nếu không thay đổi thì bác đơn.",
                "The new level and score equal the current ones; that is a dismissal.")
        claimed = self.level_claimed
        if outcome is Outcome.UPHELD and claimed is not None and level.value != claimed:
            raise appeal_errors.OutcomeInconsistentError(
                f"Chấp nhận toàn bộ thì mức mới phải là mức đã đề nghị ({claimed}).",
                f"Upholding in full gives the level claimed ({claimed}).")
        if outcome is Outcome.PARTIALLY_UPHELD and claimed is not None and level.value == claimed:
            raise appeal_errors.OutcomeInconsistentError(
                "Mức mới đúng bằng mức đề nghị: đó là chấp nhận toàn bộ.",
                "The new level is the level claimed: that is upholding in full.")

    @event("Decided")
    def _decided(self, instance: int, outcome: str, reasons: str, level: str | None,
                 score: float | None, decided_on: date, escalate_by: date | None) -> None:
        if level is not None and score is not None:
            self.current_level, self.current_score = level, score
        if instance == 1:
            self.first_reviewer = self.reviewer
            self.first_outcome = outcome
            self.first_decided_on = decided_on
        final = instance == 2 or outcome == Outcome.UPHELD.value
        self.status = "closed" if final else "decided"

    @property
    def final(self) -> bool:
        return self.status in ("closed", "withdrawn")

    def escalate(self, appellant: str, grounds: str, today: date, window_days: int,
                 instance_days: int) -> None:
        """Khiếu nại lần hai: after a first-instance outcome that did not give the person
        what they claimed, to the level above, within the window."""
        self._ensure_appellant(appellant)
        if self.status != "decided" or self.first_decided_on is None:
            raise wrong_stage(self.status, "khiếu nại lần hai", "escalate")
        check_window(self.first_decided_on, today, window_days)
        if not grounds.strip():
            raise appeal_errors.GroundsRequiredError(
                "Cần nêu lý do khiếu nại lần hai.",
                "The grounds of the second-instance appeal are required.")
        self._escalated(grounds, today, today + timedelta(days=instance_days))

    @event("Escalated")
    def _escalated(self, grounds: str, escalated_on: date, due_on: date) -> None:
        self.instance = 2
        self.status = "awaiting_reviewer"
        self.reviewer = None
        self.reviewer_tenant = ""
        self.due_on = due_on


class AppealDocket(TenantAggregate):
    """The appeals lodged against one rating (hồ sơ khiếu nại), and which one is open."""

    @event("Opened")
    def __init__(self, id: UUID, evaluation_id: UUID, appeal_id: UUID) -> None:
        self.evaluation_id = evaluation_id
        self.open_appeal: UUID | None = appeal_id

    def lodge(self, appeal_id: UUID, current: Appeal | None, today: date,
              window_days: int) -> None:
        """One open appeal per rating at a time (``current``: the docket's open appeal)."""
        if current is not None and current.is_open(today, window_days):
            raise appeal_errors.AppealAlreadyOpenError(
                "Kết quả xếp loại này đang có một khiếu nại chưa giải quyết xong.",
                "This rating already has an appeal that is still open.")
        self._appeal_lodged(appeal_id)

    @event("AppealLodged")
    def _appeal_lodged(self, appeal_id: UUID) -> None:
        self.open_appeal = appeal_id

    def close(self, appeal_id: UUID) -> None:
        if self.open_appeal == appeal_id:
            self._appeal_closed(appeal_id)

    @event("AppealClosed")
    def _appeal_closed(self, appeal_id: UUID) -> None:
        self.open_appeal = None
