"""A month of 2026 rated in one go: the unit's head decides the whole board at once."""

from __future__ import annotations

import httpx

from services.platform.tenants import Tenant
from services.settings import Settings
from tests.support.gql import data, gql, token_for
from tests.support.operations import operation
from tests.support.org import Org

OPEN = operation("OpenPeriod")
DECIDE_BOARD = operation("DecideRatings")
SCORES = {"A": 95, "B": 82, "C": 60, "D": 40}  # the score each level is decided with


async def decided_month(http: httpx.AsyncClient, settings: Settings, tenant: Tenant, org: Org,
                        month: int, levels: str) -> int:
    """The HR officer opens ``month`` for the unit, its head decides member ``i`` at
    ``levels[i]`` (with that level's score) in one board; the board's position."""
    hr = token_for(settings, tenant.slug, org.hr, "hr_officer")
    period = data(await gql(http, hr, OPEN, {"unit": str(org.unit), "year": 2026,
                                             "month": month}))["openPeriod"]["id"]
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader", "staff")
    lines = [{"staffId": str(p), "level": lv, "score": SCORES[lv]}
             for p, lv in zip(org.members, levels, strict=True)]
    position: int = data(await gql(http, leader, DECIDE_BOARD, {"period": period,
                                                                "lines": lines}))[
        "decideRatings"]["position"]
    return position
