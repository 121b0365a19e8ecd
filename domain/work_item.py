"""One assignment of work (giao sản phẩm/công việc) to one person for one month or quarter.

Decree 335/2025 art. 13–14: work is assigned per month or quarter (the agency chooses),
from the catalogue of the person's job position or ad hoc with a coefficient, each with a
deadline and an expected quantity; the person reports it done; the leader confirms its
quality and timeliness, and may accept an objective cause that waives a deduction.

Nothing is edited: a reassignment closes this item and opens another for the new person
(so each item's personal texts belong to one person, and each person's items are theirs
alone); a cancellation closes it. The refusals are in ``domain.work_errors``.

Personal text (to be sealed with the person's key, like a self-assessment's evidence) is
listed in ``PERSONAL_TEXT``; whose it is: ``staff_id`` of ``Assigned``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import event

from domain.actor import TenantAggregate
from domain.catalogue import Catalogue
from domain.errors import ReasonsRequiredError, ValidationFailedError
from domain.period import period_span
from domain.work_errors import (
    AlreadyConfirmedError,
    AssignmentOutsidePeriodError,
    DeadlineBeforeAssignmentError,
    ItemClosedError,
    NotAssigneeError,
    NotReportedError,
    QuantityNotPositiveError,
    SelfConfirmationError,
    WaiverReasonsRequiredError,
)
from domain.work_score import ItemOutcome

WORK_PERIOD_KINDS = ("monthly", "quarterly")  # Decree 335: "hằng tháng hoặc quý"
PERSONAL_TEXT: dict[str, tuple[str, ...]] = {
    "WorkItem.Reassigned": ("reasons",),
    "WorkItem.Cancelled": ("reasons",),
    "WorkItem.ReportedDone": ("evidence",),
    "WorkItem.Confirmed": ("waiver_reasons", "comment"),
}
OWNER_FIELD = ("WorkItem.Assigned", "staff_id")


class Quality(StrEnum):
    MEETS = "meets"  # đạt yêu cầu
    FAILS = "fails"  # chưa đạt yêu cầu


class Timeliness(StrEnum):
    ON_TIME = "on_time"  # đúng tiến độ
    LATE = "late"  # chậm tiến độ


class Status(StrEnum):
    ASSIGNED = "assigned"
    REPORTED = "reported"
    CONFIRMED = "confirmed"
    REASSIGNED = "reassigned"
    CANCELLED = "cancelled"


def _positive(quantity: float, what_vi: str, what_en: str) -> None:
    if not quantity > 0:
        raise QuantityNotPositiveError(f"{what_vi} phải lớn hơn 0 (đã nhập {quantity:g}).",
                                       f"{what_en} must be greater than 0 (got {quantity:g}).")


def check_schedule(kind: str, year: int, number: int, assigned_on: date, deadline: date) -> None:
    """An item belongs to one month or quarter: assigned and due within it, due on or after
    the day it is assigned (work spanning periods is split into one item per period)."""
    if kind not in WORK_PERIOD_KINDS or not 1 <= number <= (12 if kind == "monthly" else 4):
        raise ValidationFailedError("Kỳ giao việc phải là một tháng hoặc một quý.",
                                    "Work is assigned for a month or a quarter.")
    first, last = period_span(kind, year, number)
    if deadline < assigned_on:
        raise DeadlineBeforeAssignmentError(
            f"Hạn hoàn thành {deadline:%d/%m/%Y} trước ngày giao {assigned_on:%d/%m/%Y}.",
            f"The deadline {deadline} is before the assignment date {assigned_on}.")
    if not (first <= assigned_on <= last and first <= deadline <= last):
        raise AssignmentOutsidePeriodError(
            f"Ngày giao và hạn hoàn thành phải trong kỳ {first:%d/%m/%Y}–{last:%d/%m/%Y}.",
            f"The assignment and its deadline must fall within {first} – {last}.")


@dataclass(frozen=True)
class Assignment:
    """What an item asks for, whoever assigns it to whom: the period it counts in, the
    dates, the expected quantity, and the catalogue item (or an ad-hoc title and
    coefficient). A leader's assignment and an imported row carry the same."""

    kind: str  # monthly | quarterly
    year: int
    number: int
    assigned_on: date
    deadline: date
    expected_quantity: float
    catalogue_key: str | None = None
    title: str = ""
    coefficient: float | None = None


class WorkItem(TenantAggregate):
    @event("Assigned")
    def __init__(self, id: UUID, unit_id: UUID, staff_id: UUID, assigned_by: str, kind: str,
                 year: int, number: int, assigned_on: date, deadline: date, title: str,
                 catalogue_key: str | None, catalogue_version: str, coefficient: float,
                 expected_quantity: float, reassigned_from: UUID | None = None) -> None:
        self.unit_id, self.staff_id, self.assigned_by = unit_id, staff_id, assigned_by
        self.kind, self.year, self.number = kind, year, number
        self.assigned_on, self.deadline, self.title = assigned_on, deadline, title
        self.catalogue_key, self.catalogue_version = catalogue_key, catalogue_version
        self.coefficient, self.expected_quantity = coefficient, expected_quantity
        self.reassigned_from = reassigned_from
        self.status = Status.ASSIGNED
        self.reported_quantity: float | None = None
        self.done_on: date | None = None
        self.confirmed_by: str | None = None
        self.quality: str | None = None
        self.timeliness: str | None = None
        self.outcome_state: ItemOutcome | None = None

    @classmethod
    def assign(cls, item_id: UUID, catalogue: Catalogue, unit_id: UUID, staff_id: UUID,
               assigned_by: str, kind: str, year: int, number: int, assigned_on: date,
               deadline: date, expected_quantity: float, catalogue_key: str | None = None,
               title: str = "", coefficient: float | None = None) -> WorkItem:
        """Giao việc: from the catalogue (``catalogue_key``) or ad hoc (a ``title`` and a
        coefficient within the catalogue's ad-hoc range); the catalogue version is recorded."""
        check_schedule(kind, year, number, assigned_on, deadline)
        _positive(expected_quantity, "Số lượng giao", "The expected quantity")
        used = catalogue.coefficient_for(catalogue_key, coefficient)
        if catalogue_key is not None:
            title = title or catalogue.item(catalogue_key).label_vi
        if not title.strip():
            raise ValidationFailedError("Việc phát sinh cần có tên.", "Ad-hoc work needs a title.")
        return cls(id=item_id, unit_id=unit_id, staff_id=staff_id, assigned_by=assigned_by,
                   kind=kind, year=year, number=number, assigned_on=assigned_on,
                   deadline=deadline, title=title, catalogue_key=catalogue_key,
                   catalogue_version=catalogue.version, coefficient=used,
                   expected_quantity=expected_quantity)

    def _ensure_open(self) -> None:
        if self.status in (Status.CANCELLED, Status.REASSIGNED):
            raise ItemClosedError(
                "Việc này đã bị hủy hoặc đã giao cho người khác; không ghi nhận thêm.",
                "This item was cancelled or reassigned; nothing more is recorded on it.")
        if self.status is Status.CONFIRMED:
            raise AlreadyConfirmedError("Việc này đã được nghiệm thu.",
                                        "This item is already confirmed.")

    def reassign(self, new_id: UUID, to_staff: UUID, on: date, reasons: str,
                 deadline: date | None = None) -> WorkItem:
        """Giao lại cho người khác: this item closes, with reasons; a new item opens for
        ``to_staff`` with the same work (and ``deadline`` if a new one is given)."""
        self._ensure_open()
        if not reasons.strip():
            raise ReasonsRequiredError("Cần nêu lý do giao lại việc.",
                                       "Reassigning work needs its reasons.")
        if to_staff == self.staff_id:
            raise ValidationFailedError("Việc đã được giao cho người này.",
                                        "The item is already assigned to this person.")
        due = deadline or self.deadline
        check_schedule(self.kind, self.year, self.number, on, due)
        self._reassigned(to_staff, new_id, reasons)
        return WorkItem(id=new_id, unit_id=self.unit_id, staff_id=to_staff,
                        assigned_by=self.assigned_by, kind=self.kind, year=self.year,
                        number=self.number, assigned_on=on, deadline=due, title=self.title,
                        catalogue_key=self.catalogue_key,
                        catalogue_version=self.catalogue_version,
                        coefficient=self.coefficient, expected_quantity=self.expected_quantity,
                        reassigned_from=self.id)

    @event("Reassigned")
    def _reassigned(self, to_staff: UUID, new_item_id: UUID, reasons: str) -> None:
        self.status = Status.REASSIGNED

    def cancel(self, reasons: str) -> None:
        """Hủy việc, with reasons: it no longer counts as assigned work."""
        self._ensure_open()
        if not reasons.strip():
            raise ReasonsRequiredError("Cần nêu lý do hủy việc.",
                                       "Cancelling work needs its reasons.")
        self._cancelled(reasons)

    @event("Cancelled")
    def _cancelled(self, reasons: str) -> None:
        self.status = Status.CANCELLED

    def report_done(self, reporter: str, quantity: float, done_on: date, evidence: str) -> None:
        """Báo cáo hoàn thành by the person themselves; a new report before confirmation
        supersedes the previous one (both stay in the history)."""
        self._ensure_open()
        if reporter != str(self.staff_id):
            raise NotAssigneeError("Chỉ người được giao việc mới báo cáo hoàn thành việc đó.",
                                   "Only the person the item is assigned to may report it.")
        _positive(quantity, "Số lượng hoàn thành", "The completed quantity")
        if done_on < self.assigned_on:
            raise ValidationFailedError("Ngày hoàn thành trước ngày giao việc.",
                                        "The completion date is before the assignment.")
        self._reported_done(quantity, done_on, evidence)

    @event("ReportedDone")
    def _reported_done(self, quantity: float, done_on: date, evidence: str) -> None:
        self.status = Status.REPORTED
        self.reported_quantity, self.done_on = quantity, done_on

    def confirm(self, confirmer: str, quality: Quality, timeliness: Timeliness,
                quantity: float | None = None, failed_checks: int | None = None,
                delays: int | None = None, quality_waived: bool = False,
                timeliness_waived: bool = False, waiver_reasons: str = "",
                comment: str = "") -> None:
        """Nghiệm thu by the leader: the quantity accepted (the reported one by default),
        quality and timeliness, with how many assessments failed and how many delays (one
        each by default when it fails or is late), and any objective cause accepted for
        them — which needs its reasons (Decree 335: "được cấp có thẩm quyền xác nhận")."""
        if self.status is Status.CONFIRMED:
            raise AlreadyConfirmedError("Việc này đã được nghiệm thu; không nghiệm thu lại.",
                                        "This item is already confirmed; it is not re-confirmed.")
        self._ensure_open()
        if confirmer == str(self.staff_id):
            raise SelfConfirmationError("Không ai được tự nghiệm thu việc của chính mình.",
                                        "No one may confirm their own work item.")
        if self.reported_quantity is None:
            raise NotReportedError("Người được giao chưa báo cáo hoàn thành việc này.",
                                   "The item has not been reported done.")
        accepted = self.reported_quantity if quantity is None else quantity
        _positive(accepted, "Số lượng được nghiệm thu", "The confirmed quantity")
        failures = _count(quality is Quality.FAILS, failed_checks, "lần chưa đạt", "failures")
        late = _count(timeliness is Timeliness.LATE, delays, "lần chậm", "delays")
        if (quality_waived and not failures) or (timeliness_waived and not late):
            raise ValidationFailedError("Chỉ miễn trừ khi có lần chưa đạt hoặc chậm tiến độ.",
                                        "Only a failure or a delay can be waived.")
        if (quality_waived or timeliness_waived) and not waiver_reasons.strip():
            raise WaiverReasonsRequiredError(
                "Chấp nhận nguyên nhân khách quan phải ghi rõ lý do.",
                "Accepting an objective cause needs its reasons.")
        self._confirmed(confirmer, accepted, quality.value, failures, quality_waived,
                        timeliness.value, late, timeliness_waived, waiver_reasons, comment)

    @event("Confirmed")
    def _confirmed(self, confirmed_by: str, quantity: float, quality: str, failed_checks: int,
                   quality_waived: bool, timeliness: str, delays: int,
                   timeliness_waived: bool, waiver_reasons: str, comment: str) -> None:
        self.status = Status.CONFIRMED
        self.confirmed_by, self.quality, self.timeliness = confirmed_by, quality, timeliness
        self.outcome_state = ItemOutcome(
            str(self.id), self.title, self.expected_quantity, self.coefficient, quantity,
            True, failed_checks, quality_waived, delays, timeliness_waived)

    @classmethod
    def carry_over(cls, source: WorkItem, from_tenant: str) -> WorkItem:
        """Sáp nhập: work assigned in a predecessor tenant continues in the successor —
        the same item (id, person, unit, period, dates, quantity, catalogue item and
        coefficient) with its report and confirmation as they stood, recorded as
        ``CarriedOver`` citing the source tenant and item; the source log is not touched.
        The report's evidence and the confirmation's texts stay readable in the
        predecessor (the successor records outcomes, as a carried evaluation does)."""
        copy = cls(id=source.id, unit_id=source.unit_id, staff_id=source.staff_id,
                   assigned_by=source.assigned_by, kind=source.kind, year=source.year,
                   number=source.number, assigned_on=source.assigned_on,
                   deadline=source.deadline, title=source.title,
                   catalogue_key=source.catalogue_key,
                   catalogue_version=source.catalogue_version,
                   coefficient=source.coefficient, expected_quantity=source.expected_quantity,
                   reassigned_from=source.reassigned_from)
        done = source.outcome_state if source.status is Status.CONFIRMED else None
        copy._carried_over(
            from_tenant, source.id, source.status.value, source.reported_quantity,
            source.done_on, source.confirmed_by, done.completed_quantity if done else None,
            source.quality, done.quality_failures if done else 0,
            done.quality_waived if done else False, source.timeliness,
            done.delays if done else 0, done.timeliness_waived if done else False)
        return copy

    @event("CarriedOver")
    def _carried_over(self, from_tenant: str, source_item_id: UUID, status: str,
                      reported_quantity: float | None, done_on: date | None,
                      confirmed_by: str | None, confirmed_quantity: float | None,
                      quality: str | None, failed_checks: int, quality_waived: bool,
                      timeliness: str | None, delays: int, timeliness_waived: bool) -> None:
        self.status = Status(status)
        self.reported_quantity, self.done_on = reported_quantity, done_on
        self.confirmed_by, self.quality, self.timeliness = confirmed_by, quality, timeliness
        if confirmed_quantity is not None:
            self.outcome_state = ItemOutcome(
                str(self.id), self.title, self.expected_quantity, self.coefficient,
                confirmed_quantity, True, failed_checks, quality_waived, delays,
                timeliness_waived)

    def outcome(self) -> ItemOutcome | None:
        """What the score counts (``domain.work_score``); None once cancelled or reassigned."""
        if self.status in (Status.CANCELLED, Status.REASSIGNED):
            return None
        return self.outcome_state or ItemOutcome(
            str(self.id), self.title, self.expected_quantity, self.coefficient)


def _count(failed: bool, given: int | None, what_vi: str, what_en: str) -> int:
    count = (1 if failed else 0) if given is None else given
    if (failed and count < 1) or (not failed and count != 0):
        raise ValidationFailedError(f"Số {what_vi} không khớp với kết quả nghiệm thu.",
                                    f"The number of {what_en} does not match the outcome.")
    return count
