"""The catalogue of outputs, its versions, and what a province locks for its communes."""

from __future__ import annotations

import pytest

from domain.catalogue import Catalogue, CatalogueAdjustment, CatalogueItem, ChildAllowance
from domain.errors import InvalidPolicyError, ReasonsRequiredError
from domain.inheritance import merge_catalogue, merge_policy
from domain.policy import PRESETS
from domain.work_catalogue import WorkCatalogue
from domain.work_errors import InvalidCatalogueError, LockedByProvinceError

pytestmark = pytest.mark.unit
HOTICH = CatalogueItem("ho-tich", "Tư pháp – hộ tịch", "Giải quyết hồ sơ hộ tịch", "hồ sơ", 1.0)
BAOCAO = CatalogueItem("bao-cao", "Văn phòng", "Báo cáo tổng hợp", "báo cáo", 4.0)
PROVINCE = Catalogue("catalogue/2", (HOTICH, BAOCAO), 0.5, 3.0,
                     ChildAllowance(add_items=True, adjust_items=("bao-cao",)))


def test_items_are_grouped_by_job_position() -> None:
    assert PROVINCE.positions == ("Tư pháp – hộ tịch", "Văn phòng")
    assert PROVINCE.items_for("Văn phòng") == (BAOCAO,)


def test_a_child_changing_a_locked_item_is_refused() -> None:
    dearer = CatalogueItem("ho-tich", "Tư pháp – hộ tịch", "Hồ sơ hộ tịch", "hồ sơ", 2.0)
    with pytest.raises(LockedByProvinceError) as refused:
        merge_catalogue(PROVINCE, CatalogueAdjustment(items=(dearer,)), "c/1")
    assert refused.value.code == "LOCKED_BY_PROVINCE"
    with pytest.raises(LockedByProvinceError):
        merge_catalogue(PROVINCE, CatalogueAdjustment(removed=("ho-tich",)), "c/1")
    with pytest.raises(LockedByProvinceError):
        merge_catalogue(PROVINCE, CatalogueAdjustment(ad_hoc_max=5.0), "c/1")


def test_a_child_may_adjust_what_the_province_allows_and_records_its_version() -> None:
    own = CatalogueItem("tiep-dan", "Văn phòng", "Tiếp công dân", "buổi", 1.5)
    cheaper = CatalogueItem("bao-cao", "Văn phòng", "Báo cáo tổng hợp", "báo cáo", 3.0)
    merged = merge_catalogue(PROVINCE, CatalogueAdjustment(items=(own, cheaper)), "c/1")
    assert [(i.key, i.coefficient) for i in merged.items] == \
        [("ho-tich", 1.0), ("bao-cao", 3.0), ("tiep-dan", 1.5)]
    assert merged.province_version == "catalogue/2"


def test_by_default_a_province_locks_everything() -> None:
    locked = Catalogue("catalogue/1", (HOTICH,))
    own = CatalogueItem("tiep-dan", "Văn phòng", "Tiếp công dân", "buổi", 1.5)
    with pytest.raises(LockedByProvinceError):
        merge_catalogue(locked, CatalogueAdjustment(items=(own,)), "c/1")


def test_each_change_of_a_catalogue_is_a_new_version_and_the_old_stays() -> None:
    catalogue = WorkCatalogue.establish(PROVINCE, "QĐ 12/QĐ-SNV")
    assert catalogue.catalogue_version == "catalogue/1"
    new = catalogue.revise(Catalogue("x", (HOTICH,)), "QĐ 20/QĐ-SNV")
    assert (new.version, catalogue.catalogue_version) == ("catalogue/2", "catalogue/2")
    first = catalogue.collect_events()[0]
    assert first.catalogue["version"] == "catalogue/1"  # type: ignore[attr-defined]
    with pytest.raises(ReasonsRequiredError):
        catalogue.revise(PROVINCE, " ")


def test_an_invalid_catalogue_is_refused() -> None:
    bad = CatalogueItem("x", "Văn phòng", "X", "cái", 0.0)
    with pytest.raises(InvalidCatalogueError):
        WorkCatalogue.establish(Catalogue("c", (bad,)), "QĐ")
    with pytest.raises(InvalidCatalogueError):
        WorkCatalogue.establish(Catalogue("c", (HOTICH, HOTICH)), "QĐ")


def test_a_commune_follows_a_new_province_version_dropping_what_it_now_locks() -> None:
    cheaper = CatalogueItem("bao-cao", "Văn phòng", "Báo cáo tổng hợp", "báo cáo", 3.0)
    own = CatalogueItem("tiep-dan", "Văn phòng", "Tiếp công dân", "buổi", 1.5)
    commune = WorkCatalogue.inherit("ha-noi", PROVINCE,
                                    CatalogueAdjustment(items=(cheaper, own)), "Áp dụng")
    assert commune.catalogue_version == "catalogue/1 (ha-noi catalogue/2)"
    stricter = Catalogue("catalogue/3", (HOTICH, BAOCAO), allowance=ChildAllowance(
        add_items=True))
    dropped = commune.follow_province(stricter, "Tỉnh ban hành danh mục mới")
    assert dropped == ["item:bao-cao"]
    assert commune.catalogue.item("bao-cao").coefficient == 4.0  # the province's word
    assert commune.catalogue.item("tiep-dan").coefficient == 1.5  # still allowed
    assert commune.catalogue_version == "catalogue/2 (ha-noi catalogue/3)"
    with pytest.raises(LockedByProvinceError):
        commune.adjust(stricter, CatalogueAdjustment(items=(cheaper,)), "Thử")
    with pytest.raises(InvalidCatalogueError):
        commune.revise(PROVINCE, "Sửa trực tiếp")


def test_a_child_changing_a_locked_policy_field_is_refused() -> None:
    province = PRESETS["vn-monthly-2026"].adjusted(
        "ha-noi/1", {"child_adjustable": ["appeal_window_days", "work.scoring.general_points",
                                          "work.scoring.results_points"]})
    with pytest.raises(LockedByProvinceError) as refused:
        merge_policy(province, {"decision_days": 3}, "c/1")
    assert refused.value.code == "LOCKED_BY_PROVINCE"
    with pytest.raises(LockedByProvinceError):
        merge_policy(province, {"work": {"scoring": {"delay_deduction": 0.1}}}, "c/1")
    with pytest.raises(LockedByProvinceError):  # a child cannot widen its own allowance
        merge_policy(province, {"child_adjustable": ["decision_days"]}, "c/1")
    child = merge_policy(province, {"appeal_window_days": 15}, "c/1")
    assert (child.appeal_window_days, child.version) == (15, "c/1")
    assert child.work_policy == province.work_policy


def test_an_allowed_policy_change_must_still_be_a_valid_policy() -> None:
    province = PRESETS["vn-monthly-2026"].adjusted(
        "ha-noi/1", {"child_adjustable": ["work.scoring"]})
    with pytest.raises(InvalidPolicyError):  # 40 + 70 ≠ 100
        merge_policy(province, {"work": {"scoring": {"general_points": 40}}}, "c/1")
    child = merge_policy(province, {"work": {"scoring": {"general_points": 20,
                                                         "results_points": 80}}}, "c/1")
    assert child.work_policy.scoring.results_points == 80
    assert child.work_policy.rules == province.work_policy.rules  # nested merge keeps rules
