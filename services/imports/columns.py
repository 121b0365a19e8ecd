"""The columns of an import sheet and how one cell becomes one value.

Headers are matched without regard to case, spacing or Vietnamese diacritics, against the
Vietnamese header, the English one and a few aliases ("Họ và tên", "Ho va ten", "Full name",
"name"), so a sheet typed on a keyboard without Vietnamese input still reads. Columns the
import does not know (an ordinal "STT", a note) are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from domain.errors import DomainError
from domain.organisation import StaffType
from domain.text import check_text

from .reading import Cell, Formula


@dataclass(frozen=True)
class Column:
    key: str  # attribute of the row dataclass
    field: str  # the name ``check_text`` bounds it by (domain/text.py)
    header_vi: str
    header_en: str
    required: bool = False
    aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {fold(n) for n in (self.header_vi, self.header_en, self.key, *self.aliases)}


class CellError(Exception):
    """A cell's value is refused; carries the problem's code and both messages."""

    def __init__(self, code: str, detail_vi: str, detail_en: str) -> None:
        super().__init__(detail_en)
        self.code, self.detail_vi, self.detail_en = code, detail_vi, detail_en


_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFC, single spaces, trimmed: how names are stored and compared."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str) -> str:
    """Case- and diacritic-blind form for matching headers and choices (đ → d)."""
    decomposed = unicodedata.normalize("NFD", normalise(text).casefold().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("_", " ")


def header_map(header: tuple[Cell, ...], columns: tuple[Column, ...]) -> dict[str, int]:
    """Column key → position in ``header``; unknown headers are left out."""
    found: dict[str, int] = {}
    for position, cell in enumerate(header):
        if not isinstance(cell, str):
            continue
        name = fold(cell)
        for column in columns:
            if name in column.names() and column.key not in found:
                found[column.key] = position
                break
    return found


def text_value(column: Column, cell: Cell) -> str:
    """The cell as checked text (domain/text.py bounds); blank is "" — or refused if required."""
    if isinstance(cell, Formula):
        raise CellError("FORMULA", f"ô chứa công thức ({cell.text[:40]}); chỉ nhập giá trị.",
                        f"the cell holds a formula ({cell.text[:40]}); enter values only.")
    if cell is None:
        value = ""
    elif isinstance(cell, float) and cell.is_integer():
        value = str(int(cell))
    elif isinstance(cell, datetime | date):
        value = cell.strftime("%d/%m/%Y")
    else:
        value = str(cell)
    value = normalise(value)
    try:
        check_text(column.field, value)
    except DomainError as exc:
        raise CellError(exc.code, exc.message_vi, exc.message_en) from exc
    if column.required and not value:
        raise CellError("BLANK", "không được để trống.", "must not be blank.")
    return value


_STAFF_TYPES: dict[str, StaffType] = {
    **{fold(n): StaffType.CADRE for n in ("Cán bộ", "cadre", "cb")},
    **{fold(n): StaffType.CIVIL_SERVANT for n in ("Công chức", "civil servant", "cc")},
    **{fold(n): StaffType.PUBLIC_EMPLOYEE for n in ("Viên chức", "public employee", "vc")},
    **{fold(n): StaffType.CONTRACT_WORKER
       for n in ("Người lao động hợp đồng", "Hợp đồng", "Lao động hợp đồng", "contract worker",
                 "contract")},
}
STAFF_TYPE_LABELS: dict[StaffType, str] = {
    StaffType.CADRE: "Cán bộ",
    StaffType.CIVIL_SERVANT: "Công chức",
    StaffType.PUBLIC_EMPLOYEE: "Viên chức",
    StaffType.CONTRACT_WORKER: "Người lao động hợp đồng",
}


def staff_type_value(text: str) -> StaffType:
    found = _STAFF_TYPES.get(fold(text))
    if found is None:
        choices = ", ".join(STAFF_TYPE_LABELS.values())
        raise CellError("UNKNOWN_STAFF_TYPE",
                        f"loại cán bộ '{text}' không có; chọn một trong: {choices}.",
                        f"unknown staff type '{text}'; choose one of: {choices} "
                        "(or cadre, civil servant, public employee, contract worker).")
    return found


YES, NO = "Có", "Không"
_YES = {fold(n) for n in (YES, "x", "yes", "y", "true", "1", "Đảng viên")}
_NO = {fold(n) for n in (NO, "", "no", "n", "false", "0")}


def yes_no_value(text: str) -> bool:
    folded = fold(text)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise CellError("NOT_YES_NO", f"'{text}' không hợp lệ; ghi 'Có' hoặc 'Không'.",
                    f"'{text}' is not valid; write 'Có' (yes) or 'Không' (no).")


_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def date_value(cell: Cell, text: str) -> date | None:
    """A date cell, or text as dd/mm/yyyy (also with ``-`` or ``.``) or ISO yyyy-mm-dd."""
    if isinstance(cell, datetime):
        found: date | None = cell.date()
    elif isinstance(cell, date):
        found = cell
    elif not text:
        return None
    else:
        found = None
        if (m := _DMY.fullmatch(text)) is not None:
            found = _date(int(m[3]), int(m[2]), int(m[1]))
        elif (m := _ISO.fullmatch(text)) is not None:
            found = _date(int(m[1]), int(m[2]), int(m[3]))
    if found is None or not 1900 <= found.year <= 2100:
        raise CellError("BAD_DATE", f"ngày '{text}' không hợp lệ; ghi dạng dd/mm/yyyy.",
                        f"'{text}' is not a valid date; write dd/mm/yyyy or yyyy-mm-dd.")
    return found


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
