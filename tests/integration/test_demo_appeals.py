"""The demo tenants carry appeals at both instances, with every outcome."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date

import anyio
import pytest

from projections.runner import catch_up
from services.demo.tenants import TENANTS, _build_tenant
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.support.projection import holding

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("slug", [t[0] for t in TENANTS])
async def test_demo_appeals_cover_both_instances_and_every_outcome(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]], slug: str) -> None:
    # A copy under its own slug, drawn from the demo tenant's seed: the demo's own slug may
    # already be loaded in this session's database (the province test merges some of them).
    tenant = await new_tenant(f"{slug}-{uuid.uuid4().hex[:6]}")
    service = runtime.service(tenant)
    await anyio.to_thread.run_sync(
        lambda: _build_tenant(service, tenant.slug, date(2026, 11, 23), seed=slug))
    async with holding(runtime, tenant) as conn:
        await catch_up(conn, tenant.schema)
        rows = await conn.fetch(
            f"SELECT instance, status, first_outcome, outcome FROM {tenant.schema}.rm_appeals")
        steps = await conn.fetch(f"SELECT DISTINCT instance, step FROM {tenant.schema}"
                                 ".rm_appeal_steps")
        amended = await conn.fetchval(
            f"SELECT count(*) FROM {tenant.schema}.rm_ratings WHERE status = 'amended'")
    done = {(s["instance"], s["step"]) for s in steps}
    for instance in (1, 2):
        assert {(instance, o) for o in ("dismissed", "upheld", "partially_upheld")} <= done
    assert {(1, "information_requested"), (1, "withdrawn")} <= done
    statuses = {r["status"] for r in rows}
    assert {"awaiting_information", "closed", "withdrawn", "awaiting_reviewer"} <= statuses
    assert amended >= 4
