"""Spreadsheet import of units, staff and the catalogue of outputs (issue 20): bytes in,
validated rows out.

Pure: no database, no other service module. The caller (CLI, HTTP upload) reads the file,
calls ``parse_units`` / ``parse_staff``, shows ``preview`` with its problems, and — only when
``problems`` is empty — turns ``rows`` into ``RegisterUnit`` / ``RegisterStaff`` commands,
after ``plan_staff`` has said which of them already exist. See ``keys.py`` for the natural
key and the id rule, ``reading.py`` for what files are refused.
"""

from .catalogue import (
    CATALOGUE_COLUMNS,
    MAX_COEFFICIENT,
    CatalogueImport,
    CatalogueRow,
    adjustment_for,
    catalogue_of,
    parse_catalogue,
)
from .columns import STAFF_TYPE_LABELS
from .keys import IMPORT_NAMESPACE, staff_id_for, staff_key, unit_id_for, unit_key
from .plan import ExistingStaff, StaffPlan, plan_staff
from .problems import (
    FileTooLargeError,
    ImportInvalidError,
    ImportRefusedError,
    NotASpreadsheetError,
    RowProblem,
    TooManyRowsError,
    upload_answer,
)
from .reading import MAX_BYTES, MAX_ROWS
from .records import PreviewRow
from .staff import STAFF_COLUMNS, StaffImport, StaffRow, parse_staff
from .template import (
    catalogue_register_xlsx,
    catalogue_template_xlsx,
    staff_register_xlsx,
    staff_template_xlsx,
    units_register_xlsx,
    units_template_xlsx,
)
from .units import UNIT_COLUMNS, UnitImport, UnitRow, parse_units

__all__ = [
    "CATALOGUE_COLUMNS",
    "IMPORT_NAMESPACE",
    "MAX_BYTES",
    "MAX_COEFFICIENT",
    "MAX_ROWS",
    "STAFF_COLUMNS",
    "STAFF_TYPE_LABELS",
    "UNIT_COLUMNS",
    "CatalogueImport",
    "CatalogueRow",
    "ExistingStaff",
    "FileTooLargeError",
    "ImportInvalidError",
    "ImportRefusedError",
    "NotASpreadsheetError",
    "PreviewRow",
    "RowProblem",
    "StaffImport",
    "StaffPlan",
    "StaffRow",
    "TooManyRowsError",
    "UnitImport",
    "UnitRow",
    "adjustment_for",
    "catalogue_of",
    "catalogue_register_xlsx",
    "catalogue_template_xlsx",
    "parse_catalogue",
    "parse_staff",
    "parse_units",
    "plan_staff",
    "staff_id_for",
    "staff_key",
    "staff_register_xlsx",
    "staff_template_xlsx",
    "unit_id_for",
    "unit_key",
    "units_register_xlsx",
    "units_template_xlsx",
    "upload_answer",
]
