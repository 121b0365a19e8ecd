"""A parent tenant sees its children's aggregates — counts only — and only by explicit grant
(a grant on the parent that reaches its children, from the platform log)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest

from domain.actor import Actor
from services.platform.grants import grants_for
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.support.gql import data, error_code, gql, token_for
from tests.support.operations import operation
from tests.support.org import Org
from tests.support.paging import MAX_PAGES, next_cursor, too_many_pages

pytestmark = pytest.mark.e2e

OPEN = operation("OpenPeriod")
DECIDE = operation("DecideRating")
ADMIN = Actor("platform-admin", "platform_admin")
CHILDREN = operation("ChildTenantTrend")
TIMELINE = operation("PersonTimeline")
TREND = operation("Trend")
BOARDS = operation("TenantBoards")


async def _rate(http: httpx.AsyncClient, settings: Settings, tenant: Tenant, org: Org,
                levels: list[str]) -> int:
    hr = token_for(settings, tenant.slug, org.hr, "hr_officer")
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader")
    period = data(await gql(http, hr, OPEN, {"unit": str(org.unit), "year": 2026,
                                             "month": 5}))["openPeriod"]["id"]
    position = 0
    for staff, level in zip(org.members, levels, strict=False):
        position = data(await gql(http, leader, DECIDE, {
            "period": period, "staff": str(staff), "level": level,
            "score": {"A": 95, "B": 85, "C": 60}[level]}))["decideRating"]["position"]
    return position


async def _granted(runtime: Runtime, user: str, tenant: str, role: str = "auditor",
                   children: bool = True) -> None:
    """Grant ``user`` a role on ``tenant`` (and its children), and wait until the platform
    log's projection shows it (another projector may be applying it)."""
    await runtime.platform.grant(ADMIN, user, tenant, role, include_children=children)
    for _ in range(500):
        if await grants_for(runtime.pool, user):
            return
        await runtime.platform.catch_up()
        await asyncio.sleep(0.01)
    raise AssertionError("the grant never reached platform.grants")


async def _caught_up(http: httpx.AsyncClient, settings: Settings, tenant: Tenant,
                     position: int) -> None:
    """Read-your-writes in the child, so the parent's view has something to aggregate."""
    hr = token_for(settings, tenant.slug, uuid.uuid4(), "hr_officer")
    data(await gql(http, hr, TREND, {"at": position}))


async def _children_view(http: httpx.AsyncClient, token: str) -> httpx.Response:
    return await http.post("/graphql", json={"query": CHILDREN, "variables": {}},
                           headers={"Authorization": f"Bearer {token}"})


async def test_parent_sees_granted_children_counts_and_never_their_people(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    district = await new_tenant(f"test-d-{uuid.uuid4().hex[:8]}")
    ward = await new_tenant(f"test-w-{uuid.uuid4().hex[:8]}", parent=district.slug)
    stranger = await new_tenant()  # not a child of the district
    ward_org = await org_in(ward, members=4)
    stranger_org = await org_in(stranger, members=3)
    await org_in(district, members=2)
    await _caught_up(http, settings, ward,
                     await _rate(http, settings, ward, ward_org, ["A", "B", "B"]))
    await _rate(http, settings, stranger, stranger_org, ["C"])
    inspector, clerk = f"insp-{uuid.uuid4().hex[:8]}", f"clerk-{uuid.uuid4().hex[:8]}"
    parent_hr = token_for(settings, district.slug, inspector, "hr_officer")

    # No grant yet: nothing is visible.
    before = data((await _children_view(http, parent_hr)).json())["childTenantTrend"]
    assert before["edges"] == []
    # A grant on the district alone does not reach the children either.
    await _granted(runtime, clerk, district.slug, "hr_officer", children=False)
    clerk_token = token_for(settings, district.slug, clerk, "hr_officer")
    narrow = data((await _children_view(http, clerk_token)).json())["childTenantTrend"]
    assert narrow["edges"] == []

    await _granted(runtime, inspector, district.slug)
    response = await _children_view(http, parent_hr)
    view = data(response.json())["childTenantTrend"]
    assert [(e["node"]["tenant"], e["node"]["point"]["month"], e["node"]["point"]["members"],
             e["node"]["point"]["decided"],
             [lv["count"] for lv in e["node"]["point"]["levels"]]) for e in view["edges"]] == [
        (ward.slug, 5, 5, 3, [1, 2, 0, 0])]
    # The tenant outside the district is absent; no id or name of a child's person is there.
    text = response.text
    assert stranger.slug not in text
    people = [ward_org.leader, ward_org.chair, *ward_org.members]
    assert not any(str(p) in text for p in people)
    assert "Thành Viên" not in text
    assert "Trưởng" not in text

    # The parent's own person-level queries never reach into the child.
    timeline = data(await gql(http, parent_hr, TIMELINE, {"staff": str(ward_org.members[0])}))
    assert timeline["personTimeline"]["edges"] == []
    boards = data(await gql(http, parent_hr, BOARDS, {}))["boards"]["edges"]
    assert all(e["node"]["unit"]["id"] != str(ward_org.unit) for e in boards)

    # Staff of the parent may not read children's figures; a child may not read its parent's.
    parent_staff = token_for(settings, district.slug, inspector, "staff")
    assert error_code((await _children_view(http, parent_staff)).json()) == "FORBIDDEN"
    ward_hr = token_for(settings, ward.slug, inspector, "hr_officer")
    reverse = data((await _children_view(http, ward_hr)).json())["childTenantTrend"]
    assert reverse["edges"] == []


async def test_child_aggregates_page_by_tenant_and_month(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    district = await new_tenant(f"test-d-{uuid.uuid4().hex[:8]}")
    slugs = []
    for _ in range(3):
        ward = await new_tenant(f"test-w-{uuid.uuid4().hex[:8]}", parent=district.slug)
        org = await org_in(ward, members=2)
        await _caught_up(http, settings, ward, await _rate(http, settings, ward, org, ["B"]))
        slugs.append(ward.slug)
    inspector = f"insp-{uuid.uuid4().hex[:8]}"
    await _granted(runtime, inspector, district.slug)
    parent_auditor = token_for(settings, district.slug, inspector, "auditor")
    seen: list[str] = []
    after = None
    for _ in range(MAX_PAGES):
        page = data(await gql(http, parent_auditor, CHILDREN, {"first": 2, "after": after}))
        conn = page["childTenantTrend"]
        seen += [e["node"]["tenant"] for e in conn["edges"]]
        if (after := next_cursor(conn["pageInfo"], after)) is None:
            break
    else:
        raise too_many_pages()
    assert seen == sorted(slugs)
    assert json.dumps(seen).count("test-w-") == 3
