"""Domain errors: a stable ``code`` for machines, a message in Vietnamese and English for people.

Every refusal of a rule is one of these; the API layer turns them into typed GraphQL
errors. Nothing is written when one is raised.
"""

from __future__ import annotations


class DomainError(Exception):
    code: str = "DOMAIN_ERROR"
    details: dict[str, str | int]

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en
        # Machine-readable context for clients (e.g. which line of a batch was refused);
        # shown as GraphQL error extensions beside the code.
        self.details: dict[str, str | int] = {}

    def about(self, prefix_vi: str, prefix_en: str, **details: str | int) -> DomainError:
        """The same refusal (same class and code), said of one item of a batch."""
        error = type(self).__new__(type(self))
        DomainError.__init__(error, f"{prefix_vi}: {self.message_vi}",
                             f"{prefix_en}: {self.message_en}")
        error.details = {**self.details, **details}
        return error


class NotFoundError(DomainError):
    code = "NOT_FOUND"


class ValidationFailedError(DomainError):
    code = "INVALID_INPUT"


class ScoreOutOfRangeError(DomainError):
    code = "SCORE_OUT_OF_RANGE"


class LevelScoreMismatchError(DomainError):
    code = "LEVEL_SCORE_MISMATCH"


class PeriodClosedError(DomainError):
    code = "PERIOD_CLOSED"


class PeriodAlreadyOpenError(DomainError):
    code = "PERIOD_ALREADY_OPEN"


class NotInPeriodError(DomainError):
    code = "NOT_IN_PERIOD"


class SelfRatingError(DomainError):
    code = "SELF_RATING"


class NotCompetentLeaderError(DomainError):
    code = "NOT_COMPETENT_LEADER"


class QuotaExceededError(DomainError):
    code = "QUOTA_EXCEEDED"


class ReasonsRequiredError(DomainError):
    code = "REASONS_REQUIRED"


class AlreadyDecidedError(DomainError):
    code = "ALREADY_DECIDED"


class StaleVersionError(DomainError):
    code = "STALE_VERSION"


class InvalidPolicyError(DomainError):
    code = "INVALID_POLICY"


class NotEligibleError(DomainError):
    """Decree 90/2020 art. 2: fewer than 6 months worked in the year → not rated."""

    code = "NOT_ELIGIBLE"


class EligibilityCapError(DomainError):
    """Absent 3–6 months → at most "completed"; discipline in the year → "not completed"."""

    code = "ELIGIBILITY_CAP"


class NotCompetentHigherLevelError(DomainError):
    code = "NOT_COMPETENT_HIGHER_LEVEL"


class AlreadyExistsError(DomainError):
    code = "ALREADY_EXISTS"


class NotDecidedError(DomainError):
    code = "NOT_DECIDED"


class OrderViolationError(DomainError):
    """Collectives and heads are rated in the policy's order (lower first, heads last)."""

    code = "ORDER_VIOLATION"


class PartyRatingAboveOfficialError(DomainError):
    code = "PARTY_ABOVE_OFFICIAL"


class TenantReadOnlyError(DomainError):
    code = "TENANT_READ_ONLY"
