"""Whole files refused before any row is read: too large, too many rows, not a spreadsheet
(told by content, not by name), corrupt."""

from __future__ import annotations

import io
import zipfile

import pytest

from services.imports import (
    MAX_BYTES,
    MAX_ROWS,
    FileTooLargeError,
    NotASpreadsheetError,
    TooManyRowsError,
    parse_staff,
    parse_units,
)
from tests.documents.sheets import HEADER as HEADER_ROW
from tests.documents.sheets import csv_text, xlsx

pytestmark = pytest.mark.unit

ROW = ("", "Lê Văn Ân", "Cán bộ", "CV", "Hội LHPN", "", "", "", "")


def test_a_file_over_5_mb_is_refused() -> None:
    data = csv_text([ROW]) + b" " * (MAX_BYTES + 1)
    with pytest.raises(FileTooLargeError) as refused:
        parse_staff(data, "t")
    assert "5,242,880" in refused.value.message_en


def test_more_than_5000_rows_are_refused() -> None:
    rows = [(f"C{i}", *ROW[1:]) for i in range(MAX_ROWS + 1)]
    with pytest.raises(TooManyRowsError) as refused:
        parse_staff(csv_text(rows), "t", {"Hội LHPN": None})  # type: ignore[dict-item]
    assert refused.value.code == "TOO_MANY_ROWS"
    assert "tối đa 5.000 dòng dữ liệu" in refused.value.message_vi


def test_a_title_above_the_header_does_not_count_against_the_row_limit() -> None:
    import uuid
    rows = [(f"C{i}", *ROW[1:]) for i in range(MAX_ROWS)]
    data = csv_text([tuple(HEADER_ROW), *rows], header=("DANH SÁCH CÁN BỘ NĂM 2026",))
    assert len(parse_staff(data, "t", {"Hội LHPN": uuid.uuid4()}).rows) == MAX_ROWS  # type: ignore[dict-item]


def test_5000_rows_are_accepted() -> None:
    import uuid
    rows = [(f"C{i}", *ROW[1:]) for i in range(MAX_ROWS)]
    result = parse_staff(csv_text(rows), "t", {"Hội LHPN": uuid.uuid4()})  # type: ignore[dict-item]
    assert len(result.rows) == MAX_ROWS


def test_100000_rows_are_refused_without_reading_them_all() -> None:
    data = xlsx([(f"C{i}", "Ân", "Cán bộ", "CV", "X") for i in range(6000)])
    with pytest.raises(TooManyRowsError):
        parse_staff(data, "t")


def test_a_truncated_xlsx_is_refused_as_corrupt() -> None:
    data = xlsx([ROW])
    with pytest.raises(NotASpreadsheetError) as refused:
        parse_staff(data[: len(data) // 2], "t")
    assert refused.value.message_vi == "Tệp không đọc được: tệp .xlsx bị hỏng."
    assert refused.value.code == "NOT_A_SPREADSHEET"


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(NotASpreadsheetError, match="not an Excel workbook"):
        parse_units(buffer.getvalue(), "t")


def test_a_workbook_with_broken_xml_is_refused() -> None:
    source = zipfile.ZipFile(io.BytesIO(xlsx([ROW])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            body = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                body = body[:-40]
            archive.writestr(item, body)
    with pytest.raises(NotASpreadsheetError, match="corrupt"):
        parse_staff(buffer.getvalue(), "t")


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n",  # a PDF, whatever its name
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "Họ và tên;Đơn vị\nLê Văn Ân;Hội LHPN\n".encode("utf-16"),
])
def test_content_that_is_no_spreadsheet_is_refused(data: bytes) -> None:
    with pytest.raises(NotASpreadsheetError):
        parse_staff(data, "t")


def test_an_old_xls_is_refused_with_advice() -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    with pytest.raises(NotASpreadsheetError, match=r"\.xlsx"):
        parse_staff(data, "t")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(NotASpreadsheetError, match="empty"):
        parse_staff(b"\xef\xbb\xbf  \r\n", "t")


def test_a_text_file_without_the_columns_names_them_all() -> None:
    result = parse_staff(b"hello world\n", "t")
    assert {p.column_vi for p in result.problems} == {
        "Họ và tên", "Loại cán bộ", "Chức vụ, chức danh", "Đơn vị"}
    assert result.rows == ()
