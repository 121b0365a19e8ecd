"""A ``Document`` drawn as a print-ready A4 PDF with fpdf2.

fpdf2 is pure Python (PyPI only, no system libraries at run time) and embeds TrueType fonts
as subsets. The font is DejaVu Serif, vendored under ``fonts/`` with its licence: it covers
every Vietnamese letter with its tone marks, and a serif face is what Vietnamese
administrative documents are set in.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from .document import MOTTO, NATION, Document, Heading, Paragraph, Table, Value, nfc

# fpdf2 subsets the fonts with fontTools, which reports every table it subsets at INFO:
# dozens of plain-text lines per document in a log where every line is an event.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVuSerif"
_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)  # noqa: UP017 - fpdf2 compares tz-aware


class _Page(FPDF):
    def __init__(self, document: Document) -> None:
        super().__init__(orientation="L" if document.landscape else "P", unit="mm",
                         format="A4")
        self.document = document
        for style, file in (("", "DejaVuSerif.ttf"), ("B", "DejaVuSerif-Bold.ttf"),
                            ("I", "DejaVuSerif-Italic.ttf")):
            self.add_font(FAMILY, style, str(FONTS / file))
        # Decree 30/2020 margins: left 30, right 15-20, top and bottom 20-25 mm.
        self.set_margins(25, 20, 15)
        self.set_auto_page_break(True, margin=20)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FAMILY, "I", 7.5)
        self.cell(0, 5, nfc(f"{self.document.footer()} · Trang {self.page_no()}/{{nb}}"),
                  align="C")


def render_pdf(document: Document) -> bytes:
    """The PDF's bytes; the same document gives the same bytes (the creation date is the
    signing date, not the clock), so a reproduction can be compared byte for byte."""
    pdf = _Page(document)
    pdf.set_title(nfc(document.file_title or document.title))
    pdf.set_subject(f"event-log position {document.position}")
    pdf.set_creator("Công Tâm")
    signed = document.signed_on
    pdf.set_creation_date(_EPOCH if signed is None else datetime(
        signed.year, signed.month, signed.day, tzinfo=timezone.utc))  # noqa: UP017
    pdf.add_page()
    _letterhead(pdf, document)
    for block in document.blocks:
        if isinstance(block, Heading):
            pdf.ln(2)
            pdf.set_font(FAMILY, "B", 11)
            pdf.multi_cell(0, 6, nfc(block.text), align="L", new_x=XPos.LMARGIN,
                           new_y=YPos.NEXT)
        elif isinstance(block, Paragraph):
            _paragraph(pdf, block)
        else:
            _table(pdf, block)
    _signatures(pdf, document)
    return bytes(pdf.output())


def _letterhead(pdf: FPDF, document: Document) -> None:
    left_w, gap = (80.0 if document.landscape else 72.0), 3.0
    right_x = pdf.l_margin + left_w + gap
    right_w = pdf.w - pdf.r_margin - right_x
    top = pdf.get_y()
    pdf.set_font(FAMILY, "", 11)
    pdf.set_xy(pdf.l_margin, top)
    pdf.multi_cell(left_w, 5.5, nfc(document.issuer.upper()), align="C", new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "B", 11)
    pdf.multi_cell(left_w, 5.5, nfc(document.unit_name.upper()), align="C",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    left_bottom = pdf.get_y()
    middle = pdf.l_margin + left_w / 2
    pdf.line(middle - 15, left_bottom + 1, middle + 15, left_bottom + 1)
    pdf.set_xy(right_x, top)
    size = 11.0
    pdf.set_font(FAMILY, "B", size)
    while pdf.get_string_width(NATION) > right_w - 2 and size > 8:  # the name on one line
        size -= 0.5
        pdf.set_font(FAMILY, "B", size)
    pdf.multi_cell(right_w, 5.5, NATION, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "B", size + 1)
    pdf.multi_cell(right_w, 5.5, MOTTO, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    motto_w = pdf.get_string_width(MOTTO)
    centre = right_x + right_w / 2
    pdf.line(centre - motto_w / 2, pdf.get_y() + 0.5, centre + motto_w / 2, pdf.get_y() + 0.5)
    pdf.set_y(max(pdf.get_y(), left_bottom) + 4)
    pdf.set_x(right_x)
    pdf.set_font(FAMILY, "I", 11)
    pdf.multi_cell(right_w, 5.5, nfc(document.date_line()), align="C", new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)
    pdf.ln(5)
    pdf.set_font(FAMILY, "B", 13)
    pdf.multi_cell(0, 6.5, nfc(document.title), align="C", new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)
    if document.subtitle:
        pdf.set_font(FAMILY, "I", 11)
        pdf.multi_cell(0, 6, nfc(document.subtitle), align="C", new_x=XPos.LMARGIN,
                       new_y=YPos.NEXT)
    pdf.ln(4)


def _paragraph(pdf: FPDF, block: Paragraph) -> None:
    pdf.set_x(pdf.l_margin)
    if block.label:
        pdf.set_font(FAMILY, "B", 11)
        pdf.write(6, nfc(block.label) + (": " if block.text else ""))
    pdf.set_font(FAMILY, "", 11)
    if block.text:
        pdf.write(6, nfc(block.text))
    pdf.ln(7)


def _cell_text(value: Value) -> str:
    if value is None:
        return ""
    return nfc(str(value))


def _table(pdf: FPDF, block: Table) -> None:
    pdf.set_font(FAMILY, "", 9.5)
    total = sum(block.widths)
    width = pdf.epw
    with pdf.table(col_widths=tuple(w * width / total for w in block.widths),
                   headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 245)),
                   line_height=5, text_align="LEFT", repeat_headings=1, width=width,
                   padding=1) as table:
        heading = table.row()
        for column in block.columns:
            heading.cell(nfc(column), align="CENTER")
        for values in block.rows:
            row = table.row()
            for value in values:
                row.cell(_cell_text(value),
                         align="RIGHT" if isinstance(value, int | float) else "LEFT")
    pdf.ln(3)


def _signatures(pdf: FPDF, document: Document) -> None:
    if not document.signers:
        return
    height = 45.0
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(4)
    top = pdf.get_y()
    width = pdf.epw / len(document.signers)
    for i, signer in enumerate(document.signers):
        x = pdf.l_margin + i * width
        pdf.set_xy(x, top)
        pdf.set_font(FAMILY, "B", 11)
        pdf.multi_cell(width, 6, nfc(signer.title), align="C", new_x=XPos.LEFT,
                       new_y=YPos.NEXT)
        pdf.set_font(FAMILY, "I", 10)
        pdf.multi_cell(width, 5, nfc(signer.note), align="C", new_x=XPos.LEFT,
                       new_y=YPos.NEXT)
        pdf.set_xy(x, top + 34)
        pdf.set_font(FAMILY, "B", 11)
        pdf.multi_cell(width, 6, nfc(signer.name), align="C", new_x=XPos.LEFT,
                       new_y=YPos.NEXT)
