"""Several subscriptions on one socket share its context: the re-check one makes before its
message (the token and the grants decided afresh) must not pull the permission decision
from under another one that is still deciding. A refused watch and live ones side by side
answer with stable codes or boards — never an INTERNAL error, on any subscription.

The interleaving is made certain with the database's own locks, not left to timing: one
watch is held inside its decision (reading its unit's tree) while another starts its
re-check and is held inside it (reading the grants), then the first is let go."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from domain.actor import Actor
from projections.runner import PROJECTED_CHANNEL
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.test_live_board import receive, socket
from tests.e2e.test_rating_workflow import DECIDE
from tests.security.live_walk import (
    APRIL,
    BOARD_LIVE,
    Watch,
    board_of,
    decided,
    opened_april,
    payload_errors,
)
from tests.support.gql import data, gql, token_for
from tests.support.org import StaffedTenant

pytestmark = pytest.mark.e2e

ADMIN = Actor("test-admin", "platform_admin")
TREE = "WITH RECURSIVE tree(unit_id"  # the scope's reading of a unit's tree (context.py)
GRANTS = "FROM platform.grants g"  # the reading of the caller's grants (grants.py)


@asynccontextmanager
async def locked(runtime: Runtime, table: str) -> AsyncIterator[None]:
    """``table`` locked against every reader until the block ends."""
    async with runtime.pool.acquire() as conn, conn.transaction():
        await conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        yield


async def held_at(runtime: Runtime, statement: str, count: int = 1) -> None:
    """Wait until ``count`` statements containing ``statement`` wait on a lock."""
    for _ in range(200):
        async with runtime.pool.acquire() as conn:
            waiting = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND position($1 in query) > 0 AND pid <> pg_backend_pid()", statement)
        if waiting >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no subscription was held at {statement!r}: the race is not set up")


def _codes(messages: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str | None]]:
    return [(id_, (e.get("extensions") or {}).get("code"))
            for id_, sent in messages.items() for m in sent for e in payload_errors(m)]


async def test_a_re_check_racing_another_watch_on_the_socket_never_turns_into_an_error(
    server: str, http: httpx.AsyncClient, runtime: Runtime, settings: Settings,
    staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=1)
    # Scoped to the unit: each decision reads the unit's tree from the database.
    scoped = uuid.uuid4()
    await runtime.platform.grant(ADMIN, str(scoped), tenant.slug, "hr_officer",
                                 unit_scope=org.unit)
    token = token_for(settings, tenant.slug, scoped, "hr_officer")
    period = await opened_april(http, token_for(settings, tenant.slug, org.hr, "hr_officer"),
                                org)
    board = {"unit": str(org.unit), **APRIL}
    async with socket(server, token) as ws:
        assert (await receive(ws))["type"] == "connection_ack"
        watch = Watch(ws)
        # A watch of a unit out of reach is refused (and stays so: nothing more arrives).
        refused = await watch.subscribe("refused", BOARD_LIVE, {"unit": str(uuid.uuid4()),
                                                                **APRIL})
        assert [e["extensions"]["code"] for e in payload_errors(refused)] == ["NOT_FOUND"]
        assert payload_errors(refused)[0]["extensions"]["messageVi"], refused
        board_of(await watch.subscribe("first", BOARD_LIVE, board))

        tree, grants = locked(runtime, f"{tenant.schema}.rm_units"), locked(
            runtime, "platform.grants")
        await tree.__aenter__()
        # The second watch starts: its re-check decides afresh and is held reading the
        # unit's tree.
        await ws.send(json.dumps({"id": "second", "type": "subscribe", "payload": {
            "query": BOARD_LIVE, "variables": board}}))
        await held_at(runtime, TREE)
        # A grant changes in the process (every cached answer is forgotten), then the first
        # watch is woken: its re-check starts afresh and is held reading the grants.
        await runtime.platform.grant(ADMIN, str(uuid.uuid4()), tenant.slug, "staff")
        await grants.__aenter__()
        async with runtime.pool.acquire() as conn:
            await conn.execute("SELECT pg_notify($1, $2)", PROJECTED_CHANNEL,
                               f"{tenant.schema}:0")
        await held_at(runtime, GRANTS)
        # The tree is let go while the first watch is still inside its re-check; then the
        # grants.
        await tree.__aexit__(None, None, None)
        await asyncio.sleep(0.5)
        await grants.__aexit__(None, None, None)
        second = await watch.until("second", lambda _: True)
        assert not payload_errors(second), f"the racing watch failed: {second}"
        board_of(second)

        # A change in the watched unit reaches both watches; the refused one hears nothing.
        data(await gql(http, token_for(settings, tenant.slug, org.leader, "unit_leader"),
                       DECIDE, {"period": period, "staff": str(org.members[0]),
                                "level": "B", "score": 85, "reasons": "Hoàn thành tốt"}))
        for id_ in ("first", "second"):
            await watch.until(id_, lambda m: decided(board_of(m)) == 1)
        await asyncio.sleep(1.0)  # a moment more for anything late
        assert _codes(watch.messages) == [("refused", "NOT_FOUND")], watch.text()[:2000]
        assert not [m for m in watch.messages["refused"] if m["type"] == "next"
                    and not payload_errors(m)], watch.messages["refused"]
