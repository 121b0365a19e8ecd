"""A leader's accountability record (trách nhiệm giải trình): how many decisions they took,
what share was appealed and overturned, how long they took, and every decision with its
policy version, reasons and what became of it — their own record, as the API gives it."""

from __future__ import annotations

from litestar import get
from litestar.response import Response

from services.http.web.page import Page, Req, Web


@get("/accountability", name="web:accountability")
async def accountability(request: Req, web: Web) -> Response[str]:
    page = await Page.open(web, request)
    answer = await page.run("WebAccountability", leader=page.me["userId"],
                            after=request.query_params.get("after") or None)
    totals = [e["node"] for e in
              (answer.data.get("leaderAccountability") or {"edges": []})["edges"]]
    decisions = answer.data.get("leaderDecisions") or {"edges": [], "pageInfo": {},
                                                       "totalCount": 0}
    return page.render("accountability.html", totals=totals[0] if totals else None,
                       decisions=[e["node"] for e in decisions["edges"]],
                       more=decisions["pageInfo"].get("endCursor")
                       if decisions["pageInfo"].get("hasNextPage") else None,
                       total=decisions.get("totalCount"), leader_name="",
                       refusals=[page.refusal_text(r) for r in answer.refusals])
