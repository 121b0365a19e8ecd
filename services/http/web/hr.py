"""The HR officer's month: each unit's period (open, deadline, publish, close) and the
completion tracker — who has not self-assessed or not been rated, overdue first."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import get, post
from litestar.response import Redirect, Response

from services.http.web.page import Page, Posted, Req, Web, check_form

ACTIONS = {"open": "OpenPeriod", "publish": "PublishPeriod", "close": "ClosePeriod"}


def month_of(page: Page, request: Req) -> tuple[int, int]:
    try:
        year = int(request.query_params.get("year", page.today.year))
        month = int(request.query_params.get("month", page.today.month))
    except ValueError:
        return page.today.year, page.today.month
    return (year, month) if 1 <= month <= 12 and 2000 <= year <= 2100 else \
        (page.today.year, page.today.month)


async def periods_view(page: Page, year: int, month: int, refusals: dict[str, list[str]],
                       status: int = 200, saved: bool = False,
                       at: int | None = None) -> Response[str]:
    rows = []
    for unit in page.units:
        answer = await page.run("WebHrPeriod", unit=unit["id"], year=year, month=month, at=at)
        rows.append((unit, answer.data.get("period"), refusals.get(unit["id"], [])))
    return page.render("periods.html", status=status, rows=rows, year=year, month=month,
                       saved=saved)


@get("/periods", name="web:periods")
async def periods(request: Req, web: Web) -> Response[str]:
    page = await Page.open(web, request)
    year, month = month_of(page, request)
    return await periods_view(page, year, month, {}, saved=page.saved, at=page.at)


@post("/periods", name="web:periods-act")
async def period_action(request: Req, web: Web) -> Response[Any]:
    form = await check_form(request)
    page = await Page.open(web, request)
    action, unit = str(form.get("action", "")), str(form.get("unit", ""))
    year, month = int(str(form.get("year"))), int(str(form.get("month")))
    back = f"/periods?year={year}&month={month}&saved=1"
    if action not in ACTIONS:
        return Redirect(back, status_code=303)
    posted = Posted(page, request, form, again=lambda errors: periods_view(
        page, year, month, {unit: errors.get("form")}, status=422),
        back=lambda at: back if at is None else f"{back}&at={at}")
    variables: dict[str, Any] = {"unit": unit, "year": year, "month": month} \
        if action == "open" else {"period": str(form.get("period", ""))}
    return await posted.send(ACTIONS[action], lambda _: "form", **variables)


@get("/tracker", name="web:tracker")
async def tracker(request: Req, web: Web) -> Response[str]:
    page = await Page.open(web, request)
    year, month = month_of(page, request)
    late, units = [], []
    for unit in page.units:
        answer = await page.run("WebTracker", unit=unit["id"], year=year, month=month)
        board = answer.data.get("unitBoard")
        if board is None:
            units.append((unit, None))
            continue
        units.append((unit, board["completion"]))
        deadline = date.fromisoformat(board["completion"]["deadline"])
        overdue = deadline < page.today
        for member in (e["node"] for e in board["members"]["edges"]):
            if member["selfAssessedAt"] is None:
                late.append((overdue, unit["name"], member["fullName"], "not_assessed", deadline))
            elif member["level"] is None and member["staffId"] != unit["leaderId"]:
                late.append((overdue, unit["name"], member["fullName"], "not_rated", deadline))
    late.sort(key=lambda x: (not x[0], x[4], x[1], x[2]))
    return page.render("tracker.html", late=late, units=units, year=year, month=month)
