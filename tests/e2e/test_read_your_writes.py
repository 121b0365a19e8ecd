"""Read-your-writes: every mutation answers the log position it wrote; a query given
``atLeast: position`` is answered only once the read models hold that write, and after a
bounded wait says STALE instead of answering with older figures.

The projector is held off the tenant by taking the tenant's projection lock (the same
advisory lock every projector process takes per batch), so "not yet projected" is a state
the test creates on purpose rather than a race it hopes to win.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from graphql import GraphQLNonNull, GraphQLObjectType, get_named_type
from projections.runner import lock_key, tracked_position
from services.gql.schema import schema
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.conftest import Staffing
from tests.support.gql import data, gql, token_for
from tests.support.operations import operation
from tests.support.org import Org

pytestmark = pytest.mark.e2e

OPEN, DECIDE = operation("OpenPeriod"), operation("DecideRating")
BOARD, BOARDS = operation("UnitMonthBoard"), operation("TenantBoards")
TREND, TIMELINE = operation("Trend"), operation("PersonTimeline")
HISTORY, RATINGS = operation("RatingHistory"), operation("UnitBoard")
MONTH = {"year": 2026, "month": 3}

# Root queries that read no read model, so they cannot be behind the log: who the token
# says you are, the period aggregate's own quota figures, the auditor's reads of the
# event log itself, and the province's catalogue versions compared from both logs.
READS_NO_READ_MODEL = {"me", "quotaUse", "auditHistory", "auditVerify", "auditCheckpoints",
                       "auditUnitBoardAsOf", "auditAggregateAsOf", "pendingProvinceVersions"}


def test_every_mutation_answers_the_position_it_wrote() -> None:
    mutations = schema._schema.mutation_type
    assert mutations is not None
    missing = []
    for name, field in mutations.fields.items():
        result = get_named_type(field.type)
        position = result.fields.get("position") if isinstance(result, GraphQLObjectType) \
            else None
        if position is None or not isinstance(position.type, GraphQLNonNull) \
                or get_named_type(position.type).name != "Int":
            missing.append(name)
    assert missing == []


def test_every_query_of_a_read_model_accepts_at_least() -> None:
    queries = schema._schema.query_type
    assert queries is not None
    missing = [name for name, field in queries.fields.items()
               if name not in READS_NO_READ_MODEL and "atLeast" not in field.args]
    assert missing == []


@asynccontextmanager
async def projector_held_off(runtime: Runtime, tenant: Tenant) -> AsyncIterator[
        Callable[[], Awaitable[None]]]:
    """Hold the tenant's projection lock (after any batch in flight) until released."""
    conn = await runtime.pool.acquire()
    await conn.execute("SELECT pg_advisory_lock($1)", lock_key(tenant.schema))
    held = True

    async def release() -> None:
        nonlocal held
        if held:
            await conn.execute("SELECT pg_advisory_unlock($1)", lock_key(tenant.schema))
            held = False
    try:
        yield release
    finally:
        await release()
        await runtime.pool.release(conn)


async def _decided(http: httpx.AsyncClient, settings: Settings, tenant: Tenant,
                   org: Org) -> tuple[int, int]:
    """Open a month and decide one rating: (position of the opening, of the decision)."""
    hr = token_for(settings, tenant.slug, org.hr, "hr_officer")
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader")
    opened = data(await gql(http, hr, OPEN, {"unit": str(org.unit), **MONTH}))["openPeriod"]
    decided = data(await gql(http, leader, DECIDE, {
        "period": opened["id"], "staff": str(org.members[0]), "level": "B",
        "score": 85}))["decideRating"]
    assert decided["position"] > opened["position"] > 0
    return opened["position"], decided["position"]


async def test_a_query_at_least_the_decision_waits_for_it_and_shows_it(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=3)
    async with projector_held_off(runtime, tenant) as release:
        _, at = await _decided(http, settings, tenant, org)
        async with runtime.pool.acquire() as conn:
            assert await tracked_position(conn, tenant.schema) < at  # really not projected
        answer = asyncio.create_task(gql(http, hr, BOARD, {"unit": str(org.unit), **MONTH,
                                                           "at": at}))
        await asyncio.sleep(0.5)
        assert not answer.done()  # waiting, not answering with the board before the decision
        await release()
        board = data(await answer)["unitBoard"]
    assert board["position"] >= at
    assert board["completion"]["decided"] == 1
    assert {d["level"]: d["count"] for d in board["distribution"]}["B"] == 1


async def test_a_query_at_least_a_position_not_yet_projected_says_stale(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=3)
    unit, staff = str(org.unit), str(org.members[0])
    reads: list[tuple[str, dict[str, Any]]] = [
        (BOARD, {"unit": unit, **MONTH}), (BOARDS, {}), (TREND, {"unit": unit}),
        (TIMELINE, {"staff": staff}), (HISTORY, {"staff": staff}),
        (RATINGS, {"unit": unit, **MONTH}),
    ]
    async with projector_held_off(runtime, tenant):
        opened, at = await _decided(http, settings, tenant, org)
        started = time.monotonic()
        answers = await asyncio.gather(*(gql(http, hr, doc, {**variables, "at": at})
                                         for doc, variables in reads))
        waited = time.monotonic() - started
        # Without atLeast the same query answers at once, from what is projected so far.
        plain = await gql(http, hr, BOARD, {"unit": unit, **MONTH})
    assert settings.freshness_timeout <= waited < settings.freshness_timeout + 20
    for answer in answers:
        assert not any((answer["data"] or {}).values())  # no figures, only the error
        assert answer["errors"]
        for error in answer["errors"]:
            assert error["extensions"]["code"] == "STALE"
            assert f"vị trí {at}" in error["extensions"]["messageVi"]
            assert str(at) in error["extensions"]["messageEn"]
            assert "Traceback" not in str(error)
    assert not plain.get("errors")
    board = plain["data"]["unitBoard"]
    assert board is None or board["position"] < at
    assert opened < at
