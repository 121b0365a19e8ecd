"""Reading a staff sheet: every cell checked, every problem named by row and column, all rows
or none."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest

from domain.ids import UnitId
from domain.organisation import StaffType
from services.imports import ImportInvalidError, parse_staff, parse_units, staff_id_for
from tests.documents.sheets import HEADER, csv_text, xlsx

pytestmark = pytest.mark.unit

TENANT = "phuong-hoan-kiem"
OFFICE = UnitId(uuid.UUID(int=1))
WOMEN = UnitId(uuid.UUID(int=2))
UNITS = {"Văn phòng HĐND và UBND": OFFICE, "Hội LHPN": WOMEN}

GOOD = [
    ("CB001", "Nguyễn Thị Hằng", "Công chức", "Chuyên viên", "Văn phòng HĐND và UBND", "Có",
     "Chuyên viên VP", "Chi bộ Văn phòng", datetime(2019, 3, 1)),
    ("", "Lê Văn Ân", "Cán bộ", "Chủ tịch Hội", "hội lhpn", "Không", "", "", "15/08/2021"),
    ("", "Trần Minh Đức", "contract worker", "Bảo vệ", "Hội LHPN", "", "", "", "2022-01-31"),
]


def test_a_valid_sheet_gives_every_row_with_its_fields() -> None:
    result = parse_staff(xlsx(GOOD), TENANT, UNITS)
    assert result.problems == ()
    hang, an, duc = result.rows
    assert (hang.row, hang.code, hang.full_name, hang.staff_type, hang.position) == (
        2, "CB001", "Nguyễn Thị Hằng", StaffType.CIVIL_SERVANT, "Chuyên viên")
    assert (hang.unit_id, hang.party_member, hang.peer_group, hang.party_cell,
            hang.start_date) == (OFFICE, True, "Chuyên viên VP", "Chi bộ Văn phòng",
                                 date(2019, 3, 1))
    assert (an.unit_name, an.unit_id, an.party_member, an.start_date) == (
        "Hội LHPN", WOMEN, False, date(2021, 8, 15))
    assert (duc.staff_type, duc.start_date) == (StaffType.CONTRACT_WORKER, date(2022, 1, 31))
    assert result.require_valid() == result.rows


def test_every_row_error_is_named_by_row_and_column() -> None:
    rows = [
        GOOD[0],
        ("", "   ", "Công chức", "Chuyên viên", "Hội LHPN", "", "", "", ""),  # blank name
        ("", "A" * 201, "Công chức", "Chuyên viên", "Hội LHPN", "", "", "", ""),  # too long
        ("", "Phạm Thu", "Công an", "Chuyên viên", "Phòng Không Có", "", "", "", ""),
        ("", "Đỗ Hà", "Viên chức", "Chuyên viên", "Hội LHPN", "có lẽ", "", "", "31/02/2020"),
        ("CB001", "Nguyễn T. Hằng", "Công chức", "Chuyên viên", "Hội LHPN", "", "", "", ""),
        ("", "Vũ Lan", "Công chức", "", "Hội LHPN", "", "", "", ""),
    ]
    result = parse_staff(xlsx(rows), TENANT, UNITS)
    found = {(p.row, p.column_vi, p.code) for p in result.problems}
    assert found == {
        (3, "Họ và tên", "BLANK"),
        (4, "Họ và tên", "TEXT_TOO_LONG"),
        (5, "Loại cán bộ", "UNKNOWN_STAFF_TYPE"),
        (5, "Đơn vị", "UNKNOWN_UNIT"),
        (6, "Đảng viên", "NOT_YES_NO"),
        (6, "Ngày bắt đầu công tác", "BAD_DATE"),
        (7, "Mã cán bộ", "DUPLICATE"),
        (8, "Chức vụ, chức danh", "BLANK"),
    }
    for p in result.problems:
        assert p.message_vi.startswith(f"Dòng {p.row}, cột '{p.column_vi}': ")
        assert p.message_en.startswith(f"Row {p.row}, column '{p.column_en}': ")
    assert "dòng 2" in next(p for p in result.problems if p.code == "DUPLICATE").detail_vi


def test_no_row_is_given_when_any_row_has_a_problem() -> None:
    no_position = ("", "Ngô Bình", "Công chức", "", "Hội LHPN")
    result = parse_staff(xlsx([*GOOD, no_position]), TENANT, UNITS)
    assert result.rows == ()
    assert [p.row for p in result.problems] == [5]
    with pytest.raises(ImportInvalidError) as refused:
        result.require_valid()
    assert refused.value.code == "IMPORT_INVALID"
    assert "Dòng 5" in refused.value.message_vi
    assert [row.row for row in result.preview] == [2, 3, 4, 5]
    assert result.preview[3].problems == result.problems


def test_a_formula_is_a_row_error_and_never_evaluated() -> None:
    rows = [GOOD[0], ("", "=CONCAT(\"Lê\",\" Văn\")", "Công chức", "Chuyên viên", "Hội LHPN",
                      "=1=1", "", "", "=TODAY()")]
    result = parse_staff(xlsx(rows), TENANT, UNITS)
    assert {(p.row, p.column_en, p.code) for p in result.problems} == {
        (3, "Full name", "FORMULA"), (3, "Party member", "FORMULA"),
        (3, "Start date", "FORMULA")}
    assert result.rows == ()


def test_a_csv_formula_is_refused_too() -> None:
    data = csv_text([("", '=HYPERLINK("http://x","Lê")', "Công chức", "CV", "Hội LHPN", "",
                      "", "", "")])
    assert [p.code for p in parse_staff(data, TENANT, UNITS).problems] == ["FORMULA"]


def test_every_cell_passes_the_text_check_of_domain_text() -> None:
    data = csv_text([("", "Vũ\x07Lan", "Công chức", "CV", "Hội LHPN", "", "", "", "")])
    problem, = parse_staff(data, TENANT, UNITS).problems
    assert (problem.row, problem.column_en, problem.code) == (2, "Full name", "INVALID_TEXT")
    assert "U+0007" in problem.message_en


@pytest.mark.parametrize(("delimiter", "bom"), [(",", False), (";", True), (";", False),
                                                ("\t", True)])
def test_csv_with_or_without_bom_and_any_excel_separator_reads_like_the_xlsx(
        delimiter: str, bom: bool) -> None:
    text_rows = [tuple(v.strftime("%d/%m/%Y") if isinstance(v, datetime) else str(v)
                       for v in row) for row in GOOD]
    from_csv = parse_staff(csv_text(text_rows, delimiter, bom), TENANT, UNITS)
    assert from_csv.problems == ()
    assert from_csv.rows == parse_staff(xlsx(GOOD), TENANT, UNITS).rows


def test_headers_match_english_aliases_and_unaccented_vietnamese() -> None:
    english = ("Staff code", "Full name", "Staff type", "Position", "Unit", "Party member",
               "Peer group", "Party cell", "Start date")
    plain = ("Ma can bo", "HO VA TEN", "loai can bo", "Chuc vu", "Don vi", "Dang vien",
             "Nhom nhiem vu tuong dong", "Chi bo", "Ngay bat dau cong tac")
    expected = parse_staff(xlsx(GOOD), TENANT, UNITS).rows
    assert parse_staff(xlsx(GOOD, english), TENANT, UNITS).rows == expected
    assert parse_staff(xlsx(GOOD, plain), TENANT, UNITS).rows == expected


def test_a_title_above_the_header_and_unknown_columns_are_passed_over() -> None:
    data = xlsx([HEADER, *GOOD], header=("DANH SÁCH CÁN BỘ, CÔNG CHỨC NĂM 2026",))
    result = parse_staff(data, TENANT, UNITS)
    assert [r.row for r in result.rows] == [3, 4, 5]
    extra = xlsx([("x", *row) for row in GOOD], header=("STT", *HEADER))
    assert parse_staff(extra, TENANT, UNITS).rows == parse_staff(xlsx(GOOD), TENANT,
                                                                 UNITS).rows


def test_a_missing_required_column_is_named() -> None:
    header = tuple(h for h in HEADER if h != "Đơn vị")
    result = parse_staff(xlsx([row[:4] + row[5:] for row in GOOD], header), TENANT, UNITS)
    assert [(p.row, p.column_vi, p.code) for p in result.problems] == [
        (1, "Đơn vị", "MISSING_COLUMN")]


def test_a_unit_may_be_one_named_in_the_units_file() -> None:
    units = parse_units(xlsx([("Ban Chỉ huy Quân sự", "Cơ quan", "")],
                             ("Tên đơn vị", "Loại đơn vị", "Đơn vị cấp trên")), TENANT)
    staff = xlsx([("", "Hoàng Quân", "Công chức", "Chỉ huy trưởng", "Ban Chỉ huy Quân sự",
                   "Có", "", "", "")])
    assert parse_staff(staff, TENANT).problems[0].code == "UNKNOWN_UNIT"
    row, = parse_staff(staff, TENANT, units_in_batch=units.require_valid()).rows
    assert row.unit_id == units.rows[0].unit_id


def test_the_staff_code_is_the_natural_key_when_given_else_name_within_unit() -> None:
    hang, an, _ = parse_staff(xlsx(GOOD), TENANT, UNITS).rows
    assert hang.key == "code:cb001"
    assert an.key == "name:lê văn ân|unit:hội lhpn"
    assert hang.staff_id == staff_id_for(TENANT, "code:cb001")


def test_the_same_file_gives_the_same_ids_and_another_tenant_other_ids() -> None:
    first = parse_staff(xlsx(GOOD), TENANT, UNITS).rows
    again = parse_staff(xlsx(GOOD), TENANT, UNITS).rows
    other = parse_staff(xlsx(GOOD), "xa-my-duc", UNITS).rows
    assert [r.staff_id for r in first] == [r.staff_id for r in again]
    assert not {r.staff_id for r in first} & {r.staff_id for r in other}


def test_namesakes_in_one_unit_need_staff_codes() -> None:
    twins = [("", "Lê Văn Ân", "Cán bộ", "CV", "Hội LHPN", "", "", "", "")] * 2
    problem, = parse_staff(xlsx(twins), TENANT, UNITS).problems
    assert (problem.row, problem.code) == (3, "DUPLICATE")
    assert "mã cán bộ" in problem.detail_vi
    coded = [("A1", *twins[0][1:]), ("A2", *twins[1][1:])]
    assert len(parse_staff(xlsx(coded), TENANT, UNITS).rows) == 2


def test_diacritics_tell_people_apart() -> None:
    rows = [("", "Lê Văn Ân", "Cán bộ", "CV", "Hội LHPN", "", "", "", ""),
            ("", "Lê Văn An", "Cán bộ", "CV", "Hội LHPN", "", "", "", "")]
    assert len(parse_staff(xlsx(rows), TENANT, UNITS).rows) == 2
