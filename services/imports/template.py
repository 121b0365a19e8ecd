"""Sheets the import reads, written: the blank template (headers, an example row, choice
lists, notes in Vietnamese) and a register of existing staff or units in the same columns,
so an export can be edited and imported back."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import xlsxwriter
from domain.catalogue import CatalogueItem

from .catalogue import CATALOGUE_COLUMNS, CATALOGUE_EXAMPLE, MAX_COEFFICIENT
from .columns import NO, STAFF_TYPE_LABELS, YES, Column
from .staff import STAFF_COLUMNS, STAFF_EXAMPLE, StaffRow
from .units import UNIT_COLUMNS, UNIT_EXAMPLE, UnitRow

_DATA_SHEET = "Danh sách"
_NOTES = (
    "HƯỚNG DẪN NHẬP DANH SÁCH",
    "",
    "1. Nhập mỗi người (hoặc mỗi đơn vị) trên một dòng của trang 'Danh sách', bắt đầu từ "
    "dòng 2. Dòng ví dụ có sẵn sẽ được bỏ qua nếu giữ nguyên; hãy ghi đè hoặc xoá nó.",
    "2. Các cột in đậm là bắt buộc. Không đổi tên cột; có thể thêm cột khác (ví dụ 'STT'), "
    "cột lạ sẽ được bỏ qua.",
    "3. Chỉ nhập giá trị, không dùng công thức: ô có công thức sẽ bị từ chối.",
    "4. Ngày ghi dạng dd/mm/yyyy (ví dụ 01/03/2020) hoặc yyyy-mm-dd.",
    "5. 'Loại cán bộ' chọn trong danh sách: " + ", ".join(STAFF_TYPE_LABELS.values()) + ".",
    f"6. 'Đảng viên' ghi '{YES}' hoặc '{NO}'.",
    "7. 'Đơn vị' phải trùng tên một đơn vị đã có trong hệ thống hoặc trong tệp đơn vị "
    "nhập cùng.",
    "8. 'Mã cán bộ' (số hiệu) nên ghi: nhập lại cùng tệp sẽ không tạo người mới, kể cả khi "
    "người đó chuyển đơn vị. Không có mã, một người được nhận biết bằng họ tên trong đơn vị.",
    "9. Tệp tối đa 5 MB và 5.000 dòng. Nếu có bất kỳ lỗi nào, không dòng nào được ghi; "
    "danh sách lỗi nêu rõ dòng và cột cần sửa.",
    "10. Có thể lưu dạng CSV (UTF-8), phân cách bằng dấu phẩy hoặc dấu chấm phẩy.",
)
_CATALOGUE_NOTES = (
    "HƯỚNG DẪN NHẬP DANH MỤC SẢN PHẨM, KẾT QUẢ CÔNG VIỆC",
    "",
    "1. Mỗi sản phẩm một dòng của trang 'Danh sách', từ dòng 2; dòng ví dụ giữ nguyên sẽ "
    "được bỏ qua. Tệp là toàn bộ danh mục: sản phẩm không có trong tệp sẽ không còn trong "
    "phiên bản mới.",
    "2. Các cột in đậm là bắt buộc; 'Mã sản phẩm' không được trùng, một vị trí việc làm "
    "không có hai sản phẩm cùng tên.",
    f"3. 'Hệ số quy đổi' là số dương, tối đa {MAX_COEFFICIENT:g} (ví dụ 1 hoặc 1,5). 'Hệ số "
    "tối thiểu', 'Hệ số tối đa' (nếu có) là khoảng lãnh đạo được chọn khi giao việc.",
    "4. Chỉ nhập giá trị, không dùng công thức: ô có công thức sẽ bị từ chối.",
    "5. Nếu có bất kỳ lỗi nào, không dòng nào được ghi. Nhập lại cùng tệp không tạo phiên "
    "bản mới. Xã, phường áp dụng danh mục của tỉnh chỉ thay đổi được phần tỉnh cho phép.",
)
_FIXED = datetime(2026, 1, 1)  # same input, same bytes: the created time is not the clock's


def staff_template_xlsx() -> bytes:
    """The staff template: header, the example row, choice lists, notes."""
    return _workbook(STAFF_COLUMNS, [[STAFF_EXAMPLE.get(c.key, "") for c in STAFF_COLUMNS]])


def units_template_xlsx() -> bytes:
    return _workbook(UNIT_COLUMNS, [[UNIT_EXAMPLE.get(c.key, "") for c in UNIT_COLUMNS]])


def staff_register_xlsx(rows: Iterable[StaffRow]) -> bytes:
    """Staff in the import's own columns (an export that imports back unchanged)."""
    return _workbook(STAFF_COLUMNS, [
        [r.code, r.full_name, STAFF_TYPE_LABELS[r.staff_type], r.position, r.unit_name,
         YES if r.party_member else NO, r.peer_group, r.party_cell, r.start_date]
        for r in rows], notes=False)


def units_register_xlsx(rows: Iterable[UnitRow]) -> bytes:
    return _workbook(UNIT_COLUMNS, [[r.name, r.kind, r.parent_name] for r in rows],
                     notes=False)


def catalogue_template_xlsx() -> bytes:
    """The catalogue template: header, the example row, notes."""
    return _workbook(CATALOGUE_COLUMNS,
                     [[CATALOGUE_EXAMPLE.get(c.key, 1 if c.key == "coefficient" else "")
                       for c in CATALOGUE_COLUMNS]], notes=True, lines=_CATALOGUE_NOTES)


def catalogue_register_xlsx(items: Iterable[CatalogueItem]) -> bytes:
    """A catalogue in the import's own columns (an export that imports back unchanged)."""
    return _workbook(CATALOGUE_COLUMNS, [
        [i.key, i.position, i.label_vi, i.unit_vi, i.coefficient, i.min_coefficient,
         i.max_coefficient] for i in items], notes=False)


def _workbook(columns: Sequence[Column], rows: Sequence[Sequence[object]],
              notes: bool = True, lines: Sequence[str] = _NOTES) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"created": _FIXED})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    plain = workbook.add_format({"bg_color": "#DDEBF7", "border": 1})
    dated = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet = workbook.add_worksheet(_DATA_SHEET)
    for i, column in enumerate(columns):
        sheet.write_string(0, i, column.header_vi, bold if column.required else plain)
        sheet.set_column(i, i, 14 if column.key in ("code", "party_member") else 26)
        if column.header_en:
            sheet.write_comment(0, i, column.header_en + (" (required)" if column.required
                                                          else ""))
    for r, values in enumerate(rows, start=1):
        for i, value in enumerate(values):
            if isinstance(value, date):
                sheet.write_datetime(r, i, datetime(value.year, value.month, value.day),
                                     dated)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(r, i, value)
            elif value not in (None, ""):
                sheet.write_string(r, i, str(value))  # never as a formula, even "=…"
    sheet.freeze_panes(1, 0)
    last = max(len(rows) + 200, 5_000)
    keys = [c.key for c in columns]
    if "staff_type" in keys:
        i = keys.index("staff_type")
        sheet.data_validation(1, i, last, i, {"validate": "list",
                                              "source": list(STAFF_TYPE_LABELS.values())})
    if "party_member" in keys:
        i = keys.index("party_member")
        sheet.data_validation(1, i, last, i, {"validate": "list", "source": [YES, NO]})
    if notes:
        guide = workbook.add_worksheet("Hướng dẫn")
        guide.set_column(0, 0, 110)
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        for r, line in enumerate(lines):
            guide.write_string(r, 0, line, workbook.add_format({"bold": True}) if r == 0
                               else wrap)
    workbook.close()
    return buffer.getvalue()
