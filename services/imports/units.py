"""Import of units (đơn vị): name, kind, parent unit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.ids import UnitId

from .columns import CellError, Column
from .keys import unit_id_for, unit_key
from .problems import RowProblem
from .reading import read_sheet
from .records import PreviewRow, SheetImport, cell_texts, preview_row, problem, records

NAME = Column("name", "unitName", "Tên đơn vị", "Unit name", required=True,
              aliases=("đơn vị", "unit", "ten don vi"))
KIND = Column("kind", "kind", "Loại đơn vị", "Kind", aliases=("loại", "type"))
PARENT = Column("parent", "unitName", "Đơn vị cấp trên", "Parent unit",
                aliases=("cấp trên", "parent"))
UNIT_COLUMNS = (NAME, KIND, PARENT)
UNIT_EXAMPLE = {"name": "Văn phòng HĐND và UBND", "kind": "Cơ quan chuyên môn",
                "parent": "UBND phường"}


@dataclass(frozen=True)
class UnitRow:
    row: int
    unit_id: UnitId
    key: str
    name: str
    kind: str
    parent_name: str
    parent_id: UnitId | None


class UnitImport(SheetImport[UnitRow]):
    """All rows valid (``rows``, parents before children) or every problem (``problems``)."""


def parse_units(data: bytes, tenant: str,
                existing: Mapping[str, UnitId] | None = None) -> UnitImport:
    """Read and check a units sheet; ``existing`` maps the tenant's unit names to their ids
    (a parent may be one of them). Raises ``ImportRefusedError`` for a refused file."""
    found, problems = records(read_sheet(data), UNIT_COLUMNS, UNIT_EXAMPLE)
    known = {unit_key(name): unit_id for name, unit_id in (existing or {}).items()}
    rows: list[UnitRow] = []
    preview: list[PreviewRow] = []
    first_row: dict[str, int] = {}
    for record in found:
        mine: list[RowProblem] = []
        values = {column.key: "" for column in UNIT_COLUMNS} | cell_texts(
            UNIT_COLUMNS, record.row, record.cells, mine)
        key = unit_key(values["name"])
        if values["name"] and key in first_row:
            mine.append(problem(record.row, NAME, CellError(
                "DUPLICATE", f"đơn vị trùng với dòng {first_row[key]}.",
                f"the same unit as row {first_row[key]}.")))
        first_row.setdefault(key, record.row)
        rows.append(UnitRow(record.row, unit_id_for(tenant, values["name"]), key,
                            values["name"], values["kind"], values["parent"], None))
        preview.append(preview_row(record, {}, mine))
        problems.extend(mine)
    ids = {**known, **{r.key: r.unit_id for r in rows}}
    resolved: list[UnitRow] = []
    for r in rows:
        parent_id = ids.get(unit_key(r.parent_name)) if r.parent_name else None
        if r.parent_name and (parent_id is None or parent_id == r.unit_id):
            detail = ("không có trong tệp hay trong danh sách đơn vị hiện có.",
                      "is neither in the file nor among the existing units.")
            if parent_id == r.unit_id:
                detail = ("một đơn vị không thể là cấp trên của chính nó.",
                          "a unit cannot be its own parent.")
            problems.append(problem(r.row, PARENT, CellError("UNKNOWN_UNIT", *detail)))
        resolved.append(UnitRow(r.row, r.unit_id, r.key, r.name, r.kind, r.parent_name,
                                parent_id))
    if problems:
        return UnitImport((), tuple(sorted(problems, key=_order)), tuple(preview))
    ordered, cycle = _parents_first(resolved)
    if cycle:
        return UnitImport((), tuple(problem(r.row, PARENT, CellError(
            "PARENT_CYCLE", "các đơn vị cấp trên tạo thành vòng lặp.",
            "the parent units form a cycle.")) for r in cycle), tuple(preview))
    return UnitImport(tuple(ordered), (), tuple(preview))


def _order(p: RowProblem) -> tuple[int, str]:
    return p.row, p.column_en


def _parents_first(rows: list[UnitRow]) -> tuple[list[UnitRow], list[UnitRow]]:
    """Rows ordered so that a parent in the file comes before its children; and the rows
    left over, which form a cycle."""
    placed: set[UnitId] = set()
    in_file = {r.unit_id for r in rows}
    ordered: list[UnitRow] = []
    waiting = list(rows)
    while waiting:
        ready = [r for r in waiting
                 if r.parent_id is None or r.parent_id not in in_file or r.parent_id in placed]
        if not ready:
            return ordered, waiting
        ordered.extend(ready)
        placed.update(r.unit_id for r in ready)
        waiting = [r for r in waiting if r.unit_id not in placed]
    return ordered, []
