"""A staff member's month: the self-assessment form (score or points by criterion, task
results with evidence), their results and history with the tenant's level names, and an
appeal on a published result within its window."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import get, post
from litestar.response import Redirect, Response

from services.http.web.client import Refusal
from services.http.web.page import (
    FormErrors,
    Page,
    Posted,
    Req,
    Web,
    check_form,
    first_use,
    saved_at,
)

TASK_ROWS = 3
# Where a refusal belongs on the self-assessment form, by its code (text refusals name
# their field themselves).
FIELD_OF_CODE = {"SCORE_OUT_OF_RANGE": "score", "INVALID_INPUT": "criteria",
                 "STALE_VERSION": "form", "PERIOD_CLOSED": "form", "NOT_IN_PERIOD": "form"}


def number(text: Any) -> float | None:
    value = str(text or "").strip().replace(",", ".")
    if not value:
        return None
    return float(value)


async def my_months(page: Page, at: int | None = None) -> list[dict[str, Any]]:
    answer = await page.run("WebMyMonths", staff=page.me["userId"], at=at)
    history = answer.data.get("ratingHistory") or {"edges": []}
    return [e["node"] for e in history["edges"]]


def this_month(page: Page, months: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((m for m in months if (m["year"], m["month"]) ==
                 (page.today.year, page.today.month)), None)


async def self_form(page: Page, errors: FormErrors | None = None,
                    values: dict[str, Any] | None = None, saved: str = "",
                    status: int = 200, at: int | None = None) -> Response[str]:
    months = await my_months(page, at)
    now = this_month(page, months)
    period = None
    if now is not None:
        answer = await page.run("WebPeriod", unit=now["unitId"], year=now["year"],
                                month=now["month"])
        period = answer.data.get("period")
    return page.render("self.html", status=status, now=now, period=period,
                       errors=errors or FormErrors(), values=values or {}, saved=saved,
                       task_rows=range(TASK_ROWS))


@get("/self", name="web:self")
async def self_page(request: Req, web: Web) -> Response[str]:
    page = await Page.open(web, request)
    saved = page.t("saved") if page.saved else ""
    return await self_form(page, saved=saved, at=page.at)


@post("/self", name="web:self-submit")
async def self_submit(request: Req, web: Web) -> Response[Any]:
    form = await check_form(request)
    page = await Page.open(web, request)
    values = {k: form.get(k) for k in form}
    errors = FormErrors()
    score = criteria = None
    try:
        score = number(form.get("score"))
    except ValueError:
        errors.add("score", page.t("must_be_number"))
    points = []
    for criterion in page.policy["criteria"]:
        try:
            value = number(form.get(f"criterion-{criterion['key']}"))
        except ValueError:
            errors.add(f"criterion-{criterion['key']}", page.t("must_be_number"))
            continue
        if value is not None:
            points.append({"key": criterion["key"], "points": value})
    criteria = points or None
    if score is None and criteria is None and not errors:
        errors.add("score", page.t("required"))
    tasks = []
    for i in range(TASK_ROWS):
        title = str(form.get(f"task-{i}-title") or "").strip()
        if not title:
            continue
        try:
            quantity = number(form.get(f"task-{i}-quantity"))
        except ValueError:
            errors.add(f"task-{i}-quantity", page.t("must_be_number"))
            quantity = None
        tasks.append({"title": title, "quantity": int(quantity) if quantity is not None else None,
                      "quality": str(form.get(f"task-{i}-quality") or "") or None,
                      "onTime": form.get(f"task-{i}-on-time") == "yes",
                      "evidence": str(form.get(f"task-{i}-evidence") or "") or None})
    posted = Posted(page, request, form, back=partial(saved_at, "/self"),
                    again=lambda errors: self_form(page, errors, values, status=422))
    if errors:
        return await posted.again(errors)
    version = form.get("version")
    return await posted.send("WebSelfAssess", place_of, period=str(form.get("period", "")),
                             score=score, criteria=criteria, tasks=tasks,
                             note=str(form.get("note") or ""),
                             version=int(version) if str(version or "").isdigit() else None)


def place_of(refusal: Refusal) -> str:
    if refusal.field in ("title", "quality", "evidence"):
        return "tasks"
    if refusal.field == "note":
        return "note"
    return FIELD_OF_CODE.get(refusal.code, "form")


@get("/results", name="web:results")
async def results_page(request: Req, web: Web) -> Response[str]:
    page = await Page.open(web, request)
    return await results_view(page)


async def results_view(page: Page, errors: FormErrors | None = None,
                       target: str = "", saved: str = "", status: int = 200) -> Response[str]:
    answer = await page.run("WebMyMonths", staff=page.me["userId"])
    months = [e["node"] for e in (answer.data.get("ratingHistory") or {"edges": []})["edges"]]
    published = {(r["year"], r["number"]): r for r in
                 [e["node"] for e in (answer.data.get("myResults") or {"edges": []})["edges"]]}
    return page.render("results.html", status=status, months=months, published=published,
                       errors=errors or FormErrors(), target=target, saved=saved)


@post("/results/appeal", name="web:appeal")
async def file_appeal(request: Req, web: Web) -> Response[Any]:
    form = await check_form(request)
    page = await Page.open(web, request)
    evaluation = str(form.get("evaluation", ""))
    errors = FormErrors()
    grounds = str(form.get("grounds") or "").strip()
    if not grounds:
        errors.add("grounds", page.t("required"))
        return await results_view(page, errors, evaluation, status=422)
    if not first_use(request, str(form.get("_once", ""))):
        return Redirect("/results?saved=1", status_code=303)
    claimed = str(form.get("claimed") or "") or None
    answer = await page.run("FileAppeal", evaluation=evaluation, grounds=grounds,
                            claimed=claimed, evidence=str(form.get("evidence") or ""))
    if not answer.ok:
        for refusal in answer.refusals:
            errors.add("grounds" if refusal.field == "grounds" else "form",
                       page.refusal_text(refusal))
        return await results_view(page, errors, evaluation, status=422)
    return await results_view(page, saved=page.t("saved"))
