"""Refusals of the appeal rules (khiếu nại): stable codes, messages in Vietnamese and English."""

from __future__ import annotations

from domain.errors import DomainError


class AppealWindowClosedError(DomainError):
    code = "APPEAL_WINDOW_CLOSED"


class AppealAlreadyOpenError(DomainError):
    code = "APPEAL_ALREADY_OPEN"


class NotOwnRatingError(DomainError):
    code = "NOT_OWN_RATING"


class RatingNotDecidedError(DomainError):
    code = "RATING_NOT_DECIDED"


class RatingNotPublishedError(DomainError):
    code = "RATING_NOT_PUBLISHED"


class GroundsRequiredError(DomainError):
    code = "GROUNDS_REQUIRED"


class ConflictedReviewerError(DomainError):
    code = "CONFLICTED_REVIEWER"


class NotCompetentReviewerError(DomainError):
    code = "NOT_COMPETENT_REVIEWER"


class NotAppellantError(DomainError):
    code = "NOT_APPELLANT"


class AppealWrongStageError(DomainError):
    code = "APPEAL_WRONG_STAGE"


class OutcomeInconsistentError(DomainError):
    code = "OUTCOME_INCONSISTENT"


def wrong_stage(status: str, action_vi: str, action_en: str) -> AppealWrongStageError:
    return AppealWrongStageError(
        f"Không thể {action_vi} khi khiếu nại đang ở trạng thái '{STATUS_VI.get(status, status)}'.",
        f"Cannot {action_en} while the appeal is '{status}'.",
    )


STATUS_VI = {
    "awaiting_reviewer": "chờ phân công người giải quyết",
    "assigned": "đã phân công, chờ thụ lý",
    "under_review": "đang giải quyết",
    "awaiting_information": "chờ bổ sung thông tin",
    "decided": "đã có kết quả lần đầu",
    "closed": "đã giải quyết xong",
    "withdrawn": "đã rút",
}
