"""A websocket is no way around the request guards: each subscribe is rate-limited per user
and per tenant (the token of connection_init) and, in persisted-only mode, must name a
registered document by its hash."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

from services.platform.tenants import Tenant
from services.settings import Settings
from tests.e2e.test_live_board import receive, socket
from tests.support.gql import token_for
from tests.support.operations import OPERATIONS
from tests.support.org import StaffedTenant
from tests.support.servers import app_with

pytestmark = pytest.mark.e2e

FREE = "subscription { myResults { periodId } }"


async def _subscribe(ws: ClientConnection, id_: str, payload: dict[str, Any]) -> dict[str, Any]:
    await ws.send(json.dumps({"id": id_, "type": "subscribe", "payload": payload}))
    return await receive(ws)


def _codes(message: dict[str, Any]) -> set[str]:
    payload = message["payload"]
    errors = payload if isinstance(payload, list) else payload.get("errors") or []
    return {e.get("extensions", {}).get("code") for e in errors}


async def test_persisted_only_mode_holds_on_the_websocket(
    settings: Settings, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=1)
    token = token_for(settings, tenant.slug, org.hr, "hr_officer")
    text = (OPERATIONS / "UnitBoardLive.graphql").read_text(encoding="utf-8")
    registered = {"extensions": {"persistedQuery": {
        "version": 1, "sha256Hash": hashlib.sha256(text.encode()).hexdigest()}},
        "variables": {"unit": str(org.unit), "year": 2026, "month": 3}}
    async with app_with(settings, persisted_only=True) as http, \
            socket(str(http.base_url).rstrip("/"), token) as ws:
        assert (await receive(ws))["type"] == "connection_ack"
        free = await _subscribe(ws, "1", {"query": FREE})
        assert (free["id"], free["type"]) == ("1", "error")
        assert _codes(free) == {"PERSISTED_QUERY_REQUIRED"}
        unknown = await _subscribe(ws, "2", {"extensions": {"persistedQuery": {
            "version": 1, "sha256Hash": "0" * 64}}})
        assert _codes(unknown) == {"PERSISTED_QUERY_NOT_FOUND"}
        # The socket stays open, and the registered document runs.
        known = await _subscribe(ws, "3", registered)
        assert (known["id"], known["type"]) == ("3", "next"), known
        assert not _codes(known), known


async def test_subscribes_are_rate_limited_per_user(
    settings: Settings, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    tenant = await new_tenant()
    token = token_for(settings, tenant.slug, uuid.uuid4(), "staff")
    async with app_with(settings, rate_per_user=3, rate_per_tenant=100) as http, \
            socket(str(http.base_url).rstrip("/"), token) as ws:
        assert (await receive(ws))["type"] == "connection_ack"
        answers = []
        for n in range(4):
            answer = await _subscribe(ws, str(n), {"query": FREE})
            answers.append(answer)
            await ws.send(json.dumps({"id": str(n), "type": "complete"}))
        assert [_codes(a) == {"RATE_LIMITED"} for a in answers] == [False, False, False, True]
        assert answers[-1]["payload"][0]["extensions"]["messageVi"]
