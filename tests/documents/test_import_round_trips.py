"""The template filled in and imported; a register exported and imported back; a re-import
that would write nothing."""

from __future__ import annotations

import dataclasses
import io
import uuid
from datetime import date

import openpyxl
import pytest

from domain.ids import UnitId
from domain.organisation import StaffType
from services.imports import (
    ExistingStaff,
    StaffRow,
    parse_staff,
    parse_units,
    plan_staff,
    staff_register_xlsx,
    staff_template_xlsx,
    units_register_xlsx,
    units_template_xlsx,
)
from tests.documents.sheets import xlsx

pytestmark = pytest.mark.unit

TENANT = "xa-my-duc"
OFFICE = UnitId(uuid.UUID(int=7))
UNITS = {"Văn phòng HĐND và UBND": OFFICE}


def test_the_template_has_headers_choice_lists_and_notes() -> None:
    book = openpyxl.load_workbook(io.BytesIO(staff_template_xlsx()))
    data, notes = book.worksheets
    assert (data.title, notes.title) == ("Danh sách", "Hướng dẫn")
    assert [c.value for c in data[1]][:5] == ["Mã cán bộ", "Họ và tên", "Loại cán bộ",
                                              "Chức vụ, chức danh", "Đơn vị"]
    assert data["B2"].value == "Nguyễn Văn Ví Dụ"
    lists = {str(v.sqref).split(":")[0]: v.formula1
             for v in data.data_validations.dataValidation}
    assert lists["C2"] == '"Cán bộ,Công chức,Viên chức,Người lao động hợp đồng"'
    assert lists["F2"] == '"Có,Không"'
    assert "không dùng công thức" in " ".join(str(c.value) for c in notes["A"])


def test_the_untouched_template_imports_nothing() -> None:
    result = parse_staff(staff_template_xlsx(), TENANT, UNITS)
    assert (result.rows, result.problems) == ((), ())


def test_the_template_filled_in_imports_its_rows() -> None:
    book = openpyxl.load_workbook(io.BytesIO(staff_template_xlsx()))
    sheet = book.worksheets[0]
    for column, value in zip("ABCDEFGHI", ("CB7", "Nguyễn Thị Hằng", "Viên chức", "Kế toán",
                                           "Văn phòng HĐND và UBND", "Có", "", "Chi bộ 1",
                                           "05/01/2018"), strict=True):
        sheet[f"{column}2"] = value
    sheet.append(["", "Lê Văn Ân", "Công chức", "Chuyên viên", "Văn phòng HĐND và UBND",
                  "Không"])
    buffer = io.BytesIO()
    book.save(buffer)
    hang, an = parse_staff(buffer.getvalue(), TENANT, UNITS).require_valid()
    assert (hang.code, hang.full_name, hang.staff_type, hang.party_cell, hang.start_date) == (
        "CB7", "Nguyễn Thị Hằng", StaffType.PUBLIC_EMPLOYEE, "Chi bộ 1", date(2018, 1, 5))
    assert (an.row, an.full_name, an.party_member) == (3, "Lê Văn Ân", False)


def _register() -> tuple[StaffRow, ...]:
    rows = [("CB1", "Nguyễn Thị Hằng", "Công chức", "Chuyên viên", "Văn phòng HĐND và UBND",
             "Có", "Chuyên viên", "Chi bộ VP", "01/03/2019"),
            ("", "Lê Văn Ân", "Cán bộ", "Chánh Văn phòng", "Văn phòng HĐND và UBND", "Không",
             "", "", ""),
            ("", "Trần Ngọc Ánh", "Người lao động hợp đồng", "Lái xe",
             "Văn phòng HĐND và UBND", "", "", "", "2024-12-31")]
    return parse_staff(xlsx(rows), TENANT, UNITS).require_valid()


def test_a_register_exported_and_imported_back_gives_the_same_rows() -> None:
    register = _register()
    assert parse_staff(staff_register_xlsx(register), TENANT, UNITS).rows == register


def test_a_units_register_exported_and_imported_back_gives_the_same_rows() -> None:
    units = parse_units(xlsx([("Đảng ủy xã", "Đảng", "UBND xã"),
                              ("UBND xã", "Chính quyền", ""),
                              ("Chi bộ Văn phòng", "Chi bộ", "Đảng ủy xã")],
                             ("Tên đơn vị", "Loại đơn vị", "Đơn vị cấp trên")),
                        TENANT).require_valid()
    assert [u.name for u in units] == ["UBND xã", "Đảng ủy xã", "Chi bộ Văn phòng"]
    assert units[1].parent_id == units[0].unit_id
    again = parse_units(units_register_xlsx(units), TENANT).require_valid()
    assert [(u.unit_id, u.name, u.kind, u.parent_id) for u in again] == [
        (u.unit_id, u.name, u.kind, u.parent_id) for u in units]
    assert parse_units(units_template_xlsx(), TENANT).rows == ()


def test_unit_parents_must_be_known_and_acyclic() -> None:
    header = ("Tên đơn vị", "Loại đơn vị", "Đơn vị cấp trên")
    unknown = parse_units(xlsx([("A", "", "Không có")], header), TENANT)
    assert [(p.row, p.column_vi, p.code) for p in unknown.problems] == [
        (2, "Đơn vị cấp trên", "UNKNOWN_UNIT")]
    cycle = parse_units(xlsx([("A", "", "B"), ("B", "", "A"), ("C", "", "")], header), TENANT)
    assert {(p.row, p.code) for p in cycle.problems} == {(2, "PARENT_CYCLE"),
                                                        (3, "PARENT_CYCLE")}
    twice = parse_units(xlsx([("A", "", ""), ("a ", "", "")], header), TENANT)
    assert [(p.row, p.code) for p in twice.problems] == [(3, "DUPLICATE")]


def _existing(row: StaffRow, **changes: object) -> ExistingStaff:
    existing = ExistingStaff(row.staff_id, row.full_name, row.staff_type.value, row.position,
                             row.unit_id, row.unit_name, row.party_member, row.peer_group,
                             row.party_cell, row.start_date, row.code)
    return dataclasses.replace(existing, **changes)  # type: ignore[arg-type]


def test_re_importing_the_same_file_writes_nothing() -> None:
    register = _register()
    first = plan_staff(register, [])
    assert first.register == register
    again = plan_staff(_register(), [_existing(r) for r in register])
    assert again.writes_nothing
    assert again.unchanged == register


def test_a_re_import_updates_changed_profiles_and_moves_transferred_people() -> None:
    hang, an, anh = _register()
    other = UnitId(uuid.UUID(int=99))
    plan = plan_staff([hang, an, anh], [_existing(hang, position="Phó Chánh Văn phòng"),
                                        _existing(an, unit_id=other), _existing(anh)])
    assert (plan.update, plan.transfer, plan.unchanged) == ((hang,), (an,), (anh,))


def test_people_registered_by_hand_are_matched_by_their_natural_key() -> None:
    _, an, _ = _register()
    by_hand = _existing(an, staff_id=uuid.uuid4())
    assert plan_staff([an], [by_hand]).unchanged == (an,)


def test_a_namesake_in_another_unit_is_flagged_as_a_possible_transfer() -> None:
    _, an, _ = _register()
    elsewhere = _existing(an, staff_id=uuid.uuid4(), unit_id=UnitId(uuid.UUID(int=5)),
                          unit_name="Hội Nông dân")
    plan = plan_staff([an], [elsewhere])
    assert plan.register == (an,)
    assert plan.possible_transfers == ((an, elsewhere),)
