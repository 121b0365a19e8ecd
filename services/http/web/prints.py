"""Printing from the web app (issue 20): the reports of ``GET /reports/…``
(services/http/office_routes.py) for the signed-in person's session rather than a bearer
token — the same permission rows, the same NOT_FOUND for a unit out of scope."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.params import FromPath
from litestar.response import Response

from services.http.office_routes import print_report
from services.http.web.client import SignInRequiredError
from services.http.web.page import Req


@get("/print/{document:str}", name="web:print")
async def print_document(request: Req, document: FromPath[str]) -> Response[Any]:
    """``/print/<name>.<pdf|xlsx>?…``: the parameters of ``/reports/<name>``."""
    token = request.session.get("token")
    if not isinstance(token, str):
        raise SignInRequiredError
    return await print_report(request, document, token)
