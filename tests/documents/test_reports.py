"""The printed documents, read back with real libraries: the PDF's text with pypdf (A4,
fonts embedded, diacritics intact), the xlsx's cells with openpyxl."""

from __future__ import annotations

import io
import logging
import unicodedata
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader

from domain.levels import Level
from services.reports import Report, report_pdf, report_xlsx
from tests.documents.reports_data import ALL, COMMUNE, FORM, MONTH, PROVINCE, YEAR

pytestmark = pytest.mark.unit

A4 = (595.28, 841.89)  # points


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return unicodedata.normalize("NFC", text)


def flat(text: str) -> str:
    return " ".join(text.split())


def cells(data: bytes) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]


def table_after(rows: list[tuple[Any, ...]], first_heading: str) -> list[tuple[Any, ...]]:
    start = next(i for i, r in enumerate(rows) if r[0] == first_heading)
    body = []
    for row in rows[start + 1:]:
        if not isinstance(row[0], int | float) and row[1] != "Tổng cộng":
            break
        body.append(row)
    return body


def test_the_month_list_pdf_names_each_person_and_level_with_diacritics() -> None:
    text = flat(pdf_text(report_pdf(MONTH)))
    for row in MONTH.rows:
        assert row.full_name in text
    for level in (Level.A, Level.B, Level.D):
        assert level.label_vi in text
    assert "Nguyễn Thị Hằng" in text
    assert "Hoàn thành xuất sắc nhiệm vụ" in text
    assert "Chưa xếp loại" in text


@pytest.mark.parametrize("report", ALL, ids=lambda r: type(r).__name__)
def test_every_pdf_has_the_letterhead_date_line_signatures_and_log_position(
        report: Report) -> None:
    text = flat(pdf_text(report_pdf(report)))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert report.unit_name.upper() in text
    assert f"{report.place}, ngày" in text
    assert "THỦ TRƯỞNG ĐƠN VỊ" in text
    assert f"Lập từ nhật ký sự kiện tại vị trí {report.position}" in text


def test_the_date_line_is_the_signing_date_or_dots_to_fill_in() -> None:
    assert "Hoàn Kiếm, ngày 05 tháng 12 năm 2026" in flat(pdf_text(report_pdf(MONTH)))
    assert "Mỹ Đức, ngày …… tháng …… năm ……" in flat(pdf_text(report_pdf(COMMUNE)))


@pytest.mark.parametrize("report", ALL, ids=lambda r: type(r).__name__)
def test_every_pdf_is_a4_with_its_fonts_embedded(report: Report) -> None:
    reader = PdfReader(io.BytesIO(report_pdf(report)))
    for page in reader.pages:
        size = sorted((round(float(page.mediabox.width), 2),
                       round(float(page.mediabox.height), 2)))
        assert tuple(size) == A4
        resources: Any = page["/Resources"]
        fonts = resources["/Font"]
        assert fonts
        for ref in fonts.values():
            font: Any = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor, font["/BaseFont"]
            assert "DejaVuSerif" in font["/BaseFont"]


@pytest.mark.parametrize("report", ALL, ids=lambda r: type(r).__name__)
def test_the_same_report_gives_the_same_bytes(report: Report) -> None:
    assert report_pdf(report) == report_pdf(report)
    assert report_xlsx(report) == report_xlsx(report)


def test_the_month_list_xlsx_cells_equal_the_rows() -> None:
    rows = cells(report_xlsx(MONTH))
    header = next(r for r in rows if r[0] == "STT")
    assert header[:6] == ("STT", "Họ và tên", "Chức vụ", "Tự chấm điểm", "Điểm", "Xếp loại")
    body = table_after(rows, "STT")
    assert [r[:7] for r in body] == [
        (1, "Nguyễn Thị Hằng", "Chánh Văn phòng", 95, 95, "Hoàn thành xuất sắc nhiệm vụ",
         None),
        (2, "Lê Văn Ân", "Chuyên viên", 92, 84.5, "Hoàn thành tốt nhiệm vụ",
         "Báo cáo quý nộp trễ 3 ngày; không có nguyên nhân khách quan"),
        (3, "Trần Ngọc Ánh", "Văn thư", 75, 75, "Hoàn thành tốt nhiệm vụ", None),
        (4, "Phạm Quốc Đạt", "Chuyên viên", 60, 45, "Không hoàn thành nhiệm vụ",
         "Không hoàn thành 2 nhiệm vụ được giao"),
        (5, "Đỗ Thu Hương", "Kế toán", None, None, "Chưa xếp loại", None),
    ]


def test_reasons_are_printed_only_where_the_rating_departs_from_the_self_rating() -> None:
    text = flat(pdf_text(report_pdf(MONTH)))
    assert "Báo cáo quý nộp trễ 3 ngày" in text
    assert "không in" not in text


def test_the_xlsx_is_set_for_a4_and_carries_the_log_position() -> None:
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(MONTH)))
    sheet = book.worksheets[0]
    assert int(sheet.page_setup.paperSize or 0) == 9  # A4
    assert sheet.page_setup.orientation == "landscape"
    properties: Any = book.custom_doc_props  # type: ignore[attr-defined]
    assert {p.name: p.value for p in properties.props}["log_position"] == "48213"
    values = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in values
    assert "Độc lập - Tự do - Hạnh phúc" in values
    assert "VĂN PHÒNG HĐND VÀ UBND" in values
    assert "Hoàn Kiếm, ngày 05 tháng 12 năm 2026" in values
    assert {"NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", "Vũ Thị Lập", "Hoàng Văn Thủ"} <= set(values)
    assert any(str(v).startswith("Lập từ nhật ký sự kiện tại vị trí 48213") for v in values)


def test_the_self_assessment_form_follows_the_national_form() -> None:
    text = flat(pdf_text(report_pdf(FORM)))
    for part in ("PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC NĂM 2026",
                 "Họ và tên: Nguyễn Thị Hằng", "Chức vụ, chức danh: Chánh Văn phòng",
                 "I. KẾT QUẢ TỰ ĐÁNH GIÁ", "1. Chính trị tư tưởng", "2. Đạo đức, lối sống",
                 "3. Tác phong, lề lối làm việc", "4. Ý thức tổ chức kỷ luật",
                 "5. Kết quả thực hiện chức trách, nhiệm vụ được giao",
                 "II. TỰ NHẬN XÉT, XẾP LOẠI CHẤT LƯỢNG",
                 "3. Tự xếp loại chất lượng: Hoàn thành xuất sắc nhiệm vụ (93 điểm)",
                 "III. Ý KIẾN NHẬN XÉT, ĐÁNH GIÁ CỦA NGƯỜI QUẢN LÝ TRỰC TIẾP",
                 "Đồng ý với tự đánh giá.", "IV. KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG",
                 "Xếp loại chất lượng: Hoàn thành xuất sắc nhiệm vụ (92 điểm)",
                 "NGƯỜI TỰ ĐÁNH GIÁ", "Hoàng Văn Thủ"):
        assert part in text, part


def test_the_annual_list_has_each_person_and_the_collective_ratings() -> None:
    rows = cells(report_xlsx(YEAR))
    people = table_after(rows, "STT")
    assert [r[:10] for r in people] == [
        (1, "Nguyễn Thị Hằng", "Chánh Văn phòng", 10, 2, 0, 0, 92,
         "Hoàn thành xuất sắc nhiệm vụ", None),
        (2, "Lê Văn Ân", "Chuyên viên", 0, 12, 0, 0, 81, "Hoàn thành tốt nhiệm vụ",
         "Nghỉ 1 tháng")]
    start = rows.index(next(r for r in rows if r[0] == "Kết quả xếp loại tập thể"))
    assert [r[:4] for r in rows[start + 2:start + 4]] == [
        (1, "Chi bộ Văn phòng", "Hoàn thành xuất sắc nhiệm vụ", "Trong sạch, vững mạnh"),
        (2, "Tập thể lãnh đạo Văn phòng", "Hoàn thành tốt nhiệm vụ", None)]
    text = flat(pdf_text(report_pdf(YEAR)))
    assert "Chi bộ Văn phòng" in text
    assert "Trong sạch, vững mạnh" in text


def test_the_commune_report_gives_completion_distribution_and_late_units() -> None:
    rows = cells(report_xlsx(COMMUNE))
    assert [r[:11] for r in table_after(rows, "STT")] == [
        (1, "Văn phòng HĐND và UBND", 12, 12, 12, 100, 3, 8, 1, 0, "Đúng hạn"),
        (2, "Hội Liên hiệp Phụ nữ", 4, 3, 0, 0, 0, 0, 0, 0, "Trễ hạn"),
        (3, "Đoàn Thanh niên", 4, 4, 4, 100, 0, 4, 0, 0, "Đúng hạn")]
    text = flat(pdf_text(report_pdf(COMMUNE)))
    assert "Kính gửi: Sở Nội vụ thành phố Hà Nội" in text
    assert "đã xếp loại: 16 (80.0%)" in text
    assert "3. Đơn vị trễ hạn Hội Liên hiệp Phụ nữ." in text


def test_the_province_roll_up_gives_counts_and_never_a_person() -> None:
    rows = cells(report_xlsx(PROVINCE))
    assert [r[:11] for r in table_after(rows, "STT")] == [
        (1, "Xã Mỹ Đức", 3, 20, 16, 80, 3, 12, 1, 0, 1),
        (2, "Phường Hoàn Kiếm", 8, 120, 120, 100, 20, 90, 8, 2, 0),
        (None, "Tổng cộng", 11, 140, 136, 97.1, 23, 102, 9, 2, 1)]
    text = flat(pdf_text(report_pdf(PROVINCE)))
    assert "Tổng cộng" in text
    for name in ("Nguyễn Thị Hằng", "Lê Văn Ân"):  # people of the communes' own lists
        assert name not in text


def test_drawing_a_pdf_logs_nothing_of_its_font_subsetting(caplog: pytest.LogCaptureFixture
                                                           ) -> None:
    # fontTools reports every table it subsets at INFO: dozens of plain-text lines per
    # document in the server's log, where every line is a JSON event.
    caplog.set_level(logging.INFO)
    report_pdf(MONTH)
    assert [r.name for r in caplog.records if r.name.startswith("fontTools")] == []
