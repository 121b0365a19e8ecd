"""Printable reports (issue 20): plain data in (``inputs.py``), ``.xlsx`` or PDF bytes out.

Pure: no database, no other service module. The caller fills an input dataclass from the
read models at a log position, then calls ``report_xlsx`` or ``report_pdf``. Each document
has the administrative letterhead, the place-and-date line, the signature blocks and, in its
footer, the log position it was produced at.
"""

from .compliance import commune_month_document, province_rollup_document
from .document import Document
from .inputs import (
    CollectiveRow,
    CommuneCounts,
    CommuneMonthReport,
    ProvinceMonthRollup,
    Report,
    SelfAssessmentForm,
    UnitCompliance,
    UnitMonthReport,
    UnitMonthRow,
    UnitYearReport,
    UnitYearRow,
)
from .pdf import render_pdf
from .unit_reports import self_assessment_document, unit_month_document, unit_year_document
from .xlsx import render_xlsx


def document_for(report: Report) -> Document:
    """The document a report is printed as."""
    if isinstance(report, UnitMonthReport):
        return unit_month_document(report)
    if isinstance(report, SelfAssessmentForm):
        return self_assessment_document(report)
    if isinstance(report, UnitYearReport):
        return unit_year_document(report)
    if isinstance(report, CommuneMonthReport):
        return commune_month_document(report)
    return province_rollup_document(report)


def report_pdf(report: Report) -> bytes:
    """A4, fonts embedded, deterministic bytes for the same input."""
    return render_pdf(document_for(report))


def report_xlsx(report: Report) -> bytes:
    return render_xlsx(document_for(report))


__all__ = [
    "CollectiveRow",
    "CommuneCounts",
    "CommuneMonthReport",
    "Document",
    "ProvinceMonthRollup",
    "Report",
    "SelfAssessmentForm",
    "UnitCompliance",
    "UnitMonthReport",
    "UnitMonthRow",
    "UnitYearReport",
    "UnitYearRow",
    "document_for",
    "render_pdf",
    "render_xlsx",
    "report_pdf",
    "report_xlsx",
]
