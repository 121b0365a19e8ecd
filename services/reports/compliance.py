"""Reports upward: a commune's month to the province's Department of Home Affairs, and the
province's roll-up over its communes — counts only, never a person's name."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from domain.levels import Level

from .document import Block, Document, Heading, Paragraph, Table, Value, preparer_and_head
from .inputs import CommuneMonthReport, ProvinceMonthRollup
from .unit_reports import SHORT


def percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _levels(by_level: Mapping[Level, int]) -> tuple[int, ...]:
    return tuple(by_level.get(level, 0) for level in Level)


def _distribution(counts: Iterable[Mapping[Level, int]]) -> Table:
    total: Counter[Level] = Counter()
    for by_level in counts:
        total.update(by_level)
    decided = sum(total.values())
    return Table(("Mức xếp loại", "Số người", "Tỷ lệ (%)"),
                 tuple((level.label_vi, total.get(level, 0),
                        percent(total.get(level, 0), decided)) for level in Level),
                 (50, 20, 20))


def commune_month_document(report: CommuneMonthReport) -> Document:
    staff = sum(u.staff for u in report.units)
    assessed = sum(u.self_assessed for u in report.units)
    decided = sum(u.decided for u in report.units)
    late = [u.unit_name for u in report.units if u.late]
    rows: tuple[tuple[Value, ...], ...] = tuple(
        (i, u.unit_name, u.staff, u.self_assessed, u.decided, percent(u.decided, u.staff),
         *_levels(u.by_level), "Trễ hạn" if u.late else "Đúng hạn")
        for i, u in enumerate(report.units, start=1))
    units = Table(("STT", "Đơn vị", "Số người", "Đã tự đánh giá", "Đã xếp loại",
                   "Hoàn thành (%)", *SHORT.values(), "Tiến độ"),
                  rows, (5, 26, 9, 10, 10, 10, 9, 8, 8, 8, 11))
    return _month_document(
        report, "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG HẰNG THÁNG",
        (
            Paragraph(report.recipient, "Kính gửi"),
            Heading("1. Tiến độ thực hiện"),
            Paragraph(f"Tổng số người phải đánh giá: {staff}; đã tự đánh giá: {assessed}; "
                      f"đã xếp loại: {decided} ({percent(decided, staff)}%)."),
            units,
            Heading("2. Phân bố theo mức xếp loại"),
            _distribution(u.by_level for u in report.units),
            Heading("3. Đơn vị trễ hạn"),
            Paragraph("; ".join(late) + "." if late else "Không có."),
        ))


def province_rollup_document(report: ProvinceMonthRollup) -> Document:
    c = report.communes
    rows: list[tuple[Value, ...]] = [
        (i, x.commune_name, x.units, x.staff, x.decided, percent(x.decided, x.staff),
         *_levels(x.by_level), x.late_units)
        for i, x in enumerate(c, start=1)]
    total: Counter[Level] = Counter()
    for x in c:
        total.update(x.by_level)
    staff, decided = sum(x.staff for x in c), sum(x.decided for x in c)
    rows.append((None, "Tổng cộng", sum(x.units for x in c), staff, decided,
                 percent(decided, staff), *_levels(total), sum(x.late_units for x in c)))
    return _month_document(
        report, "TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG HẰNG THÁNG CỦA CÁC XÃ, PHƯỜNG",
        (
            Table(("STT", "Xã, phường", "Số đơn vị", "Số người", "Đã xếp loại",
                   "Hoàn thành (%)", *SHORT.values(), "Đơn vị trễ hạn"),
                  tuple(rows), (5, 24, 9, 9, 10, 10, 9, 8, 8, 8, 10)),
            Heading("Phân bố theo mức xếp loại"),
            _distribution(x.by_level for x in c),
        ))


def _month_document(report: CommuneMonthReport | ProvinceMonthRollup, title: str,
                    blocks: tuple[Block, ...]) -> Document:
    """An upward monthly report: the tenant's letterhead, the month, landscape, signed by
    whoever prepared it and the head."""
    return Document(
        issuer=report.tenant_name, unit_name=report.unit_name, title=title,
        subtitle=f"Tháng {report.month:02d} năm {report.year}", place=report.place,
        signed_on=report.signed_on, blocks=blocks,
        signers=preparer_and_head(report.prepared_by, report.head_name),
        position=report.position, landscape=True,
        file_title=f"{report.tenant_name} — {report.month:02d}/{report.year}")
