"""The HR officer's import page (issue 20): upload a staff or units sheet, read every row's
problems by row and column (nothing written), then commit all rows or none.

The page calls the same import as ``POST /imports/staff/…`` and ``congtam import``
(services/office/staff_import.py), as the signed-in person, under the permission matrix's
row of the mutation it amounts to (``Mutation.registerStaff`` / ``Mutation.registerUnit``):
a person without it gets a refusal page and the sheet is not read.

Between preview and commit the page keeps nothing on the server: the previewed bytes travel
back in the commit form (base64, with their SHA-256 shown). That works across replicas,
and the commit validates and plans the file again, so an edited hidden field gains nothing
a fresh upload would not: the same checks, all rows or none, nothing twice.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any

import anyio
from litestar import get, post
from litestar.datastructures import UploadFile
from litestar.response import Response

from domain.errors import DomainError
from services.gql.context import get_context
from services.gql.permissions import Access
from services.http.sheets import SHEETS, Report, import_sheet
from services.http.web.client import SignInRequiredError
from services.http.web.page import Page, Req, Web, check_form
from services.imports import MAX_BYTES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The commit form carries the file as base64 (4/3 of it) beside the other fields.
FORM_LIMIT = MAX_BYTES * 4 // 3 + 1024 * 1024


async def access(request: Req, operation: str) -> Access:
    """The matrix's answer for ``operation``, for the person signed in to this session."""
    token = request.session.get("token")
    if not isinstance(token, str):
        raise SignInRequiredError
    scope: Any = {"type": "http", "state": {},
                  "headers": [(b"authorization", f"Bearer {token}".encode())]}
    ctx = await get_context(request.app.state, scope)
    try:
        return await ctx.access_to(operation)
    except DomainError as error:
        if error.code == "UNAUTHENTICATED":
            raise SignInRequiredError from error
        raise


@dataclass(frozen=True)
class Shown:
    """One upload as the page shows it."""

    kind: str
    name: str
    digest: str
    report: Report | None
    refusal: str = ""
    data: str = ""  # base64 of the bytes, for the commit form (only when there is no problem)


def _refused(page: Page, error: DomainError) -> Response[str]:
    status = 403 if error.code == "FORBIDDEN" else 404 if error.code == "NOT_FOUND" else 400
    return page.render("message.html", status=status,
                       message=error.message_en if page.lang == "en" else error.message_vi)


@get("/import", name="web:import")
async def import_page(request: Req, web: Web) -> Response[str]:
    page = await Page.open(web, request)
    try:
        await access(request, SHEETS["staff"].operation)
    except DomainError as error:
        return _refused(page, error)
    return page.render("import.html", shown=None)


@get("/import/template/{kind:str}", name="web:import-template")
async def import_template(request: Req, web: Web, kind: str) -> Response[Any]:
    page = await Page.open(web, request)
    found = SHEETS.get(kind.removesuffix(".xlsx"))
    if found is None:
        return page.render("message.html", status=404, message_key="not_found")
    try:
        await access(request, found.operation)
    except DomainError as error:
        return _refused(page, error)
    body = await anyio.to_thread.run_sync(found.template)
    return Response(body, media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{found.filename}"'})


async def _bytes(form: Any) -> tuple[str, bytes] | None:
    """The posted sheet: a fresh upload (preview) or the previewed bytes (commit)."""
    upload = form.get("file")
    if isinstance(upload, UploadFile):
        return upload.filename or "", await upload.read(MAX_BYTES + 1)
    carried = str(form.get("data") or "")
    if not carried:
        return None
    try:
        return str(form.get("name") or ""), base64.b64decode(carried, validate=True)
    except (binascii.Error, ValueError):
        return None


@post("/import", name="web:import-run", request_max_body_size=FORM_LIMIT)
async def import_run(request: Req, web: Web) -> Response[str]:
    form = await check_form(request)
    page = await Page.open(web, request)
    kind = str(form.get("kind") or "")
    commit = form.get("step") == "commit"
    if kind not in SHEETS:
        return page.render("import.html", status=400, shown=None)
    try:
        a = await access(request, SHEETS[kind].operation)
    except DomainError as error:
        return _refused(page, error)
    sent = await _bytes(form)
    if sent is None or not sent[1]:
        return page.render("import.html", status=422, shown=None, missing=kind)
    name, content = sent
    digest = hashlib.sha256(content).hexdigest()
    try:
        report = await import_sheet(request.app.state.rt, a, kind, content, commit=commit)
    except DomainError as error:
        if error.code == "FORBIDDEN":
            return _refused(page, error)
        text = error.message_en if page.lang == "en" else error.message_vi
        shown = Shown(kind, name, digest, None, refusal=text)
        return page.render("import.html", status=400, shown=shown, committed=False)
    carried = "" if report.problems or commit else base64.b64encode(content).decode()
    shown = Shown(kind, name, digest, report, data=carried)
    return page.render("import.html", status=422 if report.problems else 200, shown=shown,
                       committed=commit and not report.problems)


ROUTES = [import_page, import_template, import_run]
