"""The auditor's search: a person, a unit or a leader by name, diacritics and case aside
("nguyen van" finds "Nguyễn Văn …"). The API has no name search; the page reads the units
and each unit's people through the same persisted operations the audit pages use (what the
API would show this auditor anyway) and matches here — fine for a commune's few hundred
people, the scale this page serves. A person leads to their timeline, a unit to its board as
of a date, a leader to their accountability record."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from litestar import get
from litestar.params import FromPath
from litestar.response import Response

from services.http.web.page import Page, Req, Web

MAX_HITS = 50


def folded(text: str) -> str:
    """Lower case without diacritics (đ → d too), for matching what people type."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class Hit:
    kind: str  # person | unit | leader
    name: str
    where: str
    href: str


async def search_all(page: Page, words: str) -> list[Hit]:
    wanted = folded(words).split()
    if not wanted:
        return []

    def matches(name: str) -> bool:
        return all(w in folded(name) for w in wanted)

    hits: list[Hit] = []
    names: dict[str, str] = {}
    for unit in page.units:
        answer = await page.run("WebUnitStaff", unit=unit["id"])
        for person in (e["node"] for e in
                       (answer.data.get("unitStaff") or {"edges": []})["edges"]):
            names[person["id"]] = person["fullName"]
            if matches(person["fullName"]):
                hits.append(Hit("person", person["fullName"], unit["name"],
                                f"/audit/person/{person['id']}?name={quote(person['fullName'])}"))
    for unit in page.units:
        if matches(unit["name"]):
            hits.append(Hit("unit", unit["name"], "", f"/audit/board?unit={unit['id']}"))
        leader = names.get(unit["leaderId"] or "")
        if leader and matches(leader):
            hits.append(Hit("leader", leader, unit["name"], f"/audit/leader/{unit['leaderId']}"))
    order = {"leader": 0, "unit": 1, "person": 2}
    return sorted(hits, key=lambda h: (order[h.kind], folded(h.name)))[:MAX_HITS]


@get("/audit/search", name="web:audit-search")
async def audit_search(request: Req, web: Web) -> Response[str]:
    page = await Page.open(web, request)
    words = str(request.query_params.get("q") or "")[:100]
    return page.render("search.html", q=words, hits=await search_all(page, words))


@get("/audit/leader/{leader_id:str}", name="web:audit-leader")
async def audit_leader(request: Req, web: Web, leader_id: FromPath[str]) -> Response[str]:
    page = await Page.open(web, request)
    answer = await page.run("WebAccountability", leader=leader_id,
                            after=request.query_params.get("after") or None)
    totals = [e["node"] for e in
              (answer.data.get("leaderAccountability") or {"edges": []})["edges"]]
    decisions: dict[str, Any] = answer.data.get("leaderDecisions") or {
        "edges": [], "pageInfo": {}, "totalCount": 0}
    info = decisions["pageInfo"]
    return page.render("accountability.html", totals=totals[0] if totals else None,
                       decisions=[e["node"] for e in decisions["edges"]],
                       more=info.get("endCursor") if info.get("hasNextPage") else None,
                       total=decisions.get("totalCount"), leader_name=totals[0].get(
                           "leaderName") if totals else "",
                       refusals=[page.refusal_text(r) for r in answer.refusals])
