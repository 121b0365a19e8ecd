"""Spreadsheets for the import tests, written with openpyxl (a real workbook, real cells)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import openpyxl

HEADER = ("Mã cán bộ", "Họ và tên", "Loại cán bộ", "Chức vụ, chức danh", "Đơn vị",
          "Đảng viên", "Nhóm nhiệm vụ tương đồng", "Chi bộ", "Ngày bắt đầu công tác")


def xlsx(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_text(rows: Sequence[Sequence[str]], delimiter: str = ",", bom: bool = False,
             header: Sequence[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)  # quotes as Excel does
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")
