"""The HR officer's registers: the units and people of the tenant (list one unit's people,
register a person, register a unit), the policy in force with its version history, and the
year's round of collectives (open it, follow it in rating order)."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import get, post
from litestar.response import Redirect, Response

from services.http.web.page import FormErrors, Page, Posted, Req, Web, check_form, saved_at

STAFF_TYPES = ("CADRE", "CIVIL_SERVANT", "PUBLIC_EMPLOYEE", "CONTRACT_WORKER")
CYCLES = ("MONTHLY", "ANNUAL")
# The register's form fields, by the names refusals use for them (text refusals name the
# GraphQL field; a refusal naming nothing here belongs to the whole form).
PERSON_FIELDS = {"fullName": "fullName", "full name": "fullName", "position": "position",
                 "staffType": "staffType", "unitId": "unit", "startDate": "startDate"}
UNIT_FIELDS = {"name": "name", "kind": "kind", "parentId": "parent"}


async def register_view(page: Page, unit: str, errors: FormErrors | None = None,
                        values: dict[str, Any] | None = None, form: str = "",
                        saved: bool = False, at: int | None = None,
                        status: int = 200) -> Response[str]:
    answer = await page.run("WebRegister", unit=unit, at=at)
    units = [e["node"] for e in (answer.data.get("units") or {"edges": []})["edges"]]
    people = answer.data.get("unitStaff") or {"edges": [], "totalCount": 0}
    kinds = sorted({u["kind"] for u in units})
    return page.render("register.html", status=status, units=units, unit=unit, kinds=kinds,
                       people=[e["node"] for e in people["edges"]], errors=errors or FormErrors(),
                       values=values or {}, form=form, saved=saved, staff_types=STAFF_TYPES,
                       names={u["id"]: u["name"] for u in units})


def chosen_unit(page: Page, wanted: Any) -> str:
    ids = [u["id"] for u in page.units]
    return str(wanted) if wanted in ids else (ids[0] if ids else "")


@get("/register", name="web:register")
async def register(request: Req, web: Web) -> Response[str]:
    page = await Page.open(web, request)
    return await register_view(page, chosen_unit(page, request.query_params.get("unit")),
                               saved=page.saved, at=page.at)


@post("/register", name="web:register-add")
async def register_add(request: Req, web: Web) -> Response[Any]:
    form = await check_form(request)
    page = await Page.open(web, request)
    values = {k: str(form.get(k) or "").strip() for k in form}
    which = values.get("form", "")
    unit = chosen_unit(page, values.get("unit") or values.get("parent"))
    errors = FormErrors()
    if which == "person":
        required, fields = ("fullName", "position"), PERSON_FIELDS
        variables: dict[str, Any] = {
            "fullName": values.get("fullName", ""), "position": values.get("position", ""),
            "staffType": values.get("staffType") if values.get("staffType") in STAFF_TYPES
            else "CIVIL_SERVANT", "unit": values.get("unit", ""),
            "partyMember": values.get("partyMember") == "yes",
            "startDate": values.get("startDate") or None}
        operation = "WebRegisterStaff"
    elif which == "unit":
        required, fields = ("name", "kind"), UNIT_FIELDS
        variables = {"name": values.get("name", ""), "kind": values.get("kind", ""),
                     "parent": values.get("parent") or None}
        operation = "WebRegisterUnit"
    else:
        return Redirect("/register", status_code=303)
    for name in required:
        if not values.get(name):
            errors.add(fields[name], page.t("required"))
    posted = Posted(page, request, form, back=partial(saved_at, f"/register?unit={unit}"),
                    again=lambda errors: register_view(page, unit, errors, values, which,
                                                       status=422))
    if errors:
        return await posted.again(errors)
    return await posted.send(operation, lambda r: fields.get(r.field or "", "form"),
                             **variables)


@get("/policy", name="web:policy")
async def policy(request: Req, web: Web) -> Response[str]:
    page = await Page.open(web, request)
    cycle = str(request.query_params.get("cycle") or "MONTHLY")
    cycle = cycle if cycle in CYCLES else "MONTHLY"
    answer = await page.run("WebPolicy", cycle=cycle)
    versions = [e["node"] for e in
                (answer.data.get("policyVersions") or {"edges": []})["edges"]]
    in_force = answer.data.get("policy")
    if not versions and in_force:  # a tenant still on the preset it started with
        versions = [in_force]
    return page.render("policy.html", cycle=cycle, cycles=CYCLES, policy=in_force,
                       versions=sorted(versions, key=lambda v: -int(v["revision"])),
                       refusals=[page.refusal_text(r) for r in answer.refusals])


def year_of(page: Page, text: Any) -> int:
    value = str(text or "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else page.today.year


async def collective_view(page: Page, year: int, refusals: list[str] | None = None,
                          saved: bool = False, at: int | None = None,
                          status: int = 200) -> Response[str]:
    answer = await page.run("WebCollective", year=year, at=at)
    rows = [e["node"] for e in (answer.data.get("collectiveRatings") or {"edges": []})["edges"]]
    return page.render("collective.html", status=status, year=year, rows=rows, saved=saved,
                       refusals=(refusals or []) + [page.refusal_text(r)
                                                    for r in answer.refusals])


@get("/collective", name="web:collective")
async def collective(request: Req, web: Web) -> Response[str]:
    page = await Page.open(web, request)
    return await collective_view(page, year_of(page, request.query_params.get("year")),
                                 saved=page.saved, at=page.at)


@post("/collective", name="web:collective-open")
async def collective_open(request: Req, web: Web) -> Response[Any]:
    form = await check_form(request)
    page = await Page.open(web, request)
    year = year_of(page, form.get("year"))
    posted = Posted(page, request, form, back=partial(saved_at, f"/collective?year={year}"),
                    again=lambda errors: collective_view(page, year, errors.get("form"),
                                                         status=422))
    return await posted.send("WebOpenCollectiveRound", lambda _: "form", year=year)
