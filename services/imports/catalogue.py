"""Import of the catalogue of outputs per job position (danh mục sản phẩm, kết quả công việc;
Decree 335/2025): each row one output with its conversion coefficient (hệ số quy đổi).

The sheet is the whole catalogue the tenant wants in force: rows become ``CatalogueItem``s
(``domain/catalogue.py``), and the caller hands them to the use case that establishes a
catalogue version (or, under a province, the one that applies the province's catalogue with
this tenant's adjustments). Job positions are whatever the catalogue names — there is no
separate list of positions to check them against, so a position is only required, not looked
up. The coefficient is bounded here as well as by the domain, so a typo (``15`` for ``1,5``)
is named by row and column instead of refusing the whole catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from domain.catalogue import Catalogue, CatalogueAdjustment, CatalogueItem

from .columns import CellError, Column
from .problems import RowProblem
from .reading import read_sheet
from .records import PreviewRow, SheetImport, cell_texts, preview_row, problem, records

KEY = Column("key", "key", "Mã sản phẩm", "Item code", required=True,
             aliases=("mã", "mã sp", "code", "key", "item key"))
POSITION = Column("position", "position", "Vị trí việc làm", "Job position", required=True,
                  aliases=("vị trí", "position"))
LABEL = Column("label", "label", "Tên sản phẩm", "Output", required=True,
               aliases=("sản phẩm", "tên sản phẩm, kết quả công việc", "label", "item"))
UNIT = Column("unit", "unit", "Đơn vị tính", "Unit of measure", aliases=("đvt", "unit"))
COEFFICIENT = Column("coefficient", "coefficient", "Hệ số quy đổi", "Coefficient",
                     required=True, aliases=("hệ số", "coefficient"))
LOWEST = Column("min_coefficient", "coefficient", "Hệ số tối thiểu", "Lowest coefficient",
                aliases=("min coefficient", "min"))
HIGHEST = Column("max_coefficient", "coefficient", "Hệ số tối đa", "Highest coefficient",
                 aliases=("max coefficient", "max"))
CATALOGUE_COLUMNS = (KEY, POSITION, LABEL, UNIT, COEFFICIENT, LOWEST, HIGHEST)
CATALOGUE_EXAMPLE = {"key": "VD-01", "position": "Chuyên viên văn phòng",
                     "label": "Báo cáo định kỳ (ví dụ)"}
DEFAULT_UNIT = "sản phẩm"
# A standard unit of work is 1; an output worth more than a hundred of them is a typo.
MAX_COEFFICIENT = 100.0
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


@dataclass(frozen=True)
class CatalogueRow:
    row: int
    key: str
    position: str
    label_vi: str
    unit_vi: str
    coefficient: float
    min_coefficient: float | None = None
    max_coefficient: float | None = None

    def item(self) -> CatalogueItem:
        return CatalogueItem(self.key, self.position, self.label_vi, self.unit_vi,
                             self.coefficient, self.min_coefficient, self.max_coefficient)


class CatalogueImport(SheetImport[CatalogueRow]):
    """All rows valid (``rows``) or every problem (``problems``), never a part."""


def parse_catalogue(data: bytes) -> CatalogueImport:
    """Read and check a catalogue sheet. Raises ``ImportRefusedError`` for a refused file."""
    found, problems = records(read_sheet(data), CATALOGUE_COLUMNS, CATALOGUE_EXAMPLE)
    rows: list[CatalogueRow] = []
    preview: list[PreviewRow] = []
    first_key: dict[object, int] = {}
    first_label: dict[object, int] = {}
    for record in found:
        mine: list[RowProblem] = []
        text = cell_texts(CATALOGUE_COLUMNS, record.row, record.cells, mine)
        row = _row(record.row, text, mine)
        if text.get("key"):
            _once(first_key, text["key"].casefold(), record.row, KEY, mine,
                  ("mã sản phẩm trùng với dòng", "the same item code as row"))
        if text.get("position") and text.get("label"):
            _once(first_label, (text["position"].casefold(), text["label"].casefold()),
                  record.row, LABEL, mine, ("cùng vị trí việc làm và tên sản phẩm với dòng",
                                            "the same job position and output as row"))
        if row is not None and not mine:
            rows.append(row)
        preview.append(preview_row(record, text, mine))
        problems.extend(mine)
    return CatalogueImport.all_or_none(rows, problems, preview)


def _once(first: dict[object, int], key: object, row: int, column: Column,
          problems: list[RowProblem], said: tuple[str, str]) -> None:
    if key in first:
        problems.append(problem(row, column, CellError(
            "DUPLICATE", f"{said[0]} {first[key]}.", f"{said[1]} {first[key]}.")))
    first.setdefault(key, row)


def _row(number: int, text: dict[str, str], problems: list[RowProblem]) -> CatalogueRow | None:
    before = len(problems)
    values: dict[str, float | None] = {}
    for column in (COEFFICIENT, LOWEST, HIGHEST):
        try:
            values[column.key] = _coefficient(text[column.key]) if text.get(column.key) \
                else None
        except CellError as error:
            problems.append(problem(number, column, error))
    standard = values.get("coefficient")
    low, high = values.get("min_coefficient"), values.get("max_coefficient")
    if standard is not None and low is not None and low > standard:
        problems.append(problem(number, LOWEST, _out_of_range(
            f"không được lớn hơn hệ số quy đổi ({standard:g})",
            f"must not exceed the coefficient ({standard:g})")))
    if standard is not None and high is not None and high < standard:
        problems.append(problem(number, HIGHEST, _out_of_range(
            f"không được nhỏ hơn hệ số quy đổi ({standard:g})",
            f"must not be below the coefficient ({standard:g})")))
    if len(problems) > before or standard is None or \
            len(text) < len(CATALOGUE_COLUMNS):
        return None
    return CatalogueRow(number, text["key"], text["position"], text["label"],
                        text["unit"] or DEFAULT_UNIT, standard, low, high)


def _out_of_range(vi: str, en: str) -> CellError:
    return CellError("COEFFICIENT_OUT_OF_RANGE", f"hệ số {vi}.", f"the coefficient {en}.")


def _coefficient(text: str) -> float:
    """A positive number up to ``MAX_COEFFICIENT``; ``1,5`` (a Vietnamese decimal comma)
    reads as 1.5."""
    if _NUMBER.fullmatch(text) is None:
        raise CellError("NOT_A_NUMBER", f"'{text}' không phải là số (ví dụ 1 hoặc 1,5).",
                        f"'{text}' is not a number (e.g. 1 or 1.5).")
    value = float(text.replace(",", "."))
    if not 0 < value <= MAX_COEFFICIENT:
        raise _out_of_range(f"phải lớn hơn 0 và không quá {MAX_COEFFICIENT:g}",
                            f"must be above 0 and at most {MAX_COEFFICIENT:g}")
    return value


def catalogue_of(rows: Iterable[CatalogueRow], current: Catalogue | None) -> Catalogue:
    """The tenant's own catalogue with these items; the ad-hoc range and what child tenants
    may change (not in the sheet) are kept from ``current``."""
    kept = current or Catalogue(version="draft")
    return Catalogue(version="draft", items=tuple(r.item() for r in rows),
                     ad_hoc_min=kept.ad_hoc_min, ad_hoc_max=kept.ad_hoc_max,
                     allowance=kept.allowance)


def adjustment_for(rows: Iterable[CatalogueRow], province: Catalogue,
                   current: CatalogueAdjustment | None) -> CatalogueAdjustment:
    """Under a province, the sheet as this tenant's adjustments of the province's catalogue:
    items that differ from the province's (or are new), the province's items the sheet
    leaves out as removed; the ad-hoc range adjusted (not in the sheet) is kept."""
    items = tuple(r.item() for r in rows)
    theirs = {i.key: i for i in province.items}
    mine = {i.key for i in items}
    kept = current or CatalogueAdjustment()
    return CatalogueAdjustment(
        items=tuple(i for i in items if theirs.get(i.key) != i),
        removed=tuple(k for k in theirs if k not in mine),
        ad_hoc_min=kept.ad_hoc_min, ad_hoc_max=kept.ad_hoc_max)
