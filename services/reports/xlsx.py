"""A ``Document`` written as an ``.xlsx`` with XlsxWriter: the same letterhead, tables with
numbers kept as numbers, the signatures, and the log position both in the last row and as
the workbook's custom property ``log_position``. Printing is set to A4, fitted to the width.
"""

from __future__ import annotations

import io
from datetime import datetime

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from .document import MOTTO, NATION, Document, Heading, Paragraph, Table, nfc

SHEET = "Báo cáo"
_FIXED = datetime(2026, 1, 1)
_STYLES: dict[str, dict[str, object]] = {
    "centre": {"align": "center", "valign": "vcenter", "text_wrap": True},
    "bold_centre": {"bold": True, "align": "center", "text_wrap": True},
    "motto": {"bold": True, "underline": True, "align": "center"},
    "italic_centre": {"italic": True, "align": "center", "text_wrap": True},
    "title": {"bold": True, "font_size": 14, "align": "center", "text_wrap": True},
    "bold": {"bold": True},
    "wrap": {"text_wrap": True, "valign": "top"},
    "th": {"bold": True, "border": 1, "align": "center", "valign": "vcenter",
           "text_wrap": True, "bg_color": "#E6ECF5"},
    "td": {"border": 1, "valign": "top", "text_wrap": True},
    "footer": {"italic": True, "font_size": 9},
}


def render_xlsx(document: Document) -> bytes:
    """The workbook's bytes (deterministic: its created time is the signing date)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    signed = document.signed_on
    book.set_properties({
        "title": nfc(document.file_title or document.title),
        "subject": f"event-log position {document.position}",
        "author": "Công Tâm",
        "created": _FIXED if signed is None else datetime(signed.year, signed.month,
                                                          signed.day)})
    book.set_custom_property("log_position", str(document.position))
    f = {name: book.add_format({"font_name": "Times New Roman", "font_size": 12, **props})
         for name, props in _STYLES.items()}
    sheet = book.add_worksheet(SHEET)
    tables = [b for b in document.blocks if isinstance(b, Table)]
    ncols = max([len(t.columns) for t in tables] + [4])
    widths = tables[0].widths if tables else (1.0,) * ncols
    for i in range(ncols):
        share = widths[i] / sum(widths) if i < len(widths) else 1 / ncols
        sheet.set_column(i, i, max(6.0, 110 * share))
    half = max(1, ncols // 2 - 1)
    r = 0

    def across(row: int, text: str, fmt: str, first: int = 0, last: int = ncols - 1) -> None:
        if last > first:
            sheet.merge_range(row, first, row, last, nfc(text), f[fmt])
        else:
            sheet.write_string(row, first, nfc(text), f[fmt])

    across(0, document.issuer.upper(), "centre", 0, half)
    across(0, NATION, "bold_centre", half + 1)
    across(1, document.unit_name.upper(), "bold_centre", 0, half)
    across(1, MOTTO, "motto", half + 1)
    across(3, document.date_line(), "italic_centre", half + 1)
    across(5, document.title, "title")
    r = 6
    if document.subtitle:
        across(r, document.subtitle, "italic_centre")
        r += 1
    r += 1
    for block in document.blocks:
        if isinstance(block, Heading):
            sheet.write_string(r, 0, nfc(block.text), f["bold"])
            r += 1
        elif isinstance(block, Paragraph):
            r = _paragraph(sheet, r, block, ncols, f)
        else:
            r = _table(sheet, r, block, f) + 1
    r += 1
    if document.signers:
        span = max(1, ncols // len(document.signers))
        for i, signer in enumerate(document.signers):
            first = i * span
            last = ncols - 1 if i == len(document.signers) - 1 else first + span - 1
            across(r, signer.title, "bold_centre", first, last)
            across(r + 1, signer.note, "italic_centre", first, last)
            across(r + 5, signer.name, "bold_centre", first, last)
        r += 7
    sheet.write_string(r, 0, nfc(document.footer()), f["footer"])
    sheet.set_paper(9)  # A4
    if document.landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.98, right=0.6, top=0.8, bottom=0.8)
    sheet.set_footer(f"&L&8Vị trí nhật ký sự kiện: {document.position}&R&8Trang &P/&N")
    book.close()
    return buffer.getvalue()


def _paragraph(sheet: Worksheet, r: int, block: Paragraph, ncols: int,
               f: dict[str, Format]) -> int:
    if block.label:
        sheet.write_string(r, 0, nfc(block.label), f["bold"])
        r += 1
    if block.text:
        text = nfc(block.text)
        if ncols > 1:
            sheet.merge_range(r, 0, r, ncols - 1, text, f["wrap"])
        else:
            sheet.write_string(r, 0, text, f["wrap"])
        lines = sum(1 + len(line) // 110 for line in text.split("\n"))
        sheet.set_row(r, 16 * lines)
        r += 1
    return r


def _table(sheet: Worksheet, r: int, block: Table, f: dict[str, Format]) -> int:
    for c, column in enumerate(block.columns):
        sheet.write_string(r, c, nfc(column), f["th"])
    for values in block.rows:
        r += 1
        for c, value in enumerate(values):
            if isinstance(value, bool) or value is None or value == "":
                sheet.write_blank(r, c, None, f["td"])
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value, f["td"])
            else:
                sheet.write_string(r, c, nfc(value), f["td"])  # never a formula
    return r + 1
