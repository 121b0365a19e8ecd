"""Operations that reach a second tenant: a transfer writes into the receiving tenant only
for an HR officer granted there too; reading a person's history in merged tenants is logged
in the platform log, like an auditor's read; tenant merges are the platform's alone."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest

from domain.actor import Actor
from projections.rebuild import log_head
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.support.gql import data, error_code, gql, nodes, token_for
from tests.support.org import Org
from tests.support.readmodels import dump, event_count

pytestmark = pytest.mark.e2e

ADMIN = Actor("platform-admin", "platform_admin")
TRANSFER = ("mutation($s: ID!, $t: String!, $u: ID!) { transferStaffToTenant(staffId: $s, "
            "toTenant: $t, toUnitId: $u, reasons: \"Điều động\") { position id } }")
MERGE = ("mutation($p: [String!]!) { mergeTenants(predecessors: $p, reasons: \"NQ 1656\") "
         "{ position id } }")
HISTORY = ("query($s: ID!) { predecessorHistory(staffId: $s) { "
           "edges { node { year month level } } } }")


async def test_a_transfer_needs_an_hr_grant_in_the_receiving_tenant(
    runtime: Runtime, settings: Settings, http: httpx.AsyncClient,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    source, target = await new_tenant(), await new_tenant()
    org = await org_in(source, members=2)
    receiving = await org_in(target, members=1)
    hr = token_for(settings, source.slug, org.hr, "hr_officer")
    variables = {"s": str(org.members[0]), "t": target.slug, "u": str(receiving.unit)}
    async with runtime.pool.acquire() as conn:
        head = await log_head(conn, target.schema)
    # The receiving tenant's read models settle before their picture is taken.
    data(await gql(http, token_for(settings, target.slug, receiving.hr, "hr_officer"),
                   "query($at: Int) { units(atLeast: $at) { totalCount } }", {"at": head}))
    async with runtime.pool.acquire() as conn:
        events, tables = await event_count(conn, target.schema), await dump(conn, target.schema)
    # Without a grant there, the receiving tenant reads exactly like one that does not exist.
    refused = await gql(http, hr, TRANSFER, variables)
    assert error_code(refused) == "NOT_FOUND"
    assert refused["errors"][0]["extensions"]["messageVi"]
    absent = await gql(http, hr, TRANSFER, {**variables, "t": f"khong-co-{uuid.uuid4().hex[:6]}"})
    assert error_code(absent) == "NOT_FOUND"
    assert refused["errors"][0]["message"] == absent["errors"][0]["message"]
    async with runtime.pool.acquire() as conn:
        assert await event_count(conn, target.schema) == events
        assert await dump(conn, target.schema) == tables
    # A grant as HR officer of the receiving tenant opens the way.
    await runtime.platform.grant(ADMIN, str(org.hr), target.slug, "hr_officer")
    moved = data(await gql(http, hr, TRANSFER, variables))["transferStaffToTenant"]
    assert moved["id"] == str(org.members[0])
    async with runtime.pool.acquire() as conn:
        assert await event_count(conn, target.schema) > events


async def test_merging_tenants_is_the_platform_admins_and_history_reads_are_logged(
    runtime: Runtime, settings: Settings, http: httpx.AsyncClient,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    old, successor = await new_tenant(), await new_tenant()
    org = await org_in(old, members=2)
    # A tenant's own HR officer may not merge anything into it.
    hr = token_for(settings, successor.slug, org.hr, "hr_officer")
    assert error_code(await gql(http, hr, MERGE, {"p": [old.slug]})) == "FORBIDDEN"
    admin = token_for(settings, successor.slug, "platform-admin", "platform_admin")
    merged = data(await gql(http, admin, MERGE, {"p": [old.slug]}))["mergeTenants"]

    person = org.members[0]
    mine = token_for(settings, successor.slug, person, "staff")
    lineage = data(await gql(http, mine, "query($at: Int) { tenantLineage(atLeast: $at) "
                                         "{ edges { node { relation otherTenant } } } }",
                           {"at": merged["position"]}))
    assert nodes(lineage["tenantLineage"]) == [{"relation": "absorbed", "otherTenant": old.slug}]
    history = data(await gql(http, mine, HISTORY, {"s": str(person)}))["predecessorHistory"]
    assert nodes(history) == []
    rows = await runtime.pool.fetch(
        "SELECT tenant, operation, target, capacity FROM platform.access_log "
        "WHERE user_id = $1 ORDER BY position", str(person))
    assert [(r["tenant"], r["operation"], r["target"], r["capacity"]) for r in rows] == [
        (old.slug, "predecessor_history", f"{person}@{successor.slug}", "staff")]
    # Someone else's history reads like nobody's, and reaches into no other tenant.
    other = token_for(settings, successor.slug, org.members[1], "staff")
    theirs = data(await gql(http, other, HISTORY, {"s": str(person)}))["predecessorHistory"]
    assert nodes(theirs) == []
    assert not await runtime.pool.fetchval(
        "SELECT count(*) FROM platform.access_log WHERE user_id = $1", str(org.members[1]))
