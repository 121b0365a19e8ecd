"""A grant narrowed to unit A reaches A (and what lies below it), never its sibling B: every
query of the schema — generated from it, so a list added tomorrow is covered — is tried by a
caller holding every tenant role scoped to A, with A's ids and B's, and nothing of B (its
id, name, people, periods, evaluations, appeals) ever comes back. Lists and aggregates are
narrowed in SQL, so their counts and pages are those of A alone."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable

import anyio
import httpx
import pytest

from domain.actor import Actor, acting_as
from domain.ids import StaffId, UnitId, evaluation_id_for
from services.app.commands import AppointLeader, RegisterStaff, RegisterUnit
from services.gql.permissions import TENANT_ROLES
from services.gql.schema import schema
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.test_appeal_workflow import FILE, decided_rating
from tests.e2e.test_collectives_api import OPEN as OPEN_ROUND
from tests.e2e.test_collectives_api import RATE
from tests.security.schema_walk import operations
from tests.support.gql import data, gql, token_for
from tests.support.org import Org

pytestmark = pytest.mark.e2e

ADMIN = Actor("test-admin", "platform_admin")
TREND = "query($at: Int) { trend(atLeast: $at) { edges { node { members decided } } } }"


async def _sibling(runtime: Runtime, tenant: Tenant, org: Org, tag: str) -> Org:
    """Unit B beside unit A (same parent, same chair above it), with a head and a member."""
    unit, leader, member = UnitId(uuid.uuid4()), StaffId(uuid.uuid4()), StaffId(uuid.uuid4())
    service = runtime.service(tenant)

    def build() -> None:
        with acting_as(Actor("test-hr", "hr_officer")):
            service.register_unit(RegisterUnit(unit, f"Phòng {tag}", "board", org.root))
            service.register_staff(RegisterStaff(leader, f"Trưởng {tag}", "cadre", "Trưởng phòng",
                                                 unit))
            service.appoint_leader(AppointLeader(unit, leader))
            service.register_staff(RegisterStaff(member, f"Người {tag}", "civil_servant",
                                                 "Chuyên viên", unit))

    await anyio.to_thread.run_sync(build)
    await runtime.written(tenant)
    return Org(root=org.root, unit=unit, chair=org.chair, leader=leader, members=[member],
               hr=org.hr)


async def _activity(http: httpx.AsyncClient, settings: Settings, tenant: Tenant,
                    org: Org) -> tuple[str, str]:
    """March decided and published in the unit, then appealed: (evaluation id, appeal id)."""
    staff = org.members[0]
    evaluation, _ = await decided_rating(http, settings, tenant, org, staff, org.leader)
    filed = data(await gql(http, token_for(settings, tenant.slug, staff, "staff"), FILE, {
        "evaluation": evaluation, "claimed": "B", "evidence": "Biên bản",
        "grounds": "Báo cáo chậm do hệ thống lỗi."}))["fileAppeal"]
    return evaluation, filed["id"]


async def test_a_unit_scoped_caller_never_sees_a_sibling_unit_in_any_query(
    runtime: Runtime, settings: Settings, http: httpx.AsyncClient,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    tenant = await new_tenant()
    a = await org_in(tenant, members=1)
    tag = f"BÍ MẬT {uuid.uuid4().hex[:8]}"
    b = await _sibling(runtime, tenant, a, tag)
    a_evaluation, a_appeal = await _activity(http, settings, tenant, a)
    b_evaluation, b_appeal = await _activity(http, settings, tenant, b)
    hr = token_for(settings, tenant.slug, a.hr, "hr_officer")
    b_period = data(await gql(http, hr, "query($u: ID!) { period(unitId: $u, year: 2026, "
                                        "month: 3) { id } }", {"u": str(b.unit)}))["period"]
    # The year's collectives: the chair rates both units.
    data(await gql(http, hr, OPEN_ROUND))
    chair = token_for(settings, tenant.slug, a.chair, "unit_leader")
    for unit in (a.unit, b.unit):
        rated = data(await gql(http, chair, RATE, {"unit": str(unit), "level": "B",
                                                   "score": 85}))["rateCollective"]
    position = rated["position"]

    scoped = str(uuid.uuid4())
    for role in TENANT_ROLES:
        if role != "staff":
            await runtime.platform.grant(ADMIN, scoped, tenant.slug, role, unit_scope=a.unit)
    token = token_for(settings, tenant.slug, scoped, *[r for r in TENANT_ROLES if r != "staff"])
    # Settled read models before probing (every query then reads the same picture).
    data(await gql(http, token, "query($at: Int) { units(atLeast: $at) { totalCount } }",
                   {"at": position}))

    b_only = {str(b.unit), str(b.leader), str(b.members[0]), tag, b_period["id"],
              b_evaluation, b_appeal,
              str(evaluation_id_for(uuid.UUID(b_period["id"]), b.leader, "official"))}
    ids = [str(a.unit), a_evaluation, a_appeal, str(a.members[0]), str(a.leader),
           str(b.unit), b_evaluation, b_appeal, str(b.members[0]), str(b.leader),
           b_period["id"]]
    seen_a = 0
    for op in operations(schema._schema, ids, {"tenant": tenant.slug}, kinds=("Query",)):
        body = await gql(http, token, op.document, op.variables)
        text = json.dumps(body, ensure_ascii=False)
        leaked = sorted(s for s in b_only if s in text)
        assert not leaked, f"{op.name} {op.variables} leaked {leaked}: {text[:600]}"
        for error in body.get("errors") or []:
            assert error["extensions"]["code"] != "INTERNAL", f"{op.name}: {error}"
        seen_a += str(a.unit) in text or a_appeal in text or a_evaluation in text
    assert seen_a >= 10, "the scoped caller should see unit A's records"

    # Aggregates count A alone: one member decided in March, not two.
    points = data(await gql(http, token, TREND, {"at": position}))["trend"]["edges"]
    assert [p["node"]["decided"] for p in points] == [1]
    whole = data(await gql(http, hr, TREND, {"at": position}))["trend"]["edges"]
    assert [p["node"]["decided"] for p in whole] == [2]
