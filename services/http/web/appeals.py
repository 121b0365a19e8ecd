"""Appeals (khiếu nại) in the browser: what waits for the signed-in person (as appellant,
reviewer, or the leader whose decision is contested), and one appeal's page with every step
and the one thing this person may do now — accept it, ask for information, decide it
(upheld, partly, dismissed, with level, score and reasons), answer a question, or take a
first-instance outcome to the level above. The API decides who may do what; the page only
offers the form the API says is theirs (``myPendingWork``'s action for this appeal)."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Response

from services.http.web.client import Refusal
from services.http.web.page import FormErrors, Page, Posted, Req, Web, check_form, saved_at
from services.http.web.staff import number

OUTCOMES = ("UPHELD", "PARTIALLY_UPHELD", "DISMISSED")
# Form action → the operation it runs and the action of myPendingWork that offers it.
FORMS = {"accept": ("AcceptAppeal", "accept"), "request": ("RequestAppealInformation", "decide"),
         "decide": ("DecideAppeal", "decide"),
         "provide": ("ProvideAppealInformation", "provide_information"),
         "escalate": ("EscalateAppeal", "may_escalate")}
# Where a refusal belongs on the appeal page, by its code (a text refusal names its field).
FIELD_OF_CODE = {"REASONS_REQUIRED": "reasons", "OUTCOME_INCONSISTENT": "level",
                 "QUOTA_EXCEEDED": "level", "SCORE_OUT_OF_RANGE": "score",
                 "GROUNDS_REQUIRED": "grounds", "APPEAL_WINDOW_CLOSED": "grounds"}
TEXT_FIELDS = {"reasons", "question", "information", "grounds"}


def pending_of(answer_data: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["node"] for e in (answer_data.get("myPendingWork") or {"edges": []})["edges"]]


@get("/appeals", name="web:appeals")
async def appeals(request: Req, web: Web) -> Response[str]:
    page = await Page.open(web, request)
    answer = await page.run("MyPendingWork", first=100)
    return page.render("appeals.html", items=pending_of(answer.data),
                       refusals=[page.refusal_text(r) for r in answer.refusals])


async def appeal_view(page: Page, appeal_id: str, errors: FormErrors | None = None,
                      values: dict[str, Any] | None = None, saved: bool = False,
                      at: int | None = None, status: int = 200) -> Response[str]:
    answer = await page.run("WebAppeal", appeal=appeal_id, at=at)
    appeal = answer.data.get("appeal")
    if appeal is None:  # absent, or out of this person's scope: the same answer
        return page.render("message.html", status=404, message=page.t("not_found"))
    actions = {p["action"] for p in pending_of(answer.data) if p["appealId"] == appeal_id}
    return page.render("appeal.html", status=status, appeal=appeal, actions=actions,
                       errors=errors or FormErrors(), values=values or {}, saved=saved,
                       outcomes=OUTCOMES)


@get("/appeals/{appeal_id:str}", name="web:appeal-detail")
async def appeal_detail(request: Req, web: Web, appeal_id: FromPath[str]) -> Response[str]:
    page = await Page.open(web, request)
    return await appeal_view(page, appeal_id, saved=page.saved, at=page.at)


def place_of(refusal: Refusal, form: str) -> str:
    if refusal.field in TEXT_FIELDS | {"level", "score"}:
        return str(refusal.field)
    if refusal.field == "note":  # the mutation's free text, whatever the form calls it
        return {"request": "question", "provide": "information", "escalate": "grounds"}.get(
            form, "reasons")
    return FIELD_OF_CODE.get(refusal.code, "form")


@post("/appeals/{appeal_id:str}", name="web:appeal-act")
async def appeal_act(request: Req, web: Web, appeal_id: FromPath[str]) -> Response[Any]:
    form = await check_form(request)
    page = await Page.open(web, request)
    action = str(form.get("action", ""))
    values = {k: str(form.get(k) or "").strip() for k in form}
    errors = FormErrors()
    if action not in FORMS:
        return Redirect(f"/appeals/{appeal_id}", status_code=303)
    variables: dict[str, Any] = {"appeal": appeal_id}
    if action == "decide":
        outcome = values.get("outcome", "")
        if outcome not in OUTCOMES:
            errors.add("outcome", page.t("required"))
        try:
            score = number(values.get("score"))
        except ValueError:
            errors.add("score", page.t("must_be_number"))
            score = None
        variables |= {"outcome": outcome, "reasons": values.get("reasons", ""),
                      "level": values.get("level") or None, "score": score}
    for name, key in (("request", "question"), ("provide", "information"),
                      ("escalate", "grounds")):
        if action == name:
            variables[key] = values.get(key, "")
            if not variables[key]:
                errors.add(key, page.t("required"))
    posted = Posted(page, request, form, back=partial(saved_at, f"/appeals/{appeal_id}"),
                    again=lambda errors: appeal_view(page, appeal_id, errors, values,
                                                     status=422))
    if errors:
        return await posted.again(errors)
    return await posted.send(FORMS[action][0], lambda r: place_of(r, action), **variables)
