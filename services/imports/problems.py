"""What an import refuses: a whole file (``ImportRefusedError``) or a cell (``RowProblem``).

A refused file is never partly read. Row problems are gathered, every one of them, so the
person fixes the sheet once; while there is any, no row is handed on (all rows or none).
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import DomainError


class ImportRefusedError(DomainError):
    """The upload as a whole is not accepted (size, row count, not a spreadsheet…)."""

    code = "IMPORT_REFUSED"


class FileTooLargeError(ImportRefusedError):
    code = "FILE_TOO_LARGE"


class TooManyRowsError(ImportRefusedError):
    code = "TOO_MANY_ROWS"


class NotASpreadsheetError(ImportRefusedError):
    code = "NOT_A_SPREADSHEET"


class ImportInvalidError(DomainError):
    """Raised by ``require_valid`` when a file has row problems; ``problems`` lists them all."""

    code = "IMPORT_INVALID"

    def __init__(self, problems: tuple[RowProblem, ...]) -> None:
        super().__init__(
            f"Tệp có {len(problems)} lỗi; không dòng nào được ghi. "
            + "; ".join(p.message_vi for p in problems[:3]),
            f"The file has {len(problems)} problem(s); no row was written. "
            + "; ".join(p.message_en for p in problems[:3]))
        self.problems = problems
        self.details = {"problems": len(problems)}


@dataclass(frozen=True)
class RowProblem:
    """One problem in one cell. ``row`` is the spreadsheet's own row number (the header is
    row 1), so it matches what the person sees in Excel; ``row`` 1 means the header."""

    row: int
    column_vi: str
    column_en: str
    code: str
    detail_vi: str
    detail_en: str

    def as_json(self) -> dict[str, object]:
        """As an upload's answer lists it."""
        return {"row": self.row, "column": self.column_vi, "columnEn": self.column_en,
                "code": self.code, "vi": self.message_vi, "en": self.message_en}

    @property
    def message_vi(self) -> str:
        return f"Dòng {self.row}, cột '{self.column_vi}': {self.detail_vi}"

    @property
    def message_en(self) -> str:
        return f"Row {self.row}, column '{self.column_en}': {self.detail_en}"


def upload_answer(problems: tuple[RowProblem, ...], rows: int,
                  plan: dict[str, object] | None, position: int) -> dict[str, object]:
    """What an upload answers: every problem (then nothing was written), or the plan."""
    return {"ok": not problems, "rows": rows, "problems": [p.as_json() for p in problems],
            "plan": plan, "position": position}
