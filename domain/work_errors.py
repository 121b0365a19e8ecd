"""Refusals of the work-output rules (Decree 335/2025: danh mục sản phẩm, giao việc, nghiệm thu).

Each has a stable ``code`` a client may branch on; the messages (Vietnamese first) are made
where the rule is broken, so they can name the item, the range or the period.
"""

from __future__ import annotations

from domain.errors import DomainError


class AssignmentOutsidePeriodError(DomainError):
    """A work item belongs to one month or quarter: assigned and due within it."""

    code = "ASSIGNMENT_OUTSIDE_PERIOD"


class DeadlineBeforeAssignmentError(DomainError):
    code = "DEADLINE_BEFORE_ASSIGNMENT"


class QuantityNotPositiveError(DomainError):
    code = "QUANTITY_NOT_POSITIVE"


class CoefficientOutOfRangeError(DomainError):
    """Hệ số quy đổi outside the range the catalogue allows (ad-hoc or adjustable item)."""

    code = "COEFFICIENT_OUT_OF_RANGE"


class NotInCatalogueError(DomainError):
    code = "NOT_IN_CATALOGUE"


class SelfConfirmationError(DomainError):
    """No one confirms (nghiệm thu) their own work item."""

    code = "SELF_CONFIRMATION"


class NotAssigneeError(DomainError):
    """Only the person the item is assigned to reports it done."""

    code = "NOT_ASSIGNEE"


class AlreadyConfirmedError(DomainError):
    code = "ALREADY_CONFIRMED"


class NotReportedError(DomainError):
    code = "NOT_REPORTED"


class WaiverReasonsRequiredError(DomainError):
    """An objective cause (nguyên nhân khách quan) waives a deduction only with its reasons."""

    code = "WAIVER_REASONS_REQUIRED"


class ItemClosedError(DomainError):
    """The item was cancelled or reassigned: nothing more is recorded on it."""

    code = "ITEM_CANCELLED"


class LockedByProvinceError(DomainError):
    """A child tenant changed what its province's catalogue or policy locks."""

    code = "LOCKED_BY_PROVINCE"


class InvalidCatalogueError(DomainError):
    code = "INVALID_CATALOGUE"
