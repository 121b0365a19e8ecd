"""A standard dashboard query costs the same number of SQL statements for a page of 5 boards
as for a page of 100 (DataLoaders batch every nested read of a page).

Statements are counted where they leave for PostgreSQL — an asyncpg query logger on every
connection of the pool the query runs on — so a resolver that bypassed the loaders and
queried per board would be counted too, not just the reads that go through ``Reads``.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import anyio
import asyncpg
import pytest

from domain.actor import Actor, acting_as
from projections.runner import catch_up, lock_key
from services.app.commands import OpenPeriod
from services.gql.context import Context
from services.gql.schema import schema
from services.http.auth import Principal
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.support.operations import operation
from tests.support.org import Org, StaffedTenant
from tests.support.projection import hold

pytestmark = pytest.mark.integration

MONTHS = [(2018 + i // 12, i % 12 + 1) for i in range(100)]  # Jan 2018 … Apr 2026
# The standard list of boards, and the same page with every nested part a dashboard shows:
# unit, distribution and peer groups (filtered), and a page of the people on each board.
TENANT_BOARDS = operation("TenantBoards")
BOARDS_WITH_PEOPLE = """query Page($first: Int!) {
  boards(first: $first) {
    edges { node {
      month unit { name } quota { used } completion { decided }
      distribution(filter: {staffType: "cong_chuc"}) { level count }
      byPeerGroup { peerGroup members }
      members(first: 3) { edges { node { fullName level } } pageInfo { hasNextPage } }
    } }
    pageInfo { hasNextPage }
  }
}"""


HOUSEKEEPING = ("SELECT pg_advisory_unlock_all()", "BEGIN", "COMMIT", "ROLLBACK",
               "SET LOCAL ROLE ")


class Counter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, record: Any) -> None:
        # Housekeeping, not reads: the pool's reset of a connection it takes back, and the
        # read-only transaction and tenant role every read is wrapped in
        # (services/store/dbroles.py).
        if not record.query.startswith(HOUSEKEEPING):
            self.statements.append(record.query)


def _own(statements: list[str]) -> list[str]:
    """The tenant's own reads (not the caller's platform look-ups, nor asyncpg's own type
    introspection on a connection meeting a type for the first time), in a stable order."""
    return sorted(q for q in statements if "platform." not in q
                  and "'jit'" not in q and "pg_catalog.pg_type" not in q
                  and "typeinfo" not in q)


async def _run(runtime: Runtime, tenant: Tenant, document: str, first: int,
               variables: dict[str, Any] | None = None) -> tuple[list[str], dict[str, Any]]:
    """Run ``document`` on a pool of its own whose every statement is logged. A first run
    warms the pool (asyncpg's per-connection setup and type introspection are not the
    query's cost); the second is counted."""
    counter = Counter()

    async def logged(conn: asyncpg.Connection) -> None:
        conn.add_query_logger(counter)

    pool = await asyncpg.create_pool(**runtime.params.asyncpg_kwargs(), min_size=2,
                                     max_size=2, init=logged)
    try:
        counted = dataclasses.replace(runtime, pool=pool)
        for _ in range(2):
            counter.statements.clear()
            ctx = Context(rt=counted, principal=Principal(
                str(uuid.uuid4()), "", tenant.slug, frozenset({"hr_officer"})))
            result = await schema.execute(
                document, variable_values={"first": first, **(variables or {})},
                context_value=ctx)
    finally:
        await pool.close()
    assert result.errors is None, result.errors
    assert result.data is not None
    return counter.statements, result.data


async def _hundred_boards(runtime: Runtime, tenant: Tenant, org: Org) -> None:
    service = runtime.service(tenant)

    def open_months() -> None:
        with acting_as(Actor("hr", "hr_officer")):
            for year, month in MONTHS:
                service.open_period(OpenPeriod(org.unit, year, month))
    await anyio.to_thread.run_sync(open_months)
    async with runtime.pool.acquire() as conn:
        # Wait out any other projector on this tenant, then make sure every event is in.
        await hold(conn, tenant)
        await catch_up(conn, tenant.schema)
        await conn.execute("SELECT pg_advisory_unlock($1)", lock_key(tenant.schema))


@pytest.mark.parametrize("document", [TENANT_BOARDS, BOARDS_WITH_PEOPLE],
                         ids=["TenantBoards", "boards-with-people"])
async def test_a_dashboard_page_of_100_costs_the_statements_of_a_page_of_5(
    document: str, runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=5)
    await _hundred_boards(runtime, tenant, org)

    small, small_page = await _run(runtime, tenant, document, 5)
    large, large_page = await _run(runtime, tenant, document, 100)

    assert len(small_page["boards"]["edges"]) == 5
    assert len(large_page["boards"]["edges"]) == 100
    assert all(e["node"]["unit"]["name"] for e in large_page["boards"]["edges"])
    # Same statements, one by one — not merely as many: the page, then one per nested part.
    assert len(_own(large)) <= 5, large
    assert _own(large) == _own(small), large


# The month's people of one unit, filtered and counted, beside the month's trend and boards
# of the unit with its sub-units: one statement per list, and one for the count.
PEOPLE = """query People($first: Int!, $unit: ID!) {
  unitRatings(unitId: $unit, year: 2026, month: 4, first: $first,
              filter: {staffType: "civil_servant"}) {
    edges { node { staffName level score } } pageInfo { hasNextPage } totalCount
  }
  unitStaff(unitId: $unit, first: $first) { edges { node { fullName } } totalCount }
  boards(first: $first, filter: {unitId: $unit, includeSubunits: true}) {
    edges { node { month unit { name } distribution { level count } } }
  }
  trend(first: $first, filter: {unitId: $unit, includeSubunits: true, level: B}) {
    edges { node { month members } }
  }
}"""


async def test_a_page_of_100_people_costs_the_statements_of_a_page_of_5(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=120)
    await _hundred_boards(runtime, tenant, org)
    unit = {"unit": str(org.unit)}

    small, small_page = await _run(runtime, tenant, PEOPLE, 5, unit)
    large, large_page = await _run(runtime, tenant, PEOPLE, 100, unit)

    assert len(small_page["unitRatings"]["edges"]) == 5
    assert len(large_page["unitRatings"]["edges"]) == 100
    assert large_page["unitRatings"]["totalCount"] == 120
    assert len(large_page["boards"]["edges"]) == 100
    # The caller's tenant and grants are platform reads, cached with a bound on their age:
    # one of the two runs may refresh them (another test registered a tenant meanwhile).
    # The tenant's own reads are what a page size must not change.
    assert _own(large) == _own(small), large
    # Reads of the lists themselves (the rest is each read-only transaction's BEGIN, SET
    # LOCAL ROLE and COMMIT, and the caller's grants, as many at either size): a page and
    # its count per list, the boards' units and level counts, the trend.
    reads = [q for q in large if q.startswith("SELECT") and "platform." not in q]
    assert len(reads) <= 8, reads
