"""The rules of assigning, reporting and confirming work (Decree 335/2025), no I/O."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from domain.catalogue import Catalogue, CatalogueItem
from domain.errors import ReasonsRequiredError
from domain.work_errors import (
    AlreadyConfirmedError,
    AssignmentOutsidePeriodError,
    CoefficientOutOfRangeError,
    DeadlineBeforeAssignmentError,
    ItemClosedError,
    NotAssigneeError,
    NotInCatalogueError,
    NotReportedError,
    QuantityNotPositiveError,
    SelfConfirmationError,
    WaiverReasonsRequiredError,
)
from domain.work_item import PERSONAL_TEXT, Quality, Status, Timeliness, WorkItem

pytestmark = pytest.mark.unit
STAFF, UNIT = uuid.uuid4(), uuid.uuid4()
LEADER = str(uuid.uuid4())
CATALOGUE = Catalogue(
    version="catalogue/1",
    items=(CatalogueItem("ho-tich", "Tư pháp – hộ tịch", "Giải quyết hồ sơ hộ tịch",
                         "hồ sơ", 1.0),
           CatalogueItem("bao-cao", "Tư pháp – hộ tịch", "Báo cáo chuyên đề", "báo cáo", 4.0,
                         min_coefficient=3.0, max_coefficient=5.0)),
    ad_hoc_min=0.5, ad_hoc_max=3.0)


def _assign(**overrides: Any) -> WorkItem:
    args: dict[str, Any] = dict(
        item_id=uuid.uuid4(), catalogue=CATALOGUE, unit_id=UNIT, staff_id=STAFF,
        assigned_by=LEADER, kind="monthly", year=2026, number=3,
        assigned_on=date(2026, 3, 2), deadline=date(2026, 3, 20), expected_quantity=10,
        catalogue_key="ho-tich")
    args.update(overrides)
    return WorkItem.assign(**args)


def _reported(**overrides: Any) -> WorkItem:
    item = _assign(**overrides)
    item.report_done(str(STAFF), 10, date(2026, 3, 18), "Sổ hộ tịch số 3")
    return item


def test_an_assignment_records_the_catalogue_version_and_the_items_coefficient() -> None:
    item = _assign(catalogue_key="bao-cao", expected_quantity=2)
    assert (item.catalogue_version, item.coefficient, item.title) == \
        ("catalogue/1", 4.0, "Báo cáo chuyên đề")
    assert _assign(catalogue_key="bao-cao", coefficient=5.0).coefficient == 5.0


def test_an_assignment_outside_the_period_is_refused() -> None:
    with pytest.raises(AssignmentOutsidePeriodError):
        _assign(assigned_on=date(2026, 2, 27))
    with pytest.raises(AssignmentOutsidePeriodError):
        _assign(deadline=date(2026, 4, 1))


def test_a_quarterly_item_may_run_across_the_quarters_months_but_not_beyond() -> None:
    item = _assign(kind="quarterly", number=1, assigned_on=date(2026, 1, 5),
                   deadline=date(2026, 3, 31))
    assert (item.kind, item.number) == ("quarterly", 1)
    with pytest.raises(AssignmentOutsidePeriodError):
        _assign(kind="quarterly", number=1, assigned_on=date(2026, 1, 5),
                deadline=date(2026, 4, 2))


def test_a_deadline_before_the_assignment_date_is_refused() -> None:
    with pytest.raises(DeadlineBeforeAssignmentError) as refused:
        _assign(assigned_on=date(2026, 3, 10), deadline=date(2026, 3, 9))
    assert refused.value.code == "DEADLINE_BEFORE_ASSIGNMENT"


@pytest.mark.parametrize("quantity", [0, -1, -0.5])
def test_a_zero_or_negative_quantity_is_refused(quantity: float) -> None:
    with pytest.raises(QuantityNotPositiveError) as refused:
        _assign(expected_quantity=quantity)
    assert refused.value.code == "QUANTITY_NOT_POSITIVE"
    with pytest.raises(QuantityNotPositiveError):
        _assign().report_done(str(STAFF), quantity, date(2026, 3, 5), "")


def test_a_coefficient_outside_the_catalogues_range_is_refused() -> None:
    with pytest.raises(CoefficientOutOfRangeError) as refused:
        _assign(catalogue_key=None, title="Kiểm tra chứng thực", coefficient=3.5)
    assert refused.value.code == "COEFFICIENT_OUT_OF_RANGE"
    with pytest.raises(CoefficientOutOfRangeError):
        _assign(catalogue_key=None, title="Kiểm tra chứng thực")  # ad hoc needs one
    with pytest.raises(CoefficientOutOfRangeError):
        _assign(catalogue_key="ho-tich", coefficient=1.5)  # a fixed coefficient
    with pytest.raises(CoefficientOutOfRangeError):
        _assign(catalogue_key="bao-cao", coefficient=2.9)
    assert _assign(catalogue_key=None, title="Kiểm tra", coefficient=0.5).coefficient == 0.5


def test_an_output_not_in_the_catalogue_is_refused() -> None:
    with pytest.raises(NotInCatalogueError):
        _assign(catalogue_key="khong-co")


def test_reporting_someone_elses_item_is_refused() -> None:
    with pytest.raises(NotAssigneeError) as refused:
        _assign().report_done(LEADER, 10, date(2026, 3, 18), "")
    assert refused.value.code == "NOT_ASSIGNEE"


def test_confirming_ones_own_item_is_refused() -> None:
    with pytest.raises(SelfConfirmationError) as refused:
        _reported().confirm(str(STAFF), Quality.MEETS, Timeliness.ON_TIME)
    assert refused.value.code == "SELF_CONFIRMATION"


def test_confirming_before_the_item_is_reported_is_refused() -> None:
    with pytest.raises(NotReportedError):
        _assign().confirm(LEADER, Quality.MEETS, Timeliness.ON_TIME)


def test_confirming_twice_is_refused() -> None:
    item = _reported()
    item.confirm(LEADER, Quality.MEETS, Timeliness.ON_TIME)
    with pytest.raises(AlreadyConfirmedError) as refused:
        item.confirm(LEADER, Quality.FAILS, Timeliness.ON_TIME)
    assert refused.value.code == "ALREADY_CONFIRMED"
    with pytest.raises(AlreadyConfirmedError):
        item.report_done(str(STAFF), 12, date(2026, 3, 19), "")


def test_a_waiver_without_reasons_is_refused() -> None:
    with pytest.raises(WaiverReasonsRequiredError) as refused:
        _reported().confirm(LEADER, Quality.MEETS, Timeliness.LATE, timeliness_waived=True,
                            waiver_reasons="  ")
    assert refused.value.code == "WAIVER_REASONS_REQUIRED"


def test_an_accepted_objective_cause_is_recorded_with_its_reasons() -> None:
    item = _reported()
    item.confirm(LEADER, Quality.FAILS, Timeliness.LATE, failed_checks=2,
                 timeliness_waived=True, waiver_reasons="Mất điện toàn xã 3 ngày")
    outcome = item.outcome()
    assert outcome is not None
    assert (outcome.quality_failures, outcome.quality_waived) == (2, False)
    assert (outcome.delays, outcome.timeliness_waived) == (1, True)
    confirmed = item.collect_events()[-1]
    assert confirmed.waiver_reasons == "Mất điện toàn xã 3 ngày"  # type: ignore[attr-defined]


@pytest.mark.parametrize("close", ["cancel", "reassign"])
def test_acting_on_a_cancelled_or_reassigned_item_is_refused(close: str) -> None:
    item = _reported()
    if close == "cancel":
        item.cancel("Nhiệm vụ được cấp trên điều chỉnh")
    else:
        item.reassign(uuid.uuid4(), uuid.uuid4(), date(2026, 3, 10), "Người được giao nghỉ ốm")
    for act in (lambda: item.report_done(str(STAFF), 10, date(2026, 3, 18), ""),
                lambda: item.confirm(LEADER, Quality.MEETS, Timeliness.ON_TIME),
                lambda: item.cancel("lần nữa")):
        with pytest.raises(ItemClosedError) as refused:
            act()
        assert refused.value.code == "ITEM_CANCELLED"
    assert item.outcome() is None  # no longer assigned work


def test_cancelling_or_reassigning_needs_reasons() -> None:
    with pytest.raises(ReasonsRequiredError):
        _assign().cancel(" ")
    with pytest.raises(ReasonsRequiredError):
        _assign().reassign(uuid.uuid4(), uuid.uuid4(), date(2026, 3, 10), "")


def test_a_reassignment_opens_a_new_item_for_the_new_person_citing_the_old() -> None:
    old, someone = _assign(), uuid.uuid4()
    new = old.reassign(uuid.uuid4(), someone, date(2026, 3, 10), "Điều động công tác")
    assert old.status is Status.REASSIGNED
    assert (new.staff_id, new.reassigned_from, new.coefficient, new.catalogue_version) == \
        (someone, old.id, old.coefficient, old.catalogue_version)
    new.report_done(str(someone), 10, date(2026, 3, 15), "")


def test_a_new_report_before_confirmation_supersedes_the_previous() -> None:
    item = _reported()
    item.report_done(str(STAFF), 12, date(2026, 3, 19), "Bổ sung 2 hồ sơ")
    item.confirm(LEADER, Quality.MEETS, Timeliness.ON_TIME)
    outcome = item.outcome()
    assert outcome is not None
    assert outcome.completed_quantity == 12


def test_personal_text_names_real_fields_of_the_work_item_events() -> None:
    item = _reported()
    item.confirm(LEADER, Quality.MEETS, Timeliness.ON_TIME, comment="Tốt")
    other = _assign()
    other.cancel("Trùng việc")
    moved = _assign()
    moved.reassign(uuid.uuid4(), uuid.uuid4(), date(2026, 3, 3), "Luân chuyển")
    events = {type(e).__qualname__: e for i in (item, other, moved) for e in i.collect_events()}
    assert hasattr(events["WorkItem.Assigned"], "staff_id")
    for name, fields in PERSONAL_TEXT.items():
        for field in fields:
            assert hasattr(events[name], field), (name, field)
