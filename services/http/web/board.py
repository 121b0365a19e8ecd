"""The unit leader's board: every person of the unit's month with their self-assessment,
proposal and opinions, and the decision — the whole board decided in one act
(``decideRatings``: all lines or none). A refusal is shown on the line it concerns with
nothing written; a line someone else changed meanwhile (``expectedVersion``) is shown in
its current state, never overwritten; a double submit writes once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Response

from services.http.web.client import Refusal
from services.http.web.home import led_units
from services.http.web.page import Page, Req, Web, check_form, first_use

LEVELS = ("A", "B", "C", "D")


@dataclass
class Line:
    rating: dict[str, Any]
    editable: bool
    file: dict[str, Any] | None = None
    chosen: dict[str, str] = field(default_factory=dict)  # the form's values on a re-render
    errors: list[str] = field(default_factory=list)

    @property
    def staff_id(self) -> str:
        return str(self.rating["staffId"])


async def board_lines(page: Page, unit: dict[str, Any], rows: list[dict[str, Any]]) -> list[Line]:
    """Which lines this person decides: undecided people of a unit they head (never
    themselves), and the head of a unit directly below one they head."""
    heads_here = unit["leaderId"] == page.me["userId"]
    lines = []
    for row in rows:
        mine = (heads_here and row["staffId"] != page.me["userId"]) or (
            not heads_here and row["staffId"] == unit["leaderId"])
        line = Line(row, editable=mine and row["level"] is None)
        if line.editable:
            answer = await page.run("WebEvaluationFile", evaluation=row["evaluationId"])
            line.file = answer.data.get("evaluationFile")
        lines.append(line)
    return sorted(lines, key=lambda x: (not x.editable, x.rating["staffName"] or ""))


async def show_board(page: Page, unit_id: str, at: int | None = None,
                     chosen: dict[str, dict[str, str]] | None = None,
                     refusals: list[Refusal] | None = None, status: int = 200,
                     saved: bool = False, stale: bool = False) -> Response[str]:
    unit = next((u for u in led_units(page) if u["id"] == unit_id), None)
    if unit is None:
        return page.render("message.html", status=403, message=page.t("FORBIDDEN"))
    year, month = page.today.year, page.today.month
    answer = await page.run("WebLeaderBoard", unit=unit_id, year=year, month=month, at=at)
    period = answer.data.get("period")
    rows = [e["node"] for e in (answer.data.get("unitRatings") or {"edges": []})["edges"]]
    lines = await board_lines(page, unit, rows)
    quota: list[dict[str, Any]] = []
    if period is not None:
        quota = (await page.run("WebQuotaUse", period=period["id"])).data.get("quotaUse") or []
    general: list[str] = [page.refusal_text(r) for r in answer.refusals]
    for line in lines:
        line.chosen = (chosen or {}).get(line.staff_id, {})
    for refusal in refusals or []:
        line_of = next((x for x in lines if x.staff_id == refusal.staff_id), None)
        if line_of is not None:
            line_of.errors.append(page.refusal_text(refusal))
        else:
            general.append(page.refusal_text(refusal))
    return page.render("board.html", status=status, unit=unit, period=period, lines=lines,
                       quota=quota, general=general, saved=saved, stale=stale,
                       refused=bool(refusals), levels=LEVELS, year=year, month=month)


@get("/board", name="web:boards")
async def boards(request: Req, web: Web) -> Response[Any]:
    page = await Page.open(web, request)
    units = led_units(page)
    if len(units) == 1:
        return Redirect(f"/board/{units[0]['id']}", status_code=303)
    return page.render("boards.html", units=units)


@get("/board/{unit_id:str}", name="web:board")
async def board(request: Req, web: Web, unit_id: FromPath[str]) -> Response[str]:
    page = await Page.open(web, request)
    return await show_board(page, unit_id, at=page.at, saved=page.saved)


@post("/board/{unit_id:str}", name="web:board-decide")
async def decide_board(request: Req, web: Web, unit_id: FromPath[str]) -> Response[Any]:
    form = await check_form(request)
    page = await Page.open(web, request)
    chosen: dict[str, dict[str, str]] = {}
    lines, local = [], []
    for staff_id in form.getall("staff") if hasattr(form, "getall") else []:
        values = {k: str(form.get(f"{k}-{staff_id}") or "").strip()
                  for k in ("level", "score", "reasons", "version")}
        chosen[staff_id] = values
        if not values["level"]:
            continue
        try:
            score = float(values["score"].replace(",", "."))
        except ValueError:
            local.append(Refusal("INVALID_INPUT", "Điểm phải là một số.",
                                 "The score must be a number.", staff_id=staff_id))
            continue
        lines.append({"staffId": staff_id, "level": values["level"], "score": score,
                      "reasons": values["reasons"],
                      "expectedVersion": int(values["version"]) if values["version"].isdigit()
                      else None})
    if local:
        return await show_board(page, unit_id, chosen=chosen, refusals=local, status=422)
    if not lines:
        none = Refusal("INVALID_INPUT", "Chưa chọn mức xếp loại cho dòng nào.",
                       "No line has a level chosen.")
        return await show_board(page, unit_id, chosen=chosen, refusals=[none], status=422)
    if not first_use(request, str(form.get("_once", ""))):
        return Redirect(f"/board/{unit_id}?saved=1", status_code=303)
    answer = await page.run("DecideRatings", period=str(form.get("period", "")), lines=lines)
    if not answer.ok:
        stale = any(r.code in ("STALE_VERSION", "ALREADY_DECIDED") for r in answer.refusals)
        return await show_board(page, unit_id, chosen=chosen, refusals=answer.refusals,
                                status=409 if stale else 422, stale=stale)
    position = answer.data["decideRatings"]["position"]
    return Redirect(f"/board/{unit_id}?saved=1&at={position}", status_code=303)
