"""A dashboard page costs a bounded number of SQL statements, whatever its size (DataLoaders)."""

from __future__ import annotations

import uuid
from typing import Any

import anyio
import pytest

from domain.actor import Actor, acting_as
from projections.runner import catch_up, lock_key
from services.app.commands import OpenPeriod
from services.gql.context import Context
from services.gql.schema import schema
from services.http.auth import Principal
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.support.org import StaffedTenant
from tests.support.projection import hold

pytestmark = pytest.mark.integration

PAGE = """query Page($first: Int!) {
  boards(first: $first) {
    edges { node {
      month unit { name } quota { used } completion { decided }
      distribution { level count } byPeerGroup { peerGroup members }
      members(first: 3) { edges { node { fullName level } } pageInfo { hasNextPage } }
    } }
    pageInfo { hasNextPage }
  }
}"""
STATEMENTS = 4  # the page, its units, its level counts, its member pages


async def _statements(runtime: Runtime, tenant: Tenant, first: int) -> tuple[int, Any]:
    ctx = Context(rt=runtime, principal=Principal(str(uuid.uuid4()), "", tenant.slug,
                                                  frozenset({"hr_officer"})))
    result = await schema.execute(PAGE, variable_values={"first": first}, context_value=ctx)
    assert result.errors is None, result.errors
    return ctx.reads.statements, result.data


async def test_a_page_of_boards_costs_the_same_few_statements_at_any_size(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=5)
    service = runtime.service(tenant)

    def open_year() -> None:
        with acting_as(Actor("hr", "hr_officer")):
            for month in range(1, 13):
                service.open_period(OpenPeriod(org.unit, 2026, month))
    await anyio.to_thread.run_sync(open_year)
    async with runtime.pool.acquire() as conn:
        # Wait out any other projector on this tenant, then make sure every event is in.
        await hold(conn, tenant)
        await catch_up(conn, tenant.schema)
        await conn.execute("SELECT pg_advisory_unlock($1)", lock_key(tenant.schema))

    small, small_data = await _statements(runtime, tenant, 2)
    large, large_data = await _statements(runtime, tenant, 12)
    assert len(small_data["boards"]["edges"]) == 2
    assert len(large_data["boards"]["edges"]) == 12
    assert all(len(e["node"]["members"]["edges"]) == 3 for e in large_data["boards"]["edges"])
    assert small == large == STATEMENTS
