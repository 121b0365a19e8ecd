"""Figures as pictures: the tenant's own months (distribution by level, share decided), and
for a district or province, its granted children — each commune's completion this month,
late communes first, and their months summed. Counts and shares only, never people (the
API gives nothing else to a parent). Charts are server-drawn SVG (charts.py), each with a
table of the same figures."""

from __future__ import annotations

import calendar
from typing import Any

from litestar import get
from litestar.response import Response

from services.http.web import charts
from services.http.web.page import Page, Req, Web

MONTHS_SHOWN = 12
PAGES = 20  # at most this many pages of children's months (100 rows each)


def window(page: Page) -> tuple[dict[str, int], dict[str, int]]:
    today = page.today
    start = today.year * 12 + today.month - MONTHS_SHOWN  # months since year 0, 0-based
    return ({"year": start // 12, "month": start % 12 + 1},
            {"year": today.year, "month": today.month})


async def children_points(page: Page, low: dict[str, int],
                          high: dict[str, int]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    after = None
    for _ in range(PAGES):
        answer = await page.run("ChildTenantTrend", **{"from": low, "to": high}, first=100,
                                after=after)
        found = answer.data.get("childTenantTrend") or {"edges": [], "pageInfo": {}}
        rows += [e["node"] for e in found["edges"]]
        if not found["pageInfo"].get("hasNextPage"):
            break
        after = found["pageInfo"]["endCursor"]
    return rows


@get("/overview", name="web:overview")
async def overview(request: Req, web: Web) -> Response[str]:
    page = await Page.open(web, request)
    t, low, high = page.t, *window(page)
    labels = {x["level"]: x["label"] for x in page.policy["levelLabels"]}
    own = await page.run("Trend", **{"from": low, "to": high}, first=MONTHS_SHOWN + 1)
    months = charts.months_of([e["node"] for e in
                               (own.data.get("trend") or {"edges": []})["edges"]])
    children: list[dict[str, Any]] = []
    if page.roles & {"hr_officer", "auditor"}:
        children = await children_points(page, low, high)
    today = page.today
    expected = today.day / calendar.monthrange(today.year, today.month)[1]
    # Each child's month now: late (least decided) first, then by name.
    now = [c for c in children if (c["point"]["year"], c["point"]["month"]) ==
           (today.year, today.month)]
    late = sorted(((c["tenantName"], charts.months_of([c["point"]])[0]) for c in now),
                  key=lambda x: (x[1].completion, x[0]))
    summed = charts.months_of([c["point"] for c in children])
    pictures: dict[str, Any] = {}
    if months:
        pictures["own_distribution"] = charts.distribution(
            months, t("chart_distribution"), t("chart_distribution_desc"), labels)
        pictures["own_trend"] = charts.trend(months, t("chart_trend"), t("chart_trend_desc"))
    if summed:
        pictures["children_distribution"] = charts.distribution(
            summed, t("chart_distribution"), t("chart_children_desc"), labels)
    if late:
        pictures["completion"] = charts.completion(
            [(name, m.completion) for name, m in late], expected, t("chart_completion"),
            t("chart_completion_desc"), t("month_elapsed"))
    return page.render("overview.html", months=months, late=late, summed=summed,
                       pictures=pictures, labels=labels, levels=charts.LEVELS,
                       expected=expected, has_children=bool(children),
                       refusals=[page.refusal_text(r) for r in own.refusals])
