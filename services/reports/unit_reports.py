"""The unit's documents: the monthly result list, the annual list with the collectives,
and one person's annual self-assessment form."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from domain.levels import Level
from domain.organisation import StaffType

from .document import (
    HEAD_NOTE,
    PREPARER_NOTE,
    Block,
    Document,
    Heading,
    Paragraph,
    Signer,
    Table,
    level_label,
    preparer_and_head,
    score_text,
)
from .inputs import SelfAssessmentForm, UnitMonthReport, UnitMonthRow, UnitYearReport

SHORT = {Level.A: "HTXSNV", Level.B: "HTTNV", Level.C: "HTNV", Level.D: "KHTNV"}
_BLANK = "…" * 20  # left to be written by hand on the printed form


def departs(row: UnitMonthRow) -> bool:
    """The decided rating differs from the person's own (score or level): its reasons are
    printed, as the list is posted in the unit (công khai)."""
    if row.self_level is not None and row.level is not None and row.self_level != row.level:
        return True
    return row.self_score is not None and row.score is not None and row.self_score != row.score


def summary(levels: Iterable[Level | None]) -> Paragraph:
    counted = Counter(levels)
    parts = [f"{level.label_vi}: {counted.get(level, 0)}" for level in Level]
    if counted.get(None):
        parts.append(f"Chưa xếp loại: {counted[None]}")
    return Paragraph("; ".join(parts) + f". Tổng số: {sum(counted.values())} người.",
                     "Tổng hợp")


def unit_month_document(report: UnitMonthReport) -> Document:
    rows = tuple(
        (i, r.full_name, r.position, score_text(r.self_score), score_text(r.score),
         level_label(r.level), r.reasons if departs(r) else "")
        for i, r in enumerate(report.rows, start=1))
    table = Table(("STT", "Họ và tên", "Chức vụ", "Tự chấm điểm", "Điểm", "Xếp loại",
                   "Lý do (khi khác kết quả tự đánh giá)"), rows, (5, 22, 16, 9, 8, 20, 28))
    return Document(
        issuer=report.tenant_name, unit_name=report.unit_name,
        title="DANH SÁCH KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG HẰNG THÁNG",
        subtitle=f"Tháng {report.month:02d} năm {report.year}",
        place=report.place, signed_on=report.signed_on,
        blocks=(table, summary(r.level for r in report.rows)),
        signers=preparer_and_head(report.prepared_by, report.head_name),
        position=report.position, landscape=True,
        file_title=f"{report.unit_name} — {report.month:02d}/{report.year}")


def unit_year_document(report: UnitYearReport) -> Document:
    people = Table(
        ("STT", "Họ và tên", "Chức vụ", *(f"Số tháng {SHORT[level]}" for level in Level),
         "Điểm", "Xếp loại năm", "Ghi chú"),
        tuple((i, r.full_name, r.position, *(r.monthly.get(level, 0) for level in Level),
               score_text(r.score), level_label(r.level), r.note)
              for i, r in enumerate(report.rows, start=1)),
        (5, 20, 14, 7, 7, 7, 7, 7, 19, 17))
    blocks: list[Block] = [people, summary(r.level for r in report.rows)]
    if report.collectives:
        blocks += [Heading("Kết quả xếp loại tập thể"),
                   Table(("STT", "Tập thể", "Xếp loại", "Lý do"),
                         tuple((i, c.name, level_label(c.level), c.reasons)
                               for i, c in enumerate(report.collectives, start=1)),
                         (5, 35, 25, 45))]
    return Document(
        issuer=report.tenant_name, unit_name=report.unit_name,
        title="DANH SÁCH KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG NĂM",
        subtitle=f"Năm {report.year}", place=report.place, signed_on=report.signed_on,
        blocks=tuple(blocks), signers=preparer_and_head(report.prepared_by, report.head_name),
        position=report.position, landscape=True,
        file_title=f"{report.unit_name} — {report.year}")


_SUBJECT = {StaffType.CADRE: "CÁN BỘ", StaffType.CIVIL_SERVANT: "CÔNG CHỨC",
            StaffType.PUBLIC_EMPLOYEE: "VIÊN CHỨC",
            StaffType.CONTRACT_WORKER: "NGƯỜI LAO ĐỘNG HỢP ĐỒNG"}


def _or_blank(text: str) -> str:
    return text.strip() or _BLANK


def _scored(level: Level | None, score: float | None) -> str:
    if level is None:
        return _BLANK
    return level.label_vi + ("" if score is None else f" ({score_text(score)} điểm)")


def self_assessment_document(form: SelfAssessmentForm) -> Document:
    """The annual form: I. self-assessment by criteria and tasks; II. self-rating;
    III. the direct manager's comment; IV. the competent level's rating."""
    blocks: list[Block] = [
        Paragraph(form.full_name, "Họ và tên"),
        Paragraph(form.job_title, "Chức vụ, chức danh"),
        Paragraph(form.unit_name, "Đơn vị công tác"),
        Heading("I. KẾT QUẢ TỰ ĐÁNH GIÁ"),
        Paragraph(_or_blank(form.political_qualities), "1. Chính trị tư tưởng"),
        Paragraph(_or_blank(form.ethics_lifestyle), "2. Đạo đức, lối sống"),
        Paragraph(_or_blank(form.working_style), "3. Tác phong, lề lối làm việc"),
        Paragraph(_or_blank(form.discipline), "4. Ý thức tổ chức kỷ luật"),
        Paragraph(_or_blank(form.task_results),
                  "5. Kết quả thực hiện chức trách, nhiệm vụ được giao"),
    ]
    if form.criteria:
        blocks.append(Table(
            ("STT", "Tiêu chí đánh giá", "Điểm tối đa", "Tự chấm"),
            tuple((i + 1, label, score_text(most), "" if own is None else score_text(own))
                  for i, (label, most, own) in enumerate(form.criteria)),
            (0.6, 5.0, 1.4, 1.4)))
        if form.policy_version:
            blocks.append(Paragraph(form.policy_version, "Theo chính sách đánh giá"))
    if form.leadership_results:
        blocks.append(Paragraph(form.leadership_results,
                                "6. Kết quả hoạt động của cơ quan, tổ chức, đơn vị được giao "
                                "lãnh đạo, quản lý, phụ trách"))
    blocks += [
        Heading("II. TỰ NHẬN XÉT, XẾP LOẠI CHẤT LƯỢNG"),
        Paragraph(_or_blank(form.strengths), "1. Ưu điểm"),
        Paragraph(_or_blank(form.shortcomings), "2. Khuyết điểm, hạn chế"),
        Paragraph(_scored(form.self_level, form.self_score), "3. Tự xếp loại chất lượng"),
        Heading("III. Ý KIẾN NHẬN XÉT, ĐÁNH GIÁ CỦA NGƯỜI QUẢN LÝ TRỰC TIẾP"),
        Paragraph(_or_blank(form.leader_comment)),
        Heading("IV. KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG "
                "(phần dành cho cấp có thẩm quyền đánh giá)"),
        Paragraph(_scored(form.decided_level, form.decided_score), "Xếp loại chất lượng"),
        Paragraph(_or_blank(form.decision_reasons), "Lý do"),
    ]
    return Document(
        issuer=form.tenant_name, unit_name=form.unit_name,
        title=f"PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG {_SUBJECT[form.staff_type]} "
              f"NĂM {form.year}",
        subtitle="", place=form.place, signed_on=form.signed_on, blocks=tuple(blocks),
        signers=(Signer("NGƯỜI TỰ ĐÁNH GIÁ", PREPARER_NOTE, form.full_name),
                 Signer("THỦ TRƯỞNG ĐƠN VỊ", HEAD_NOTE, form.leader_name)),
        position=form.position, file_title=f"{form.full_name} — {form.year}")
