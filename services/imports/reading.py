"""Bytes of an upload → the rows of its first sheet, refusing what is not a spreadsheet.

The kind of file is told from its content, never its name: an ``.xlsx`` is a ZIP holding
``xl/workbook.xml``; anything else must be UTF-8 text (with or without a BOM) and is read
as CSV, separated by ``,``, ``;`` (what Excel writes in Vietnamese locales) or a tab.
Formulas are never evaluated: the workbook is opened with ``data_only=False`` and a cell
that holds a formula is kept as a ``Formula``, which the row checks refuse (a cached value
could be anything the sender's spreadsheet computed — or forged).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

import openpyxl

from .problems import FileTooLargeError, NotASpreadsheetError, TooManyRowsError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
# A 5 MB ZIP can unpack to gigabytes; a real 5,000-row register unpacks to a few MB.
MAX_UNPACKED = 100 * 1024 * 1024
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and Excel's encrypted .xlsx


# A title such as "DANH SÁCH CÁN BỘ, CÔNG CHỨC" often stands above the header.
HEADER_SEARCH = 10


def too_many_rows() -> TooManyRowsError:
    return TooManyRowsError(
        f"Tệp có quá nhiều dòng (tối đa {MAX_ROWS:,} dòng dữ liệu).".replace(",", "."),
        f"The file has too many rows (at most {MAX_ROWS:,} data rows).")


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula (its text, e.g. ``=A1+1``); never evaluated."""

    text: str


Cell = str | int | float | bool | date | datetime | Formula | None


@dataclass(frozen=True)
class Sheet:
    """The non-blank rows of a sheet, each with its row number as the spreadsheet shows it."""

    rows: tuple[tuple[int, tuple[Cell, ...]], ...]


def _refuse(vi: str, en: str) -> NotASpreadsheetError:
    return NotASpreadsheetError(f"Tệp không đọc được: {vi}", f"The file cannot be read: {en}")


def read_sheet(data: bytes) -> Sheet:
    """The first sheet of an ``.xlsx`` or the records of a CSV; raises ``ImportRefusedError``."""
    if len(data) > MAX_BYTES:
        raise FileTooLargeError(
            f"Tệp quá lớn ({len(data):,} byte, tối đa {MAX_BYTES:,} byte).",
            f"The file is too large ({len(data):,} bytes, at most {MAX_BYTES:,}).")
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise _refuse("tệp rỗng.", "the file is empty.")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if data.startswith(_OLE2):
        raise _refuse("đây là tệp Excel cũ (.xls) hoặc tệp có mật khẩu; hãy lưu lại dạng .xlsx.",
                      "this is an old Excel file (.xls) or a password-protected one; "
                      "save it as .xlsx.")
    return _read_csv(data)


def _read_xlsx(data: bytes) -> Sheet:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _refuse("tệp .xlsx bị hỏng.", "the .xlsx file is corrupt.") from exc
    if "xl/workbook.xml" not in names:
        raise _refuse("tệp nén này không phải bảng tính Excel (.xlsx).",
                      "this ZIP file is not an Excel workbook (.xlsx).")
    if unpacked > MAX_UNPACKED:
        raise FileTooLargeError("Nội dung tệp sau khi giải nén quá lớn.",
                                "The file's content is too large once unpacked.")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, XML, zip) for one cause
        raise _refuse("tệp .xlsx bị hỏng.", "the .xlsx file is corrupt.") from exc
    try:
        if not workbook.worksheets:
            raise _refuse("bảng tính không có trang nào.", "the workbook has no sheet.")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # a stale <dimension> would hide rows
        rows: list[tuple[int, tuple[Cell, ...]]] = []
        try:
            for number, cells in enumerate(sheet.iter_rows(), start=1):
                values = tuple(_xlsx_cell(c.value, c.data_type) for c in cells)
                _keep(rows, number, values)
        except (TooManyRowsError, NotASpreadsheetError):
            raise
        except Exception as exc:
            raise _refuse("tệp .xlsx bị hỏng.", "the .xlsx file is corrupt.") from exc
    finally:
        workbook.close()
    return Sheet(tuple(rows))


def _xlsx_cell(value: object, data_type: str | None) -> Cell:
    if data_type == "f":
        return Formula(str(value))
    if value is None or isinstance(value, str | int | float | bool | date):
        return value
    return str(value)  # a time, a duration, an error value such as #DIV/0!


def _read_csv(data: bytes) -> Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse("không phải bảng tính .xlsx, cũng không phải CSV mã UTF-8 (trong Excel: "
                      "Lưu thành → 'CSV UTF-8').",
                      "neither an .xlsx workbook nor UTF-8 CSV text (in Excel: Save As → "
                      "'CSV UTF-8').") from exc
    if "\x00" in text:
        raise _refuse("tệp nhị phân, không phải bảng tính.", "a binary file, not a spreadsheet.")
    # The separator is the one the first lines use most (a title line may have none).
    sample = "\n".join([line for line in text.splitlines()[:50] if line.strip()][:HEADER_SEARCH])
    delimiter = max((";", ",", "\t"), key=sample.count)
    rows: list[tuple[int, tuple[Cell, ...]]] = []
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""),
                                                   delimiter=delimiter), start=1):
            _keep(rows, number, tuple(_csv_cell(value) for value in record))
    except csv.Error as exc:
        raise _refuse(f"CSV sai cấu trúc ({exc}).", f"malformed CSV ({exc}).") from exc
    return Sheet(tuple(rows))


def _csv_cell(value: str) -> Cell:
    if not value.strip():
        return None
    # What a spreadsheet would run as a formula when it opens this CSV.
    return Formula(value) if value.lstrip().startswith("=") else value


def _keep(rows: list[tuple[int, tuple[Cell, ...]]], number: int,
          values: tuple[Cell, ...]) -> None:
    """Keep a row unless it is blank; stop reading well before a huge sheet is in memory
    (the exact count of data rows, under the header, is checked by ``records``)."""
    end = len(values)
    while end and (values[end - 1] is None or values[end - 1] == ""):
        end -= 1
    if not end:
        return
    if len(rows) >= MAX_ROWS + HEADER_SEARCH:
        raise too_many_rows()
    rows.append((number, values[:end]))
