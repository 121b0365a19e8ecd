"""Import of staff (cán bộ, công chức, viên chức, người lao động hợp đồng).

Each row becomes what ``RegisterStaff`` needs: full name, staff type, position, unit,
Party membership, peer group, Party cell, start date — with an id derived from the
natural key (``keys.py``), so a re-import finds the same people.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from domain.ids import StaffId, UnitId
from domain.organisation import StaffType

from .columns import (
    CellError,
    Column,
    date_value,
    staff_type_value,
    yes_no_value,
)
from .keys import staff_id_for, staff_key, unit_key
from .problems import RowProblem
from .reading import Cell, read_sheet
from .records import PreviewRow, SheetImport, cell_texts, preview_row, problem, records
from .units import UnitRow

CODE = Column("code", "code", "Mã cán bộ", "Staff code",
              aliases=("mã", "số hiệu", "code", "staff id"))
FULL_NAME = Column("full_name", "fullName", "Họ và tên", "Full name", required=True,
                   aliases=("họ tên", "name"))
STAFF_TYPE = Column("staff_type", "staffType", "Loại cán bộ", "Staff type", required=True,
                    aliases=("loại", "type", "đối tượng"))
POSITION = Column("position", "position", "Chức vụ, chức danh", "Position", required=True,
                  aliases=("chức vụ", "chức danh", "title"))
UNIT = Column("unit", "unitName", "Đơn vị", "Unit", required=True,
              aliases=("đơn vị công tác", "unit name"))
PARTY = Column("party_member", "partyMember", "Đảng viên", "Party member",
               aliases=("party",))
PEER_GROUP = Column("peer_group", "peerGroup", "Nhóm nhiệm vụ tương đồng", "Peer group",
                    aliases=("nhóm", "nhóm có nhiệm vụ tương đồng"))
PARTY_CELL = Column("party_cell", "partyCell", "Chi bộ", "Party cell")
START_DATE = Column("start_date", "startDate", "Ngày bắt đầu công tác", "Start date",
                    aliases=("ngày bắt đầu", "start"))
STAFF_COLUMNS = (CODE, FULL_NAME, STAFF_TYPE, POSITION, UNIT, PARTY, PEER_GROUP, PARTY_CELL,
                 START_DATE)
STAFF_EXAMPLE = {"code": "VD-001", "full_name": "Nguyễn Văn Ví Dụ", "staff_type": "Công chức",
                 "position": "Chuyên viên", "unit": "Văn phòng HĐND và UBND"}


@dataclass(frozen=True)
class StaffRow:
    """One valid row: what ``RegisterStaff`` takes, its natural key, and where it was read."""

    row: int
    staff_id: StaffId
    key: str
    code: str
    full_name: str
    staff_type: StaffType
    position: str
    unit_name: str
    unit_id: UnitId
    party_member: bool = False
    peer_group: str = ""
    party_cell: str = ""
    start_date: date | None = None


class StaffImport(SheetImport[StaffRow]):
    """All rows valid (``rows``) or every problem (``problems``), never a part."""


def parse_staff(data: bytes, tenant: str, existing_units: Mapping[str, UnitId] | None = None,
                units_in_batch: Iterable[UnitRow] = ()) -> StaffImport:
    """Read and check a staff sheet. A row's unit must be one of ``existing_units`` (the
    tenant's units by name) or of ``units_in_batch`` (a units sheet imported with it).
    Raises ``ImportRefusedError`` when the file itself is refused."""
    found, problems = records(read_sheet(data), STAFF_COLUMNS, STAFF_EXAMPLE)
    units: dict[str, tuple[str, UnitId]] = {
        unit_key(name): (name, unit_id) for name, unit_id in (existing_units or {}).items()}
    units.update({u.key: (u.name, u.unit_id) for u in units_in_batch})
    rows: list[StaffRow] = []
    preview: list[PreviewRow] = []
    first_row: dict[str, int] = {}
    for record in found:
        mine: list[RowProblem] = []
        text = cell_texts(STAFF_COLUMNS, record.row, record.cells, mine)
        row, key = _row(tenant, record.row, record.cells, units, mine, text)
        if key is not None:
            if key in first_row:
                coded = key.startswith("code:")
                mine.append(problem(record.row, CODE if coded else FULL_NAME, CellError(
                    "DUPLICATE", f"trùng người với dòng {first_row[key]}"
                    + ("" if coded else " (cùng họ tên, cùng đơn vị; hãy ghi mã cán bộ)")
                    + ".", f"the same person as row {first_row[key]}"
                    + ("" if coded else " (same name in the same unit; give staff codes)")
                    + ".")))
            first_row.setdefault(key, record.row)
        if row is not None:
            rows.append(row)
        preview.append(preview_row(record, text, mine))
        problems.extend(mine)
    return StaffImport.all_or_none(rows, problems, preview)


def _row(tenant: str, number: int, cells: Mapping[str, Cell],
         units: Mapping[str, tuple[str, UnitId]], problems: list[RowProblem],
         text: dict[str, str]) -> tuple[StaffRow | None, str | None]:
    """The row checked cell by cell (every problem noted, not just the first), and the
    person's natural key whenever name (or code) and unit can be read. ``text``: each
    readable cell's text (``cell_texts``; a cell missing from it was refused)."""
    before = len(problems)
    staff_type, party, start, unit = None, False, None, None
    try:
        if "staff_type" in text:
            staff_type = staff_type_value(text["staff_type"])
    except CellError as error:
        problems.append(problem(number, STAFF_TYPE, error))
    try:
        party = yes_no_value(text.get("party_member", ""))
    except CellError as error:
        problems.append(problem(number, PARTY, error))
    try:
        if "start_date" in text:
            start = date_value(cells.get("start_date"), text["start_date"])
    except CellError as error:
        problems.append(problem(number, START_DATE, error))
    if text.get("unit"):
        unit = units.get(unit_key(text["unit"]))
        if unit is None:
            problems.append(problem(number, UNIT, CellError(
                "UNKNOWN_UNIT", f"đơn vị '{text['unit']}' không có trong tệp hay trong danh "
                "sách đơn vị hiện có.", f"unit '{text['unit']}' is neither in the file nor "
                "among the existing units.")))
    key = None
    if text.get("code") or (text.get("full_name") and text.get("unit")):
        key = staff_key(text.get("full_name", ""), unit[0] if unit else text.get("unit", ""),
                        text.get("code", ""))
    if len(problems) > before or len(text) < len(STAFF_COLUMNS) or staff_type is None \
            or unit is None or key is None:
        return None, key
    return StaffRow(number, staff_id_for(tenant, key), key, text["code"], text["full_name"],
                    staff_type, text["position"], unit[0], unit[1], party,
                    text["peer_group"], text["party_cell"], start), key

