"""The HR officer's import page (issue 20): upload a staff, units or catalogue sheet, read
every row's problems by row and column (nothing written), then commit all rows or none.

The page calls the same import as ``POST /imports/<kind>/…`` and ``congtam import``
(services/http/sheets.py), as the signed-in person, under the permission matrix's row of the
mutation it amounts to (``Mutation.registerStaff`` / ``registerUnit`` /
``establishWorkCatalogue``): a person without it gets a refusal page and the sheet is not
read.

Between preview and commit the checked file stays on the server, keyed by its SHA-256, for
this person of this tenant (services/http/uploads.py); the commit form carries the digest
only. A digest that is unknown, another person's, or kept too long is ``UPLOAD_EXPIRED``,
nothing written. The commit plans the rows against the log as it is then (the plan may have
changed since the preview), all rows or none, nothing twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from litestar import get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Response

from domain.errors import DomainError
from services.gql.context import get_context
from services.gql.permissions import Access
from services.http import uploads
from services.http.sheets import SHEETS, import_sheet, workbook_download
from services.http.web.client import SignInRequiredError
from services.http.web.page import Page, Req, Web, check_form
from services.imports import MAX_BYTES
from services.office.sheet_import import Report
from services.runtime import Runtime

# A little above the import's own limit, so a 5–6 MB file gets its clear FILE_TOO_LARGE.
FORM_LIMIT = MAX_BYTES + 1024 * 1024


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
    code: str = ""  # the refusal's stable code


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
async def import_template(request: Req, web: Web, kind: FromPath[str]) -> Response[Any]:
    page = await Page.open(web, request)
    found = SHEETS.get(kind.removesuffix(".xlsx"))
    if found is None:
        return page.render("message.html", status=404, message_key="not_found")
    try:
        await access(request, found.operation)
    except DomainError as error:
        return _refused(page, error)
    return await workbook_download(found.template, found.filename)


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
    rt: Runtime = request.app.state.rt
    who = (rt.pool, a.tenant.slug, a.principal.user_id)
    upload = form.get("file")
    name, digest = "", str(form.get("digest") or "")
    try:
        if commit:  # the file this person checked, kept on the server under its digest
            kept = await uploads.take(*who, digest, kind)
            name, content = kept.name, kept.data
        else:
            # Whole (the form's limit bounds it), so a refusal names the file's own size.
            content = await upload.read() if isinstance(upload, UploadFile) else b""
            if not content:
                return page.render("import.html", status=422, shown=None, missing=kind)
            name = getattr(upload, "filename", "") or ""
            digest = hashlib.sha256(content).hexdigest()
        report = await import_sheet(rt, a, kind, content, commit=commit)
    except DomainError as error:
        if error.code == "FORBIDDEN":
            return _refused(page, error)
        text = error.message_en if page.lang == "en" else error.message_vi
        shown = Shown(kind, name, digest, None, refusal=text, code=error.code)
        return page.render("import.html", status=410 if error.code == "UPLOAD_EXPIRED"
                           else 400, shown=shown, committed=False)
    if commit and not report.problems:
        await uploads.forget(*who, digest)
    elif not report.problems and report.outcome and not report.outcome.writes_nothing:
        await uploads.keep(*who, digest, kind, name, content)
    shown = Shown(kind, name, digest, report)
    return page.render("import.html", status=422 if report.problems else 200, shown=shown,
                       committed=commit and not report.problems)


ROUTES = [import_page, import_template, import_run]
