"""Rate limits hold service-wide: two replicas of the API (two app instances on the same
database) share the buckets, so a user gets the limit once, not once per replica."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from services.http import rate_buckets
from services.runtime import Runtime
from services.settings import Settings
from tests.support.gql import token_for
from tests.support.servers import app_with

pytestmark = pytest.mark.e2e

QUERY = {"query": "{ __typename }"}


async def _post(http: httpx.AsyncClient, token: str) -> httpx.Response:
    return await http.post("/graphql", json=QUERY, headers={"Authorization": f"Bearer {token}"})


def _codes(body: dict[str, Any]) -> set[str]:
    return {e["extensions"]["code"] for e in body.get("errors") or []}


async def _settle() -> None:
    """Past one sync of every replica (services/http/rate_buckets.py ``SYNC_S``)."""
    await asyncio.sleep(rate_buckets.SYNC_S * 2.5)


async def test_two_replicas_share_one_bucket_per_user_and_per_tenant(settings: Settings) -> None:
    ward = f"ward-{uuid.uuid4().hex[:8]}"
    async with app_with(settings, rate_per_user=4, rate_per_tenant=7) as one, \
            app_with(settings, rate_per_user=4, rate_per_tenant=7) as two:
        user = token_for(settings, ward, uuid.uuid4(), "staff")
        assert [(await _post(one, user)).status_code for _ in range(4)] == [200] * 4
        await _settle()
        # What one replica took is the other's to honour: not 4 per replica.
        refused = await _post(two, user)
        assert refused.status_code == 429
        assert _codes(refused.json()) == {"RATE_LIMITED"}
        assert refused.headers["retry-after"] == "60"
        assert "Quá nhiều yêu cầu" in refused.json()["errors"][0]["extensions"]["messageVi"]
        assert (await _post(one, user)).status_code == 429
        # The user's refusals did not drain the tenant: 3 of its 7 remain, on either replica.
        other = token_for(settings, ward, uuid.uuid4(), "staff")
        assert [(await _post(two, other)).status_code for _ in range(3)] == [200] * 3
        await _settle()
        assert (await _post(one, other)).status_code == 429


async def test_a_burst_on_two_replicas_at_once_stays_within_the_documented_slack(
    settings: Settings,
) -> None:
    """Within one sync each replica decides alone (at most one bucket each, deploy/README.md);
    what went over is debt in the shared bucket, which both then honour."""
    ward = f"ward-{uuid.uuid4().hex[:8]}"
    async with app_with(settings, rate_per_user=3, rate_per_tenant=0) as one, \
            app_with(settings, rate_per_user=3, rate_per_tenant=0) as two:
        user = token_for(settings, ward, uuid.uuid4(), "staff")
        statuses = await asyncio.gather(*(_post(http, user) for http in [one, two] * 5))
        admitted = sum(r.status_code == 200 for r in statuses)
        assert 3 <= admitted <= 2 * 3  # the limit, plus at most one bucket per other replica
        await _settle()
        # In debt: neither replica admits, though each alone would have refilled a little.
        assert {(await _post(http, user)).status_code for http in [one, two]} == {429}


async def test_per_process_buckets_remain_available_and_multiply_by_replicas(
    settings: Settings,
) -> None:
    ward = f"ward-{uuid.uuid4().hex[:8]}"
    async with app_with(settings, rate_per_user=2, rate_shared=False) as one, \
            app_with(settings, rate_per_user=2, rate_shared=False) as two:
        user = token_for(settings, ward, uuid.uuid4(), "staff")
        statuses = [(await _post(http, user)).status_code for http in [one, two] * 3]
        assert statuses == [200] * 4 + [429] * 2  # 2 per replica


async def test_a_limit_of_zero_is_off_and_buckets_refill_by_the_database_clock(
    runtime: Runtime, settings: Settings,
) -> None:
    async with app_with(settings, rate_per_user=0, rate_per_tenant=0) as http:
        user = token_for(settings, f"ward-{uuid.uuid4().hex[:8]}", uuid.uuid4(), "staff")
        assert {(await _post(http, user)).status_code for _ in range(5)} == {200}
    key = f"test:{uuid.uuid4()}"
    async with runtime.pool.acquire() as conn:
        assert await rate_buckets.sync(conn, [key], [1], [2]) == [1.0]
        # Taking more than is left is debt, at most one bucket deep.
        assert await rate_buckets.sync(conn, [key], [9], [2]) == pytest.approx([-2.0], abs=0.01)
        # A minute later (moved back in the table) the bucket has refilled a minute's worth,
        # never beyond full.
        await conn.execute("UPDATE platform.rate_buckets SET stamp = stamp - 60 WHERE key = $1",
                           key)
        assert await rate_buckets.sync(conn, [key], [0], [2]) == pytest.approx([0.0], abs=0.01)
        await conn.execute("UPDATE platform.rate_buckets SET stamp = stamp - 600 WHERE key = $1",
                           key)
        assert await rate_buckets.sync(conn, [key], [0], [2]) == [2.0]
        # Several keys in one statement, each with its own level.
        other = f"test:{uuid.uuid4()}"
        assert await rate_buckets.sync(conn, [key, other], [2, 1], [2, 5]) == [0.0, 4.0]
