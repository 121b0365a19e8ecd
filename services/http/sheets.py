"""The sheets a tenant loads over HTTP — the JSON routes (``/imports/<kind>/…``) and the web
import page (``/import``) alike: which row of the permission matrix governs each, its
template, and the one call that checks and plans or writes it.

A caller whose grant is narrowed to some units imports staff of those units only; units and
the catalogue are the whole tenant's, so such a caller is refused them (``FORBIDDEN``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
from litestar.response import Response

from domain.actor import Actor
from services.gql.permissions import Access
from services.http.auth import ForbiddenError
from services.imports import (
    catalogue_template_xlsx,
    staff_template_xlsx,
    units_template_xlsx,
)
from services.office.sheet_import import Report, import_file
from services.runtime import Runtime


@dataclass(frozen=True)
class Sheet:
    operation: str  # the matrix row it is governed by: the mutation it amounts to
    template: Callable[[], bytes]
    filename: str  # of the template
    whole_tenant: bool  # only an officer of the whole tenant may load it


SHEETS: dict[str, Sheet] = {
    "staff": Sheet("Mutation.registerStaff", staff_template_xlsx, "mau-danh-sach-can-bo.xlsx",
                   whole_tenant=False),
    "units": Sheet("Mutation.registerUnit", units_template_xlsx, "mau-danh-sach-don-vi.xlsx",
                   whole_tenant=True),
    "catalogue": Sheet("Mutation.establishWorkCatalogue", catalogue_template_xlsx,
                       "mau-danh-muc-san-pham.xlsx", whole_tenant=True),
}


async def import_sheet(rt: Runtime, access: Access, kind: str, content: bytes, *,
                       commit: bool) -> Report:
    """Check ``content`` as a sheet of ``kind`` and plan (``commit=False``) or write it, as
    the caller ``access`` names, all rows or none."""
    if SHEETS[kind].whole_tenant and access.unit_ids is not None:
        raise ForbiddenError(
            "Chỉ cán bộ tổ chức của toàn đơn vị mới nhập được danh sách đơn vị và danh mục.",
            "Only an HR officer of the whole tenant may import units or the catalogue.")
    return await import_file(rt, access.tenant, kind, content,
                             Actor(access.principal.user_id, "hr_officer"), commit=commit,
                             scope=access.unit_ids)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def workbook_download(build: Callable[[], bytes], filename: str) -> Response[Any]:
    """A workbook (a template to fill in) built off the event loop, sent as a file to save:
    for the API's and the web page's template links alike."""
    body = await anyio.to_thread.run_sync(build)
    return Response(body, media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})
