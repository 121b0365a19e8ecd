"""The auditor's pages: a person's timeline from the log (who acted, in which capacity,
when), a unit's board as of a chosen date, and the hash chain's verification."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.params import FromPath
from litestar.response import Response

from services.http.web.page import Page, Req, Web


@get("/audit", name="web:audit")
async def audit_home(request: Req, web: Web) -> Response[str]:
    page = await Page.open(web, request)
    unit = request.query_params.get("unit") or (page.units[0]["id"] if page.units else "")
    staff: list[dict[str, Any]] = []
    if unit:
        answer = await page.run("WebUnitStaff", unit=unit)
        staff = [e["node"] for e in (answer.data.get("unitStaff") or {"edges": []})["edges"]]
    chain = await page.run("AuditVerify")
    return page.render("audit.html", unit=unit, staff=staff, chain=chain.data.get("auditVerify"),
                       refusals=[page.refusal_text(r) for r in chain.refusals])


@get("/audit/person/{staff_id:str}", name="web:timeline")
async def timeline(request: Req, web: Web, staff_id: FromPath[str]) -> Response[str]:
    page = await Page.open(web, request)
    answer = await page.run("WebPersonTimeline", staff=staff_id)
    entries = [e["node"] for e in (answer.data.get("personTimeline") or {"edges": []})["edges"]]
    name = request.query_params.get("name", "")
    return page.render("timeline.html", entries=entries, name=name,
                       refusals=[page.refusal_text(r) for r in answer.refusals])


@get("/audit/board", name="web:board-as-of")
async def board_as_of(request: Req, web: Web) -> Response[str]:
    page = await Page.open(web, request)
    q = request.query_params
    unit = q.get("unit") or (page.units[0]["id"] if page.units else "")
    as_of = q.get("asOf") or page.today.isoformat()
    try:
        year, month = int(q.get("year", page.today.year)), int(q.get("month", page.today.month))
    except ValueError:
        year, month = page.today.year, page.today.month
    board, refusals = None, []
    if q.get("asOf"):
        answer = await page.run("WebBoardAsOf", unit=unit, year=year, month=month,
                                asOf=f"{as_of}T23:59:59+00:00" if len(as_of) == 10 else as_of)
        board = answer.data.get("auditUnitBoardAsOf")
        refusals = [page.refusal_text(r) for r in answer.refusals]
    return page.render("board_as_of.html", unit=unit, year=year, month=month, as_of=as_of[:10],
                       board=board, refusals=refusals)
