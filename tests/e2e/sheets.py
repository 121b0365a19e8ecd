"""Import sheets over real HTTP: a template as the HR officer downloads it."""

from __future__ import annotations

import io

import httpx
import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from tests.support.gql import bearer


async def template_sheet(http: httpx.AsyncClient, token: str, kind: str) -> Worksheet:
    """``GET /imports/<kind>-template.xlsx`` answered 200, opened: its first sheet."""
    template = await http.get(f"/imports/{kind}-template.xlsx", headers=bearer(token))
    assert template.status_code == 200, template.text
    sheet = openpyxl.load_workbook(io.BytesIO(template.content)).worksheets[0]
    assert isinstance(sheet, Worksheet)
    return sheet
