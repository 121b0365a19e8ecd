"""Work items from a document/task system (hệ thống quản lý văn bản, giao việc): bytes in,
validated rows out (Decree 335/2025 expects tracking linked to those systems; their APIs
are not reachable here, so they export a file in this shape).

JSON: ``{"items": [{...}, ...]}``; CSV (UTF-8, header row, ``,`` ``;`` or tab): the same
keys as columns. Per item:

| key | required | meaning |
|---|---|---|
| ``ref`` | yes | the source system's task id: the natural key (a re-import skips it) |
| ``staff_id`` | yes | the person the work is assigned to |
| ``assigned_by`` | yes | the leader who assigned it (must be competent for the person) |
| ``kind`` | no | ``monthly`` (default) or ``quarterly`` |
| ``year``, ``number`` | yes | the month (1–12) or quarter (1–4) |
| ``assigned_on``, ``deadline`` | yes | ISO dates, within the period |
| ``expected_quantity`` | yes | > 0 |
| ``catalogue_key`` | one of | an output of the tenant's catalogue … |
| ``title``, ``coefficient`` | the two | … or ad-hoc work with its conversion coefficient |

Every problem of every row is gathered; while there is any, no row is handed on
(``ImportInvalidError``, code ``IMPORT_INVALID``). The rules of the work itself (period,
coefficient range, competent leader) are the use case's, checked for all rows before any
is written.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from domain.work_item import Assignment

from .problems import ImportInvalidError, NotASpreadsheetError, RowProblem

MAX_ITEMS = 5000
REQUIRED = ("ref", "staff_id", "assigned_by", "year", "number", "assigned_on", "deadline",
            "expected_quantity")


@dataclass(frozen=True)
class WorkItemRow:
    row: int  # the file's row (CSV: the header is 1; JSON: the item's 1-based index + 1)
    ref: str
    staff_id: UUID
    assigned_by: UUID
    what: Assignment


def _records(data: bytes) -> list[dict[str, Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotASpreadsheetError("Tệp không phải văn bản UTF-8.",
                                   "The file is not UTF-8 text.") from None
    if text.lstrip().startswith("{"):
        try:
            body = json.loads(text)
        except ValueError as error:
            raise NotASpreadsheetError(f"JSON không hợp lệ: {error}.",
                                       f"Invalid JSON: {error}.") from None
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise NotASpreadsheetError("JSON cần khóa 'items' là danh sách đối tượng.",
                                       "The JSON needs 'items', a list of objects.")
        return items
    sample = text[:2048]
    delimiter = max(",;\t", key=sample.count)
    return [dict(r) for r in csv.DictReader(io.StringIO(text), delimiter=delimiter)]


def parse_work_items(data: bytes) -> list[WorkItemRow]:
    """The file's rows, all valid, or ``ImportInvalidError`` listing every problem."""
    records = _records(data)
    if len(records) > MAX_ITEMS:
        raise NotASpreadsheetError(f"Tối đa {MAX_ITEMS} việc mỗi tệp.",
                                   f"At most {MAX_ITEMS} items per file.")
    problems: list[RowProblem] = []
    rows: list[WorkItemRow] = []
    seen: set[str] = set()
    for index, record in enumerate(records, start=2):
        found = _row(index, {k.strip(): v for k, v in record.items() if k}, problems, seen)
        if found is not None:
            rows.append(found)
    if not records:
        problems.append(RowProblem(1, "items", "items", "EMPTY", "tệp không có việc nào",
                                   "the file holds no item"))
    if problems:
        raise ImportInvalidError(tuple(problems))
    return rows


def _row(index: int, r: dict[str, Any], problems: list[RowProblem],
         seen: set[str]) -> WorkItemRow | None:
    before = len(problems)

    def bad(column: str, vi: str, en: str, code: str = "INVALID_VALUE") -> None:
        problems.append(RowProblem(index, column, column, code, vi, en))

    def text(key: str) -> str:
        value = r.get(key)
        return "" if value is None else str(value).strip()

    for column in REQUIRED:
        if not text(column):
            bad(column, "thiếu giá trị", "missing value", "REQUIRED")
    if len(problems) > before:
        return None

    def parsed(key: str, kind: Any, vi: str, en: str) -> Any:
        try:
            return kind(text(key))
        except ValueError:
            bad(key, vi, en)
            return None

    staff = parsed("staff_id", UUID, "mã cán bộ không hợp lệ", "not a valid id")
    by = parsed("assigned_by", UUID, "mã người giao không hợp lệ", "not a valid id")
    year = parsed("year", int, "năm phải là số nguyên", "not a whole number")
    number = parsed("number", int, "kỳ phải là số nguyên", "not a whole number")
    assigned_on = parsed("assigned_on", date.fromisoformat, "ngày không hợp lệ (YYYY-MM-DD)",
                         "not an ISO date")
    deadline = parsed("deadline", date.fromisoformat, "ngày không hợp lệ (YYYY-MM-DD)",
                      "not an ISO date")
    quantity = parsed("expected_quantity", float, "số lượng phải là số", "not a number")
    coefficient = parsed("coefficient", float, "hệ số phải là số", "not a number") \
        if text("coefficient") else None
    kind = text("kind") or "monthly"
    if kind not in ("monthly", "quarterly"):
        bad("kind", "kỳ phải là monthly hoặc quarterly", "must be monthly or quarterly")
    key: str | None = text("catalogue_key") or None
    title = text("title")
    if key is None and (not title or coefficient is None):
        bad("catalogue_key", "cần mã sản phẩm, hoặc tên việc và hệ số (việc phát sinh)",
            "needs a catalogue key, or a title and a coefficient (ad-hoc work)")
    ref = text("ref")
    if ref in seen:
        bad("ref", f"mã việc '{ref}' bị trùng trong tệp", f"ref '{ref}' is repeated",
            "DUPLICATE")
    seen.add(ref)
    if len(problems) > before:
        return None
    return WorkItemRow(index, ref, staff, by, Assignment(
        kind, year, number, assigned_on, deadline, quantity, key, title, coefficient))
