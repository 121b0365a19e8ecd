"""Audit of access: every read by an auditor, through any field, and every read reaching
into another tenant (a parent's reviewer or inspector in a ward) is itself an event of the
platform log (``platform.access_log`` is its read model): who, in what capacity, which
tenant, which operation, on what."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest

from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.support.auditors import ADMIN, granted_auditor
from tests.support.gql import data, gql, token_for
from tests.support.org import Org, StaffedTenant

pytestmark = pytest.mark.e2e

READS = {
    "unitRatings": ("query($u: ID!) { unitRatings(unitId: $u, year: 2026, month: 3) "
                    "{ totalCount } }"),
    "boards": "{ boards { edges { node { id } } } }",
    "trend": "{ trend { edges { node { members } } } }",
}


async def _log(runtime: Runtime, user: str) -> list[tuple[str, str, str, str]]:
    rows = await runtime.pool.fetch(
        "SELECT capacity, tenant, operation, target FROM platform.access_log "
        "WHERE user_id = $1 ORDER BY position", user)
    return [(r["capacity"], r["tenant"], r["operation"], r["target"]) for r in rows]


async def test_an_auditors_reads_through_any_field_are_logged(
    runtime: Runtime, settings: Settings, http: httpx.AsyncClient, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=1)
    auditor, token = await granted_auditor(runtime, settings, tenant, "thanh-tra")
    for query in READS.values():
        data(await gql(http, token, query, {"u": str(org.unit)} if "$u" in query else None))
    logged = await _log(runtime, auditor)
    assert [(c, t, o) for c, t, o, _ in logged] == [
        ("auditor", tenant.slug, operation) for operation in READS]
    assert str(org.unit) in logged[0][3]  # what was asked for: the unit
    # A whole-tenant HR officer's reads are their daily work, not logged.
    hr = str(org.hr)
    data(await gql(http, token_for(settings, tenant.slug, hr, "hr_officer"), READS["boards"]))
    assert await _log(runtime, hr) == []


async def test_reads_into_a_child_tenant_are_logged_under_that_tenant(
    runtime: Runtime, settings: Settings, http: httpx.AsyncClient,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    district = await new_tenant()
    ward = await new_tenant(parent=district.slug)
    await org_in(ward, members=1)
    reviewer = f"quan-{uuid.uuid4().hex[:8]}"
    await runtime.platform.grant(ADMIN, reviewer, district.slug, "appeal_reviewer",
                                 include_children=True)
    token = token_for(settings, district.slug, reviewer, "appeal_reviewer")
    data(await gql(http, token, "query($t: String) { appeals(tenant: $t) { totalCount } }",
                   {"t": ward.slug}))
    data(await gql(http, token, "query($t: String) { myPendingWork(tenant: $t) { totalCount } }",
                   {"t": ward.slug}))
    logged = await _log(runtime, reviewer)
    assert [(c, t, o) for c, t, o, _ in logged] == [
        ("appeal_reviewer", ward.slug, "appeals"),
        ("appeal_reviewer", ward.slug, "myPendingWork")]
    assert all(district.slug in target for *_, target in logged)  # from where

    inspector = f"thanh-tra-quan-{uuid.uuid4().hex[:8]}"
    await runtime.platform.grant(ADMIN, inspector, district.slug, "hr_officer",
                                 include_children=True)
    data(await gql(http, token_for(settings, district.slug, inspector, "hr_officer"),
                   "{ childTenantTrend { edges { node { tenant } } } }"))
    assert [(c, t, o) for c, t, o, _ in await _log(runtime, inspector)] == [
        ("hr_officer", ward.slug, "childTenantTrend")]
