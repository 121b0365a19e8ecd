"""Subscriptions watched over the real websocket (graphql-transport-ws) while another tenant
or a sibling unit changes: the watcher learns nothing of it — no message at all while only
the other side changes, and when its own side changes, messages with its own records only.

One socket carries several subscriptions (by id), so a message for the wrong one is seen."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection

from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.test_appeal_workflow import PUBLISH
from tests.e2e.test_live_board import receive
from tests.e2e.test_rating_workflow import DECIDE, OPEN
from tests.support.gql import data, gql, token_for
from tests.support.operations import operation
from tests.support.org import Org
from tests.support.projection import projected

BOARD_LIVE = operation("UnitBoardLive")
MINE_LIVE = "subscription { myResults { periodId level score } }"
APRIL = {"year": 2026, "month": 4}
QUIET_SECONDS = 1.5  # after the other side's change is projected: long enough for a wake-up


def payload_errors(message: dict[str, Any]) -> list[dict[str, Any]]:
    payload = message.get("payload")
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        return list(payload.get("errors") or [])
    return []


@dataclass
class Watch:
    """The messages of one socket, kept per subscription id."""

    ws: ClientConnection
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    async def _next(self) -> dict[str, Any]:
        message = await receive(self.ws)
        self.messages.setdefault(str(message.get("id")), []).append(message)
        return message

    async def subscribe(self, id_: str, query: str,
                        variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Subscribe and return the subscription's first message."""
        await self.ws.send(json.dumps({"id": id_, "type": "subscribe", "payload": {
            "query": query, "variables": variables or {}}}))
        return await self.until(id_, lambda _: True)

    async def until(self, id_: str,
                    wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first message of subscription ``id_`` that ``wanted`` accepts: one already
        received (while waiting for another subscription), or the next to come."""
        for message in self.messages.get(id_, []):
            if wanted(message):
                return message
        while True:
            try:
                message = await self._next()
            except TimeoutError:
                raise AssertionError(f"subscription {id_} never sent the message awaited; "
                                     f"received: {self.text()[:1500]}") from None
            if str(message.get("id")) == id_ and wanted(message):
                return message

    async def quiet(self, seconds: float = QUIET_SECONDS) -> None:
        """Nothing arrives on any subscription for ``seconds`` (but the ``complete`` that
        ends a refused subscription)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while (left := deadline - asyncio.get_running_loop().time()) > 0:
            try:
                message = await asyncio.wait_for(self._next(), left)
            except TimeoutError:
                return
            if message["type"] == "complete" and self.refused(str(message.get("id"))):
                continue
            raise AssertionError(f"a message arrived while only the other side changed: "
                                 f"{json.dumps(message, ensure_ascii=False)[:600]}")

    def refused(self, id_: str) -> bool:
        first = (self.messages.get(id_) or [{}])[0]
        return first.get("type") == "error" or bool(payload_errors(first))

    def text(self) -> str:
        return json.dumps(self.messages, ensure_ascii=False)


def board_of(message: dict[str, Any]) -> dict[str, Any] | None:
    assert message["type"] == "next", message
    assert not payload_errors(message), message
    board: dict[str, Any] | None = message["payload"]["data"]["unitBoard"]
    return board


def decided(board: dict[str, Any] | None) -> int:
    """How many are decided on a board (none on a board not yet projected)."""
    return int(board["completion"]["decided"]) if board else 0


def results_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    assert message["type"] == "next", message
    assert not payload_errors(message), message
    results: list[dict[str, Any]] = message["payload"]["data"]["myResults"]
    return results


async def other_side_changes(watches: list[Watch], runtime: Runtime, tenant: Tenant,
                             change: Callable[[], Awaitable[int]]) -> None:
    """The other side changes (``change`` returns its last log position): once that is
    projected, no watcher hears anything."""
    position = await change()
    await projected(runtime, tenant, position)
    await asyncio.gather(*(w.quiet() for w in watches))


async def april(http: httpx.AsyncClient, settings: Settings, tenant: Tenant, org: Org,
                period: str, level: str, score: int, reasons: str) -> int:
    """April (``period``, opened by ``opened_april``) decided for the first member and
    published: the last log position."""
    hr = token_for(settings, tenant.slug, org.hr, "hr_officer")
    data(await gql(http, token_for(settings, tenant.slug, org.leader, "unit_leader"), DECIDE, {
        "period": period, "staff": str(org.members[0]), "level": level, "score": score,
        "reasons": reasons}))
    published = data(await gql(http, hr, PUBLISH, {"period": period}))["publishPeriod"]
    position: int = published["position"]
    return position


async def opened_april(http: httpx.AsyncClient, hr: str, org: Org) -> str:
    """April's period of the unit, opened: its id. Called once per unit; the caller passes
    the id on (``april``). Asking the read models first whether April is open raced their
    projection: an opening not yet projected read as absent, and opening it again was
    refused (PERIOD_ALREADY_OPEN). Opening it here must succeed: a refusal would mean the
    tenant's log holds an April nobody here opened."""
    period: str = data(await gql(http, hr, OPEN, {"unit": str(org.unit), **APRIL})
                       )["openPeriod"]["id"]
    # "Once": the next call must find it, so wait until the read models show it (the
    # projector may still be busy with the writes before it).
    for _ in range(200):
        if data(await gql(http, hr, "query($u: ID!) { period(unitId: $u, year: 2026, "
                                    "month: 4) { id } }", {"u": str(org.unit)}))["period"]:
            return period
        await asyncio.sleep(0.05)
    raise AssertionError(f"April's period {period} never reached the read models")
