"""The HR officer's files over HTTP (issue 20): staff import and the printable reports.

Same bearer token and same permission matrix as GraphQL: each route is governed by the row
of the GraphQL operation that reads or writes the same thing (``GOVERNED_BY``), so a role
that cannot see a unit's board cannot print it either, and a unit outside the caller's
scope is ``NOT_FOUND`` exactly as in the API. Every refusal is JSON
``{"error": {"code", "vi", "en"}}``; rendering runs in a worker thread.

| route | governed by |
|---|---|
| ``POST /imports/staff/{preview,commit}``, ``GET …/staff-template.xlsx`` | ``registerStaff`` |
| ``POST /imports/units/{preview,commit}``, ``GET …/units-template.xlsx`` | ``registerUnit`` |
| ``POST /imports/catalogue/{preview,commit}``, ``GET …/catalogue-template.xlsx`` | ``…Catalogue`` |
| ``GET /reports/unit-month.{xlsx,pdf}?unit&year&month`` | ``Query.unitBoard`` |
| ``GET /reports/unit-year.{xlsx,pdf}?unit&year`` | ``Query.unitBoard`` |
| ``GET /reports/self-assessment.{xlsx,pdf}?staff&year`` | ``Query.personTimeline`` |
| ``GET /reports/commune-month.{xlsx,pdf}?year&month`` | ``Query.trend`` |
| ``GET /reports/province-month.{xlsx,pdf}?year&month`` | ``Query.childTenantTrend`` |
| ``GET /reports/commendations.{xlsx,pdf}?year[&quarter]`` | ``Query.commendationProposals`` |

(``…Catalogue``: ``Mutation.establishWorkCatalogue``.)
The web app prints the same documents at ``/print/…`` with the session's token
(services/http/web/prints.py, through ``print_report``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

import anyio
import structlog
from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import Body, FromPath
from litestar.response import Response
from litestar.types import ExceptionHandlersMap, Scope

from domain.errors import DomainError, NotFoundError, ValidationFailedError
from services.gql.child_tenants import granted_children
from services.gql.context import get_context
from services.gql.permissions import Access
from services.http.sheets import SHEETS, XLSX, import_sheet, workbook_download
from services.imports import MAX_BYTES, FileTooLargeError
from services.office import fill
from services.office.commendations import basis_for, proposal_document, proposals
from services.office.mail_sink import received
from services.reports import render_pdf, render_xlsx, report_pdf, report_xlsx
from services.reports.inputs import Report
from services.runtime import Runtime

log = structlog.get_logger()

STATUS = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404, "UNKNOWN_TENANT": 404,
          "FILE_TOO_LARGE": 413}
KINDS = {"xlsx": (XLSX, report_xlsx), "pdf": ("application/pdf", report_pdf)}


def refusal(error: DomainError) -> Response[dict[str, Any]]:
    return Response({"error": {"code": error.code, "vi": error.message_vi,
                               "en": error.message_en, **error.details}},
                    status_code=STATUS.get(error.code, 400))


async def access(request: Request[Any, Any, Any], operation: str,
                 scope: Scope | None = None) -> Access:
    """The caller's access to ``operation``: the request's own bearer token, or the one a
    web page's session holds (``scope``, see ``print_report``)."""
    ctx = await get_context(request.app.state, scope or request.scope)
    return await ctx.access_to(operation)


def _bad(name: str, what_vi: str, what_en: str) -> ValidationFailedError:
    return ValidationFailedError(f"Tham số '{name}' không hợp lệ: {what_vi}.",
                                 f"Parameter '{name}' is not valid: {what_en}.")


def _uuid(params: dict[str, str], name: str) -> UUID:
    try:
        return UUID(params.get(name, ""))
    except ValueError:
        raise _bad(name, "cần một mã định danh (UUID)", "a UUID is expected") from None


def _int(params: dict[str, str], name: str, low: int, high: int) -> int:
    raw = params.get(name, "")
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise _bad(name, f"cần một số từ {low} đến {high}", f"a number {low}-{high} is expected")
    return int(raw)


def _scope(a: Access) -> list[UUID] | None:
    return a.unit_ids


async def _report(request: Request[Any, Any, Any], name: str, scope: Scope | None) -> Report:
    rt: Runtime = request.app.state.rt
    q = {k: v for k, v in request.query_params.items()}
    absent = NotFoundError("Không tìm thấy tài liệu này.", "No such document.")
    if name in ("unit-month", "unit-year"):
        a = await access(request, "Query.unitBoard", scope)
        unit, year = _uuid(q, "unit"), _int(q, "year", 2000, 2100)
        found: Report | None = (
            await fill.fill_unit_month(rt, a.tenant, unit, year, _int(q, "month", 1, 12),
                                       _scope(a), a.principal.name)
            if name == "unit-month" else
            await fill.fill_unit_year(rt, a.tenant, unit, year, _scope(a), a.principal.name))
    elif name == "self-assessment":
        a = await access(request, "Query.personTimeline", scope)
        found = await fill.fill_self_assessment(
            rt, a.tenant, _uuid(q, "staff"), _int(q, "year", 2000, 2100),
            _scope(a), a.principal.user_id if a.own else None)
    elif name == "commune-month":
        a = await access(request, "Query.trend", scope)
        found = await fill.fill_commune_month(rt, a.tenant, _int(q, "year", 2000, 2100),
                                              _int(q, "month", 1, 12), _scope(a),
                                              prepared_by=a.principal.name)
    elif name == "province-month":
        a = await access(request, "Query.childTenantTrend", scope)
        children = await granted_children(rt.pool, a.tenant, a.principal.user_id,
                                          tuple(sorted(a.roles)))
        found = await fill.fill_province_month(rt, a.tenant, children,
                                               _int(q, "year", 2000, 2100),
                                               _int(q, "month", 1, 12), a.principal.name)
    else:
        raise absent
    if found is None:
        raise absent
    return found


async def _commendations(request: Request[Any, Any, Any], kind: str,
                         scope: Scope | None) -> Response[Any]:
    """``/reports/commendations.<xlsx|pdf>?year&quarter``: the proposal list, governed by
    ``Query.commendationProposals``."""
    q = {k: v for k, v in request.query_params.items()}
    a = await access(request, "Query.commendationProposals", scope)
    year = _int(q, "year", 2000, 2100)
    quarter = _int(q, "quarter", 1, 4) if q.get("quarter") else None
    rt: Runtime = request.app.state.rt
    async with fill.snapshot(rt, a.tenant) as (conn, position):
        rows = await proposals(conn, a.tenant.schema, basis_for(year, quarter), a.unit_ids)
    document = proposal_document(a.tenant.name, basis_for(year, quarter), rows, position,
                                 a.principal.name)
    render = render_pdf if kind == "pdf" else render_xlsx
    body = await anyio.to_thread.run_sync(render, document)
    return Response(body, media_type=KINDS[kind][0], headers={
        "Content-Disposition": f'attachment; filename="commendations.{kind}"',
        "X-Log-Position": str(position)})


@get("/reports/{document:str}")
async def report(request: Request[Any, Any, Any], document: FromPath[str]) -> Response[Any]:
    """``/reports/<name>.<xlsx|pdf>``: one report, filled at one log position, rendered off
    the event loop."""
    return await print_report(request, document)


async def print_report(request: Request[Any, Any, Any], document: str,
                       token: str | None = None) -> Response[Any]:
    """The report ``document`` names, for the request's bearer token or, from a web page,
    for the ``token`` its session holds: the same permissions either way."""
    # As a page's own GraphQL client builds it (services/http/web/client.py).
    scope: Any = None if token is None else {
        "type": "http", "state": {},
        "headers": [(b"authorization", f"Bearer {token}".encode())]}
    name, _, kind = document.rpartition(".")
    try:
        if kind not in KINDS:
            raise _bad("định dạng", "chỉ .xlsx hoặc .pdf", "only .xlsx or .pdf")
        if name == "commendations":
            return await _commendations(request, kind, scope)
        filled = await _report(request, name, scope)
    except DomainError as error:
        return refusal(error)
    media, render = KINDS[kind]
    body = await anyio.to_thread.run_sync(render, filled)
    log.info("report_served", report=name, kind=kind, position=filled.position)
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{document}"',
        "X-Log-Position": str(filled.position)})


async def _blank(request: Request[Any, Any, Any], operation: str, build: Callable[[], bytes],
                 filename: str) -> Response[Any]:
    """A blank workbook to fill in, for whoever may run the import it feeds."""
    try:
        await access(request, operation)
    except DomainError as error:
        return refusal(error)
    return await workbook_download(build, filename)



@get("/imports/{document:str}")
async def template(request: Request[Any, Any, Any], document: FromPath[str]) -> Response[Any]:
    """``/imports/<kind>-template.xlsx``: the blank sheet of one kind."""
    kind = document.removesuffix("-template.xlsx")
    sheet = SHEETS.get(kind) if document != kind else None
    if sheet is None:
        return refusal(NotFoundError("Không có mẫu này.", "No such template."))
    return await _blank(request, sheet.operation, sheet.template, sheet.filename)


async def _upload(request: Request[Any, Any, Any], kind: str, data: UploadFile,
                  commit: bool) -> Response[Any]:
    try:
        if kind not in SHEETS:
            raise NotFoundError("Không có loại danh sách này.", "No such kind of sheet.")
        a = await access(request, SHEETS[kind].operation)
        # Whole (the route's body limit bounds it), so a refusal names the file's own size.
        content = await data.read()
        found = await import_sheet(request.app.state.rt, a, kind, content, commit=commit)
    except DomainError as error:
        return refusal(error)
    return Response(found.as_json(), status_code=422 if found.problems else 200)


UPLOAD = Body(media_type=RequestEncodingType.MULTI_PART)
# A little above the import's own limit, so a 5–6 MB file gets its clear FILE_TOO_LARGE.
UPLOAD_LIMIT = MAX_BYTES + 1024 * 1024


def _too_large(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """A body over the route's limit, refused before it is read: the same FILE_TOO_LARGE
    as a file just over the import's own limit, not a bare "Request Entity Too Large"."""
    return refusal(FileTooLargeError(f"Tệp quá lớn (tối đa {MAX_BYTES:,} byte).",
                                     f"The file is too large (at most {MAX_BYTES:,} bytes)."))


TOO_LARGE: ExceptionHandlersMap = {RequestEntityTooLarge: _too_large}


@post("/imports/{kind:str}/preview", request_max_body_size=UPLOAD_LIMIT,
      exception_handlers=TOO_LARGE)
async def preview(request: Request[Any, Any, Any], kind: FromPath[str],
                  data: Annotated[UploadFile, UPLOAD]) -> Response[Any]:
    """Every row's problems, or what a commit would do (nothing is written)."""
    return await _upload(request, kind, data, commit=False)


@post("/imports/{kind:str}/commit", request_max_body_size=UPLOAD_LIMIT,
      exception_handlers=TOO_LARGE)
async def commit(request: Request[Any, Any, Any], kind: FromPath[str],
                 data: Annotated[UploadFile, UPLOAD]) -> Response[Any]:
    """All rows or none, in one transaction; the same file again writes nothing. Units come
    parents first (a unit already there, by name, is left as it is); the catalogue is one
    new version, or none when it is the one in force."""
    return await _upload(request, kind, data, commit=True)


@get("/dev/mail")
async def dev_mail(request: Request[Any, Any, Any]) -> Response[Any]:
    """What the development mail sink received (services/office/mail_sink.py), newest
    first. Refused in production, where mail goes to a real relay and stays there."""
    rt: Runtime = request.app.state.rt
    if rt.settings.production:
        return refusal(NotFoundError("Không có trang này.", "No such page."))
    folder = rt.settings.data_dir / "mail"
    return Response({"messages": await anyio.to_thread.run_sync(received, folder)})


ROUTES = [report, template, preview, commit, dev_mail]
