"""Reading a catalogue sheet (danh mục sản phẩm): every cell checked, every problem named by
row and column, all rows or none; the catalogue it makes, alone or under a province."""

from __future__ import annotations

import io

import openpyxl
import pytest

from domain.catalogue import Catalogue, CatalogueItem, ChildAllowance
from services.imports import (
    ImportInvalidError,
    adjustment_for,
    catalogue_of,
    catalogue_register_xlsx,
    catalogue_template_xlsx,
    parse_catalogue,
)
from tests.documents.sheets import csv_text, xlsx

pytestmark = pytest.mark.unit

HEADER = ("Mã sản phẩm", "Vị trí việc làm", "Tên sản phẩm", "Đơn vị tính", "Hệ số quy đổi",
          "Hệ số tối thiểu", "Hệ số tối đa")
GOOD = [
    ("BC-01", "Chuyên viên văn phòng", "Báo cáo tháng", "báo cáo", 1, None, None),
    ("HS-01", "Công chức tư pháp", "Hồ sơ chứng thực", "", 0.5, 0.3, 0.8),
    ("VB-01", "Chuyên viên văn phòng", "Văn bản tham mưu", "văn bản", "1,5", "", ""),
]


def test_a_valid_sheet_gives_every_item_with_its_coefficients() -> None:
    result = parse_catalogue(xlsx(GOOD, HEADER))
    assert result.problems == ()
    report, record, draft = (r.item() for r in result.require_valid())
    assert report == CatalogueItem("BC-01", "Chuyên viên văn phòng", "Báo cáo tháng",
                                   "báo cáo", 1.0)
    assert (record.unit_vi, record.coefficient_range) == ("sản phẩm", (0.3, 0.8))
    assert draft.coefficient == 1.5


def test_every_row_error_is_named_by_row_and_column() -> None:
    rows = [
        GOOD[0],
        ("HS-02", "Công chức tư pháp", "   ", "", 1, "", ""),  # blank name
        ("HS-03", "Công chức tư pháp", "Trích lục", "", "một", "", ""),  # not a number
        ("HS-04", "Công chức tư pháp", "Sao y", "", 0, "", ""),  # not positive
        ("HS-05", "Công chức tư pháp", "Xác nhận", "", 150, "", ""),  # out of range
        ("HS-06", "Công chức tư pháp", "Đăng ký", "", 1, 2, 0.5),  # range around it
        ("BC-01", "Công chức tư pháp", "Hộ tịch", "", 1, "", ""),  # repeated code
        ("BC-02", "Chuyên viên văn phòng", "báo cáo tháng", "", 1, "", ""),  # repeated name
        ("", "", "Không mã", "", "", "", ""),  # blank code, position, coefficient
    ]
    result = parse_catalogue(xlsx(rows, HEADER))
    assert {(p.row, p.column_vi, p.code) for p in result.problems} == {
        (3, "Tên sản phẩm", "BLANK"),
        (4, "Hệ số quy đổi", "NOT_A_NUMBER"),
        (5, "Hệ số quy đổi", "COEFFICIENT_OUT_OF_RANGE"),
        (6, "Hệ số quy đổi", "COEFFICIENT_OUT_OF_RANGE"),
        (7, "Hệ số tối thiểu", "COEFFICIENT_OUT_OF_RANGE"),
        (7, "Hệ số tối đa", "COEFFICIENT_OUT_OF_RANGE"),
        (8, "Mã sản phẩm", "DUPLICATE"),
        (9, "Tên sản phẩm", "DUPLICATE"),
        (10, "Mã sản phẩm", "BLANK"),
        (10, "Vị trí việc làm", "BLANK"),
        (10, "Hệ số quy đổi", "BLANK"),
    }
    assert result.rows == ()
    duplicate = next(p for p in result.problems if p.row == 8)
    assert duplicate.message_vi == "Dòng 8, cột 'Mã sản phẩm': mã sản phẩm trùng với dòng 2."
    assert duplicate.message_en == "Row 8, column 'Item code': the same item code as row 2."
    with pytest.raises(ImportInvalidError):
        result.require_valid()


def test_a_formula_is_a_row_error_and_never_evaluated() -> None:
    rows = [GOOD[0], ("HS-01", "Công chức tư pháp", "Hồ sơ", "", "=1/2", "", "")]
    result = parse_catalogue(xlsx(rows, HEADER))
    assert {(p.row, p.column_en, p.code) for p in result.problems} == {
        (3, "Coefficient", "FORMULA")}


def test_csv_reads_like_the_xlsx() -> None:
    text = [tuple("" if v is None else str(v).replace(".", ",") for v in row) for row in GOOD]
    from_csv = parse_catalogue(csv_text(text, ";", bom=True, header=HEADER))
    assert from_csv.problems == ()
    assert [r.item() for r in from_csv.rows] == \
        [r.item() for r in parse_catalogue(xlsx(GOOD, HEADER)).rows]


def test_the_template_is_read_back_as_no_item_and_names_every_column() -> None:
    template = catalogue_template_xlsx()
    sheet = openpyxl.load_workbook(io.BytesIO(template)).worksheets[0]
    assert [c.value for c in sheet[1]] == list(HEADER)
    assert parse_catalogue(template).rows == ()
    assert parse_catalogue(template).problems == ()


def test_an_exported_catalogue_imports_back_as_the_same_items() -> None:
    rows = parse_catalogue(xlsx(GOOD, HEADER)).rows
    again = parse_catalogue(catalogue_register_xlsx(r.item() for r in rows)).rows
    assert [r.item() for r in again] == [r.item() for r in rows]


def test_an_own_catalogue_keeps_what_the_sheet_does_not_hold() -> None:
    current = Catalogue("catalogue/2", (), 0.2, 2.0, ChildAllowance(add_items=True))
    made = catalogue_of(parse_catalogue(xlsx(GOOD, HEADER)).rows, current)
    assert (made.ad_hoc_min, made.ad_hoc_max, made.allowance) == (0.2, 2.0, current.allowance)
    assert [i.key for i in made.items] == ["BC-01", "HS-01", "VB-01"]


def test_under_a_province_the_sheet_is_its_differences_from_the_provinces_catalogue() -> None:
    province = Catalogue("catalogue/1", (
        CatalogueItem("BC-01", "Chuyên viên văn phòng", "Báo cáo tháng", "báo cáo", 1.0),
        CatalogueItem("HS-01", "Công chức tư pháp", "Hồ sơ chứng thực", "sản phẩm", 0.4),
        CatalogueItem("XX-01", "Công chức tư pháp", "Bỏ đi", "sản phẩm", 1.0)))
    adjustment = adjustment_for(parse_catalogue(xlsx(GOOD, HEADER)).rows, province, None)
    assert [i.key for i in adjustment.items] == ["HS-01", "VB-01"]
    assert adjustment.removed == ("XX-01",)
