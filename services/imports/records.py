"""From a sheet's rows to records keyed by column, finding the header row on the way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, Self, TypeVar

from .columns import CellError, Column, header_map, normalise, text_value
from .problems import ImportInvalidError, RowProblem
from .reading import HEADER_SEARCH, MAX_ROWS, Cell, Sheet, too_many_rows


@dataclass(frozen=True)
class Record:
    row: int
    cells: dict[str, Cell]


@dataclass(frozen=True)
class PreviewRow:
    """One data row as read (column key → text), with its problems: what an upload page shows
    before the person commits."""

    row: int
    values: dict[str, str]
    problems: tuple[RowProblem, ...]


R = TypeVar("R")


@dataclass(frozen=True)
class SheetImport(Generic[R]):
    """A sheet read: all rows valid (``rows``) or every problem (``problems``), never a part;
    ``preview``: each row as read, for the upload page."""

    rows: tuple[R, ...]
    problems: tuple[RowProblem, ...]
    preview: tuple[PreviewRow, ...]

    @classmethod
    def all_or_none(cls, rows: list[R], problems: list[RowProblem],
                    preview: list[PreviewRow]) -> Self:
        """Every row when there is no problem, else none of them."""
        if problems:
            return cls((), tuple(problems), tuple(preview))
        return cls(tuple(rows), (), tuple(preview))

    def require_valid(self) -> tuple[R, ...]:
        if self.problems:
            raise ImportInvalidError(self.problems)
        return self.rows


def preview_row(record: Record, text: Mapping[str, str], problems: list[RowProblem]
                ) -> PreviewRow:
    """A row as read — each readable cell's checked text, the others as shown — with its
    problems."""
    return PreviewRow(record.row, {k: text[k] if k in text else shown(v)
                                   for k, v in record.cells.items()}, tuple(problems))


def problem(row: int, column: Column, error: CellError) -> RowProblem:
    return RowProblem(row, column.header_vi, column.header_en, error.code, error.detail_vi,
                      error.detail_en)


def cell_texts(columns: tuple[Column, ...], row: int, cells: Mapping[str, Cell],
               problems: list[RowProblem]) -> dict[str, str]:
    """Each column's cell of a row as checked text; a cell that cannot be read is noted in
    ``problems`` (every one, not just the first) and left out."""
    text: dict[str, str] = {}
    for column in columns:
        try:
            text[column.key] = text_value(column, cells.get(column.key))
        except CellError as error:
            problems.append(problem(row, column, error))
    return text


def records(sheet: Sheet, columns: tuple[Column, ...],
            example: dict[str, str] | None = None) -> tuple[list[Record], list[RowProblem]]:
    """The data rows under the header (the template's example row, unchanged, left out), or
    the problems of a header that lacks required columns."""
    candidates = sheet.rows[:HEADER_SEARCH]
    if not candidates:
        return [], [RowProblem(1, "(tiêu đề)", "(header)", "NO_HEADER",
                               "tệp không có dòng tiêu đề nào.", "the file has no header row.")]
    required = [c for c in columns if c.required]
    best_index, best = max(enumerate(header_map(cells, columns) for _, cells in candidates),
                           key=lambda found: (all(c.key in found[1] for c in required),
                                              len(found[1]), -found[0]))
    header_row = candidates[best_index][0]
    missing = [c for c in required if c.key not in best]
    if missing:
        return [], [RowProblem(header_row, c.header_vi, c.header_en, "MISSING_COLUMN",
                               "thiếu cột này trong dòng tiêu đề.",
                               "this column is missing from the header row.")
                    for c in missing]
    if len(sheet.rows) - best_index - 1 > MAX_ROWS:
        raise too_many_rows()
    folded_example = {k: _same(v) for k, v in (example or {}).items()}
    found: list[Record] = []
    for row, cells in sheet.rows[best_index + 1:]:
        record = Record(row, {key: cells[i] if i < len(cells) else None
                              for key, i in best.items()})
        if folded_example and all(_same(shown(record.cells.get(k))) == v
                                  for k, v in folded_example.items()):
            continue
        found.append(record)
    return found, []


def _same(text: str) -> str:
    return normalise(text).casefold()


def shown(cell: Cell) -> str:
    """A cell as the preview shows it, whatever its type."""
    if cell is None:
        return ""
    column = Column("", "", "", "")
    try:
        return text_value(column, cell)
    except CellError:
        return str(getattr(cell, "text", cell))
