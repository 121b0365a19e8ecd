"""Home, "Việc cần làm": what the signed-in person must do now, nearest due first — their
own self-assessment, the boards they decide, the months HR opens and publishes, the appeals
waiting for them — each with its due date and an overdue mark — and the deadlines they owe
(``myDeadlines``: due in N days, and whether the e-mail reminder went out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar import get
from litestar.response import Response

from services.http.web.page import Page, Req, Web
from services.http.web.signin import tenants_of
from services.runtime import Runtime


@dataclass(frozen=True)
class Task:
    what: str
    where: str
    due: date | None
    done: bool
    href: str

    @property
    def overdue(self) -> bool:
        return not self.done and self.due is not None and self.due < date.today()


def led_units(page: Page) -> list[dict[str, Any]]:
    """Units whose board this person decides: those they head, and the units directly below
    (whose heads they rate)."""
    mine = {u["id"] for u in page.units if u["leaderId"] == page.me["userId"]}
    return [u for u in page.units if u["id"] in mine or u["parentId"] in mine]


async def month_of(page: Page, unit_id: str) -> dict[str, Any] | None:
    answer = await page.run("WebPeriod", unit=unit_id, year=page.today.year,
                            month=page.today.month)
    period: dict[str, Any] | None = answer.data.get("period")
    return period


async def work_tasks(page: Page) -> list[Task]:
    """Decree 335 work: the person's items still open this month (nearest deadline), and
    for a leader each unit whose reported items wait for confirmation."""
    t, tasks = page.t, []
    year, number = page.today.year, page.today.month
    answer = await page.run("MyWork", year=year, number=number)
    items = [e["node"] for e in (answer.data.get("myWork") or {"edges": []})["edges"]]
    open_items = [w for w in items if w["status"] == "assigned"]
    if items:
        due = min((date.fromisoformat(w["deadline"]) for w in open_items), default=None)
        tasks.append(Task(t("report_work"), page.me["tenantName"], due, not open_items,
                          "/work"))
    if "unit_leader" in page.roles:
        for unit in led_units(page):
            board = await page.run("UnitWorkBoard", unit=unit["id"], year=year, number=number)
            rows = [e["node"] for e in
                    (board.data.get("unitWorkBoard") or {"edges": []})["edges"]]
            waiting = [w for w in rows if w["status"] == "reported"
                       and w["staffId"] != page.me["userId"]]
            if rows:
                due = min((date.fromisoformat(w["deadline"]) for w in waiting), default=None)
                tasks.append(Task(t("confirm_work"), unit["name"], due, not waiting,
                                  f"/work/board/{unit['id']}"))
    return tasks


async def my_tasks(page: Page) -> list[Task]:
    t, tasks = page.t, []
    roles = page.roles
    if roles & {"staff", "unit_leader", "hr_officer"}:
        answer = await page.run("WebMyMonths", staff=page.me["userId"])
        months = [e["node"] for e in (answer.data.get("ratingHistory") or {"edges": []})["edges"]]
        now = next((m for m in months if (m["year"], m["month"]) ==
                    (page.today.year, page.today.month)), None)
        if now is not None:
            period = await month_of(page, now["unitId"])
            tasks.append(Task(t("self_assess_by"), page.unit_name(now["unitId"]),
                              date.fromisoformat(period["deadline"]) if period else None,
                              now["selfScore"] is not None, "/self"))
    if roles & {"staff", "unit_leader", "hr_officer"}:
        tasks += await work_tasks(page)
    if "unit_leader" in roles:
        for unit in led_units(page):
            period = await month_of(page, unit["id"])
            if period is None or period["status"] != "open":
                continue
            tasks.append(Task(t("rate_unit"), unit["name"], date.fromisoformat(period["deadline"]),
                              period["decidedCount"] >= period["memberCount"] - 1,
                              f"/board/{unit['id']}"))
    if "hr_officer" in roles:
        deadlines = []
        for unit in page.units:
            answer = await page.run("WebHrPeriod", unit=unit["id"], year=page.today.year,
                                    month=page.today.month)
            period = answer.data.get("period")
            if period is None:
                tasks.append(Task(t("open_period"), unit["name"], None, False, "/periods"))
            elif (period["status"] == "open" and not period["publishedAt"]
                  and period["decidedCount"]
                  and period["decidedCount"] >= period["memberCount"] - 1):
                tasks.append(Task(t("publish"), unit["name"],
                                  date.fromisoformat(period["deadline"]), False, "/periods"))
            if period is not None and period["status"] == "open":
                deadlines.append(date.fromisoformat(period["deadline"]))
        if deadlines:
            tasks.append(Task(t("follow_month"), page.me["tenantName"], min(deadlines), False,
                              "/tracker"))
    return sorted(tasks, key=lambda x: (x.done, x.due or date.max))


async def pending_versions(page: Page) -> list[dict[str, Any]]:
    """The province's catalogue versions this ward has not applied (the HR officer's)."""
    if "hr_officer" not in page.roles:
        return []
    found: list[dict[str, Any]] = (await page.run("WebPendingProvinceVersions")).data.get(
        "pendingProvinceVersions") or []
    return found


@get("/", name="web:home")
async def home(request: Req, web: Web) -> Response[str]:
    return await home_view(request, web, await Page.open(web, request),
                           applied=bool(request.query_params.get("applied")))


async def home_view(request: Req, web: Web, page: Page, status: int = 200,
                    applied: bool = False, province_errors: list[str] | None = None,
                    province_reasons: str = "") -> Response[str]:
    tasks = await my_tasks(page)
    pending = await page.run("MyPendingWork", first=20)
    appeals = [e["node"] for e in (pending.data.get("myPendingWork") or {"edges": []})["edges"]]
    deadlines = pending.data.get("myDeadlines") or []  # what the reminder e-mails are about
    rt: Runtime = request.app.state.rt
    others = [t for t in await tenants_of(rt, page.me["userId"]) if t.slug != page.me["tenant"]] \
        if web.settings.dev_login and request.session.get("dev") else []
    return page.render("home.html", status=status, tasks=tasks, appeals=appeals,
                       deadlines=deadlines, others=others,
                       province=await pending_versions(page), applied=applied,
                       province_errors=province_errors or [],
                       province_reasons=province_reasons)
