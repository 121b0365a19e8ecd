"""Each person is notified of their own result when it is published, over
graphql-transport-ws, and of nobody else's."""

from __future__ import annotations

import json

import httpx
import pytest

from services.settings import Settings
from tests.conftest import OpenedMonthFactory
from tests.e2e.test_live_board import receive, socket
from tests.support.gql import data, gql, token_for
from tests.support.operations import operation

pytestmark = pytest.mark.e2e

MINE = "subscription { myResults { periodId level score decidedBy publishedAt } }"
OPEN = operation("OpenPeriod")
DECIDE = operation("DecideRating")
PUBLISH = "mutation($p: ID!) { publishPeriod(periodId: $p) { position } }"


async def test_a_person_is_told_their_result_once_it_is_published(
    server: str, http: httpx.AsyncClient, settings: Settings,
    opened_month: OpenedMonthFactory,
) -> None:
    month = await opened_month(members=2, month=8)
    tenant, org, hr, period = month.tenant, month.org, month.hr, month.period
    leader = month.token(org.leader, "unit_leader")
    me, other = org.members
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
