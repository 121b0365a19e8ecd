"""A unit's month board over graphql-transport-ws: it updates live when another client
decides, and the socket is authenticated at connection_init and re-checked per message."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from services.http.auth import mint_token
from services.settings import Settings
from tests.conftest import OpenedMonthFactory
from tests.e2e.conftest import Staffing
from tests.support.gql import data, gql, token_for
from tests.support.operations import operation

pytestmark = pytest.mark.e2e

LIVE = operation("UnitBoardLive")
OPEN = operation("OpenPeriod")
DECIDE = operation("DecideRating")
PROTOCOL = "graphql-transport-ws"
WAIT = 20.0  # the expired-token case waits for a periodic re-check (5 s apart)


@asynccontextmanager
async def socket(server: str, token: str | None) -> AsyncIterator[ClientConnection]:
    url = server.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        yield ws


async def receive(ws: ClientConnection) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        if message["type"] not in ("ping", "pong"):
            return message


async def subscribe(ws: ClientConnection, variables: dict[str, Any]) -> None:
    assert (await receive(ws))["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe",
                              "payload": {"query": LIVE, "variables": variables}}))


async def test_board_subscription_receives_a_decision_made_by_another_client(
    server: str, http: httpx.AsyncClient, settings: Settings,
    opened_month: OpenedMonthFactory,
) -> None:
    month = await opened_month(members=4, month=6)
    org, hr, period = month.org, month.hr, month.period
    leader = month.token(org.leader, "unit_leader")
    variables = {"unit": str(org.unit), "year": 2026, "month": 6}
    async with socket(server, hr) as ws:
        await subscribe(ws, variables)
        first = await receive(ws)
        # The first message may predate the projection of the opening: wait for the board.
        while first["payload"]["data"]["unitBoard"] is None:
            first = await receive(ws)
        board = first["payload"]["data"]["unitBoard"]
        assert (board["id"], board["completion"]["decided"]) == (period, 0)

        decided = data(await gql(http, leader, DECIDE, {
            "period": period, "staff": str(org.members[0]), "level": "A", "score": 95}))
        update = (await receive(ws))["payload"]["data"]["unitBoard"]
        assert update["position"] >= decided["decideRating"]["position"]
        assert update["completion"]["decided"] == 1
        assert update["quota"] == {"cap": 1, "used": 1, "available": 0}
        assert {d["level"]: d["count"] for d in update["distribution"]}["A"] == 1
        await ws.send(json.dumps({"id": "1", "type": "complete"}))


async def test_a_socket_without_a_valid_token_is_closed_before_any_subscription(
    server: str, settings: Settings,
) -> None:
    for token in (None, "not-a-jwt"):
        async with socket(server, token) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await receive(ws)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4403


async def test_staff_may_not_watch_a_board_and_an_expired_token_ends_the_watch(
    server: str, http: httpx.AsyncClient, settings: Settings, staffed: Staffing,
) -> None:
    tenant, org, _ = await staffed(members=2)
    variables = {"unit": str(org.unit), "year": 2026, "month": 6}
    staff = token_for(settings, tenant.slug, org.members[0], "staff")
    async with socket(server, staff) as ws:
        await subscribe(ws, variables)
        refused = await receive(ws)
        assert refused["type"] in ("next", "error")
        errors = refused["payload"]["errors"] if refused["type"] == "next" else refused["payload"]
        assert errors[0].get("extensions", {}).get("code") == "FORBIDDEN", refused

    # A token that expires while the socket is open: the next re-check refuses it.
    short = mint_token(settings, tenant=tenant.slug, user=str(org.hr), roles=["hr_officer"],
                       ttl_seconds=-22)  # inside the verifier's 30 s leeway for 8 s more
    async with socket(server, short) as ws:
        await subscribe(ws, variables)
        messages = [await receive(ws)]
        while messages[-1]["type"] == "next" and not messages[-1]["payload"].get("errors"):
            messages.append(await receive(ws))
        last = messages[-1]
        errors = last["payload"]["errors"] if last["type"] == "next" else last["payload"]
        assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
