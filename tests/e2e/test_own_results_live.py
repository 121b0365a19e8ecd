"""Each person is notified of their own result when it is published, over
graphql-transport-ws, and of nobody else's."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import httpx
import pytest

from services.platform.tenants import Tenant
from services.settings import Settings
from tests.e2e.test_live_board import receive, socket
from tests.support.gql import data, gql, token_for
from tests.support.operations import operation
from tests.support.org import Org

pytestmark = pytest.mark.e2e

MINE = "subscription { myResults { periodId level score decidedBy publishedAt } }"
OPEN = operation("OpenPeriod")
DECIDE = operation("DecideRating")
PUBLISH = "mutation($p: ID!) { publishPeriod(periodId: $p) { position } }"


async def test_a_person_is_told_their_result_once_it_is_published(
    server: str, http: httpx.AsyncClient, settings: Settings,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    tenant = await new_tenant()
    org = await org_in(tenant, members=2)
    hr = token_for(settings, tenant.slug, org.hr, "hr_officer")
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader")
    me, other = org.members
    opened = data(await gql(http, hr, OPEN, {"unit": str(org.unit), "year": 2026, "month": 8}))
    period = opened["openPeriod"]["id"]
    async with socket(server, token_for(settings, tenant.slug, me, "staff")) as ws:
        assert (await receive(ws))["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                  "payload": {"query": MINE}}))
        assert (await receive(ws))["payload"]["data"]["myResults"] == []
        for staff, level, score in ((me, "B", 85), (other, "C", 60)):
            data(await gql(http, leader, DECIDE, {"period": period, "staff": str(staff),
                                                  "level": level, "score": score}))
        data(await gql(http, hr, PUBLISH, {"p": period}))
        # Decided but unpublished sends nothing; publication sends my result only.
        results = (await receive(ws))["payload"]["data"]["myResults"]
        assert [(r["periodId"], r["level"], r["score"], r["decidedBy"]) for r in results] == [
            (period, "B", 85, str(org.leader))]
        assert results[0]["publishedAt"]
