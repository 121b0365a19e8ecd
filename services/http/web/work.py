"""Work outputs (Decree 335/2025) in the web app: the person's work this month with a form to
report an item done, and their score computed from work; the leader's work board of a unit
they lead — assign an output (from the catalogue or ad hoc) to one or several people,
confirm what was reported (quality, timeliness, a delay waived for an objective cause with
its reasons, the quantity confirmed), reassign or cancel an item with reasons — and each
person's score breakdown. When the tenant tracks work quarterly (Decree 335/2025 allows
monthly or quarterly: its quarterly policy scores work), the leader's pages offer the
quarter's view as well as the month's (``?kind=quarterly``).

Every rule is the API's: a refusal comes back in Vietnamese (or English) and is shown on
the form it concerns, nothing written. A page another role may not use answers 403.
"""

from __future__ import annotations

import calendar
from datetime import date
from functools import partial
from typing import Any

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Response

from services.http.web.home import led_units
from services.http.web.page import FormErrors, Page, Posted, Req, Web, check_form, saved_at
from services.http.web.staff import number

PERSON = {"staff", "unit_leader", "hr_officer"}


def _day(text: Any) -> date | None:
    try:
        return date.fromisoformat(str(text or "").strip())
    except ValueError:
        return None


def _denied(page: Page) -> Response[str]:
    return page.render("message.html", status=403, message=page.t("FORBIDDEN"))


def _edges(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [e["node"] for e in (data.get(name) or {"edges": []})["edges"]]


def period_number(page: Page, kind: str) -> int:
    """This month, or this quarter (1–4)."""
    month = page.today.month
    return (month - 1) // 3 + 1 if kind == "quarterly" else month


def period_end(page: Page, kind: str) -> date:
    today = page.today
    month = 3 * period_number(page, kind) if kind == "quarterly" else today.month
    return date(today.year, month, calendar.monthrange(today.year, month)[1])


async def tracks_quarterly(page: Page) -> bool:
    """The tenant's quarterly policy is in force and scores work (Decree 335, art. 13)."""
    quarterly = (await page.run("WebWorkCycles")).data.get("quarterly") or {}
    return bool(quarterly.get("revision") and quarterly.get("tracksWork"))


async def kind_of(page: Page, asked: Any) -> str:
    """The view asked for, the quarter's only where the tenant tracks it."""
    return "quarterly" if str(asked or "") == "quarterly" and await tracks_quarterly(page) \
        else "monthly"


def _back(unit_id: str, kind: str, at: int | None = None) -> str:
    quarter = "&kind=quarterly" if kind == "quarterly" else ""
    position = f"&at={at}" if at is not None else ""
    return f"/work/board/{unit_id}?saved=1{quarter}{position}"


async def breakdown_of(page: Page, staff_id: str, at: int | None = None,
                       kind: str = "monthly") -> dict[str, Any] | None:
    answer = await page.run("WebScoreBreakdown", staff=staff_id, year=page.today.year,
                            number=period_number(page, kind), at=at, kind=kind.upper())
    found: dict[str, Any] | None = answer.data.get("scoreBreakdown")
    return found


# The person ------------------------------------------------------------------------------

async def my_work_view(page: Page, errors: dict[str, FormErrors] | None = None,
                       values: dict[str, Any] | None = None, status: int = 200,
                       at: int | None = None, saved: bool = False) -> Response[str]:
    answer = await page.run("MyWork", year=page.today.year, number=page.today.month,
                            atLeast=at)
    items = _edges(answer.data, "myWork")
    breakdown = await breakdown_of(page, page.me["userId"], at)
    return page.render("work.html", status=status, items=items, breakdown=breakdown,
                       errors=errors or {}, values=values or {}, saved=saved,
                       no_errors=FormErrors())


@get("/work", name="web:work")
async def my_work(request: Req, web: Web) -> Response[str]:
    page = await Page.open(web, request)
    if not page.roles & PERSON:
        return _denied(page)
    return await my_work_view(page, at=page.at, saved=page.saved)


@post("/work/report", name="web:work-report")
async def report_done(request: Req, web: Web) -> Response[Any]:
    form = await check_form(request)
    page = await Page.open(web, request)
    if not page.roles & PERSON:
        return _denied(page)
    item = str(form.get("item", ""))
    values = {item: {k: str(form.get(k) or "") for k in ("quantity", "done_on", "evidence")}}
    posted = Posted(page, request, form, back=partial(saved_at, "/work"),
                    again=lambda errors: my_work_view(page, {item: errors}, values, status=422))
    errors = FormErrors()
    quantity = None
    try:
        quantity = number(form.get("quantity"))
        if quantity is None:
            errors.add("quantity", page.t("required"))
    except ValueError:
        errors.add("quantity", page.t("must_be_number"))
    done_on = _day(form.get("done_on"))
    if done_on is None:
        errors.add("done_on", page.t("must_be_date"))
    if errors or quantity is None or done_on is None:
        return await posted.again(errors)
    return await posted.send(
        "ReportWorkDone",
        lambda r: "quantity" if r.code == "QUANTITY_NOT_POSITIVE" else "form",
        input={"itemId": item, "quantity": quantity, "doneOn": done_on.isoformat(),
               "evidence": str(form.get("evidence") or "")})


# The leader ------------------------------------------------------------------------------

def _led(page: Page, unit_id: str) -> dict[str, Any] | None:
    if "unit_leader" not in page.roles:
        return None
    return next((u for u in led_units(page) if u["id"] == unit_id), None)


async def board_view(page: Page, unit: dict[str, Any], errors: dict[str, FormErrors] | None = None,
                     values: dict[str, Any] | None = None, status: int = 200,
                     at: int | None = None, saved: bool = False, kind: str = "monthly"
                     ) -> Response[str]:
    answer = await page.run("UnitWorkBoard", unit=unit["id"], year=page.today.year,
                            number=period_number(page, kind), kind=kind.upper(), atLeast=at)
    items = _edges(answer.data, "unitWorkBoard")
    people = _edges((await page.run("WebUnitStaff", unit=unit["id"])).data, "unitStaff")
    breakdowns = [(p, await breakdown_of(page, p["id"], at, kind)) for p in people]
    return page.render("work_board.html", status=status, unit=unit, items=items,
                       people=people, breakdowns=breakdowns, errors=errors or {},
                       values=values or {}, saved=saved, no_errors=FormErrors(),
                       kind=kind, number=period_number(page, kind),
                       quarterly=kind == "quarterly" or await tracks_quarterly(page),
                       general=[page.refusal_text(r) for r in answer.refusals])


@get("/work/board", name="web:work-boards")
async def work_boards(request: Req, web: Web) -> Response[Any]:
    page = await Page.open(web, request)
    units = led_units(page) if "unit_leader" in page.roles else []
    if not units:
        return _denied(page)
    return Redirect(f"/work/board/{units[0]['id']}", status_code=303)


@get("/work/board/{unit_id:str}", name="web:work-board")
async def work_board(request: Req, web: Web, unit_id: FromPath[str]) -> Response[str]:
    page, unit, kind = await _leading(request, web, unit_id, request.query_params.get("kind"))
    if unit is None:
        return _denied(page)
    return await board_view(page, unit, at=page.at,
                            saved=page.saved, kind=kind)


async def _leading(request: Req, web: Web, unit_id: str, asked: Any
                   ) -> tuple[Page, dict[str, Any] | None, str]:
    """A page about a unit: the unit if the person leads it (else None, and the page
    answers 403), and the view asked for (monthly, or quarterly where it is tracked)."""
    page = await Page.open(web, request)
    unit = _led(page, unit_id)
    kind = await kind_of(page, asked) if unit is not None else "monthly"
    return page, unit, kind


async def _on_board(request: Req, web: Web, unit_id: str, fields: tuple[str, ...]
                    ) -> Posted | Response[str]:
    """A form of the board of a unit the person leads, about one item (else 403)."""
    form = await check_form(request)
    page, unit, kind = await _leading(request, web, unit_id, form.get("kind"))
    if unit is None:
        return _denied(page)
    item = str(form.get("item", ""))
    values = {item: {k: str(form.get(k) or "") for k in fields}}
    return Posted(page, request, form, back=partial(_back, unit_id, kind),
                  again=lambda errors: board_view(page, unit, {item: errors}, values,
                                                  status=422, kind=kind))


@post("/work/board/{unit_id:str}/confirm", name="web:work-confirm")
async def confirm(request: Req, web: Web, unit_id: FromPath[str]) -> Response[Any]:
    posted = await _on_board(request, web, unit_id, (
        "quality", "timeliness", "waived", "waiver_reasons", "comment", "quantity"))
    if isinstance(posted, Response):
        return posted
    page, form = posted.page, posted.form
    quality, timeliness = str(form.get("quality") or ""), str(form.get("timeliness") or "")
    errors = FormErrors()
    if quality not in ("meets", "fails"):
        errors.add("quality", page.t("required"))
    if timeliness not in ("on_time", "late"):
        errors.add("timeliness", page.t("required"))
    quantity = None  # left blank: the quantity the person reported is confirmed
    try:
        quantity = number(form.get("quantity"))
    except ValueError:
        errors.add("quantity", page.t("must_be_number"))
    if errors:
        return await posted.again(errors)
    return await posted.send(
        "ConfirmWork",
        lambda r: "waiver_reasons" if r.code in ("REASONS_REQUIRED", "WAIVER_REASONS_REQUIRED")
        else "quantity" if r.field == "quantity" else "form",
        input={"itemId": str(form.get("item", "")), "quality": quality.upper(),
               "timeliness": timeliness.upper(), "quantity": quantity,
               "timelinessWaived": form.get("waived") == "yes",
               "waiverReasons": str(form.get("waiver_reasons") or ""),
               "comment": str(form.get("comment") or "")})


@post("/work/board/{unit_id:str}/reassign", name="web:work-reassign")
async def reassign(request: Req, web: Web, unit_id: FromPath[str]) -> Response[Any]:
    """Giao lại: the item closes with the reasons and a new one opens for the person
    chosen; without reasons the API refuses and nothing is written."""
    posted = await _on_board(request, web, unit_id,
                             ("to_staff", "reassign_reasons", "new_deadline"))
    if isinstance(posted, Response):
        return posted
    page, form = posted.page, posted.form
    errors = FormErrors()
    to_staff = str(form.get("to_staff") or "")
    if not to_staff:
        errors.add("to_staff", page.t("required"))
    deadline = None
    if str(form.get("new_deadline") or "").strip():
        deadline = _day(form.get("new_deadline"))
        if deadline is None:
            errors.add("new_deadline", page.t("must_be_date"))
    if errors:
        return await posted.again(errors)
    return await posted.send(
        "ReassignWork", lambda r: "reassign_reasons" if r.code == "REASONS_REQUIRED" else "form",
        item=str(form.get("item", "")), to=to_staff, on=page.today.isoformat(),
        reasons=str(form.get("reassign_reasons") or ""),
        deadline=deadline.isoformat() if deadline else None)


@post("/work/board/{unit_id:str}/cancel", name="web:work-cancel")
async def cancel(request: Req, web: Web, unit_id: FromPath[str]) -> Response[Any]:
    """Hủy việc with reasons; without them the API refuses and nothing is written."""
    posted = await _on_board(request, web, unit_id, ("cancel_reasons",))
    if isinstance(posted, Response):
        return posted
    form = posted.form
    return await posted.send(
        "CancelWork", lambda r: "cancel_reasons" if r.code == "REASONS_REQUIRED" else "form",
        item=str(form.get("item", "")), reasons=str(form.get("cancel_reasons") or ""))


async def assign_view(page: Page, unit: dict[str, Any], errors: FormErrors | None = None,
                      values: dict[str, Any] | None = None, status: int = 200,
                      kind: str = "monthly") -> Response[str]:
    people = _edges((await page.run("WebUnitStaff", unit=unit["id"])).data, "unitStaff")
    catalogue = (await page.run("WebWorkCatalogue")).data.get("workCatalogue")
    defaults = {"assigned_on": page.today.isoformat(),
                "deadline": period_end(page, kind).isoformat(),
                "expected_quantity": "1", "staff": []}
    return page.render("work_assign.html", status=status, unit=unit, people=people,
                       catalogue=catalogue, errors=errors or FormErrors(),
                       values={**defaults, **(values or {})}, kind=kind,
                       number=period_number(page, kind))


@get("/work/assign/{unit_id:str}", name="web:work-assign")
async def assign_page(request: Req, web: Web, unit_id: FromPath[str]) -> Response[str]:
    page, unit, kind = await _leading(request, web, unit_id, request.query_params.get("kind"))
    if unit is None:
        return _denied(page)
    return await assign_view(page, unit, kind=kind)


@post("/work/assign/{unit_id:str}", name="web:work-assign-send")
async def assign(request: Req, web: Web, unit_id: FromPath[str]) -> Response[Any]:
    form = await check_form(request)
    page, unit, kind = await _leading(request, web, unit_id, form.get("kind"))
    if unit is None:
        return _denied(page)
    staff = [str(s) for s in (form.getall("staff") if hasattr(form, "getall") else [])]
    values: dict[str, Any] = {k: str(form.get(k) or "") for k in (
        "catalogue_key", "title", "coefficient", "expected_quantity", "assigned_on",
        "deadline")}
    values["staff"] = staff
    posted = Posted(page, request, form, back=partial(_back, unit_id, kind),
                    again=lambda errors: assign_view(page, unit, errors, values, status=422,
                                                     kind=kind))
    errors = FormErrors()
    if not staff:
        errors.add("staff", page.t("choose_people"))
    expected = coefficient = None
    try:
        expected = number(values["expected_quantity"])
        if expected is None:
            errors.add("expected_quantity", page.t("required"))
    except ValueError:
        errors.add("expected_quantity", page.t("must_be_number"))
    try:
        coefficient = number(values["coefficient"])
    except ValueError:
        errors.add("coefficient", page.t("must_be_number"))
    assigned_on, deadline = _day(values["assigned_on"]), _day(values["deadline"])
    for name, day in (("assigned_on", assigned_on), ("deadline", deadline)):
        if day is None:
            errors.add(name, page.t("must_be_date"))
    key = values["catalogue_key"] or None
    if key is None and not values["title"].strip():
        errors.add("title", page.t("required"))
    if errors or assigned_on is None or deadline is None:
        return await posted.again(errors)
    return await posted.send(
        "AssignWork",
        lambda r: str(r.field) if r.field in ("title", "coefficient") else "form",
        input={"staffIds": staff, "year": page.today.year,
               "number": period_number(page, kind), "kind": kind.upper(),
               "assignedOn": assigned_on.isoformat(), "deadline": deadline.isoformat(),
               "expectedQuantity": expected, "catalogueKey": key,
               "title": values["title"].strip(), "coefficient": coefficient})
