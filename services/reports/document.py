"""A printable document as plain data: the administrative letterhead, blocks of content, the
signature blocks, and the log position it was produced at. The report builders make one;
``pdf.py`` and ``xlsx.py`` draw it, so both formats say the same thing.

Layout follows Decree 30/2020/NĐ-CP on administrative documents: the issuing body and the
unit on the left, the national name and motto on the right, the place-and-date line under
the motto, the title centred, signatures at the end.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date

from domain.levels import Level

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

Value = str | int | float | None


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    """``label``: ``text`` (the label bold); either may be empty."""

    text: str
    label: str = ""


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    widths: tuple[float, ...]  # relative widths, one per column

    def __post_init__(self) -> None:
        if len(self.widths) != len(self.columns) or any(
                len(r) != len(self.columns) for r in self.rows):
            raise ValueError("a table's rows and widths must match its columns")


Block = Heading | Paragraph | Table


@dataclass(frozen=True)
class Signer:
    title: str  # "NGƯỜI LẬP BIỂU"
    note: str  # "(Ký, ghi rõ họ tên)"
    name: str


@dataclass(frozen=True)
class Document:
    issuer: str  # the body above the unit, e.g. "UBND PHƯỜNG HOÀN KIẾM"
    unit_name: str
    title: str
    subtitle: str
    place: str
    signed_on: date | None
    blocks: tuple[Block, ...]
    signers: tuple[Signer, ...]
    position: int  # the event-log position the data was read at
    landscape: bool = False
    file_title: str = field(default="")

    def date_line(self) -> str:
        """"Hoàn Kiếm, ngày 05 tháng 12 năm 2026" — dotted for a hand-written date."""
        place = self.place or "…………"
        if self.signed_on is None:
            return f"{place}, ngày …… tháng …… năm ……"
        d = self.signed_on
        return f"{place}, ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"

    def footer(self) -> str:
        return (f"Lập từ nhật ký sự kiện tại vị trí {self.position} · "
                f"Produced at event-log position {self.position}")


def nfc(text: str) -> str:
    """Composed Vietnamese (one code point per letter): what the font maps and what a reader
    of the PDF's text extracts."""
    return unicodedata.normalize("NFC", text)


def level_label(level: Level | None) -> str:
    return level.label_vi if level is not None else "Chưa xếp loại"


def score_text(score: float | None) -> Value:
    if score is None:
        return None
    return int(score) if float(score).is_integer() else round(float(score), 2)


PREPARER_NOTE = "(Ký, ghi rõ họ tên)"
HEAD_NOTE = "(Ký tên, đóng dấu)"


def preparer_and_head(prepared_by: str, head_name: str) -> tuple[Signer, Signer]:
    return (Signer("NGƯỜI LẬP BIỂU", PREPARER_NOTE, prepared_by),
            Signer("THỦ TRƯỞNG ĐƠN VỊ", HEAD_NOTE, head_name))
