"""Two tenants with the SAME unit ids, staff ids and names. Every query and mutation of the
schema (generated from it, so new fields are covered) is tried with tenant X's token and
tenant Y's ids: nothing of Y comes back, and nothing of Y changes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest

from domain.ids import evaluation_id_for
from services.gql.permissions import TENANT_ROLES
from services.gql.schema import schema
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.test_live_board import receive, socket
from tests.e2e.test_rating_workflow import DECIDE, MARCH, OPEN, SELF
from tests.security.schema_walk import operations
from tests.support.gql import data, gql, nodes, token_for
from tests.support.org import Org
from tests.support.readmodels import dump, event_count

pytestmark = pytest.mark.e2e

async def test_every_operation_with_another_tenants_ids_leaks_nothing(
    server: str, runtime: Runtime, settings: Settings, http: httpx.AsyncClient,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    shared: dict[str, uuid.UUID] = {}
    x, y = await new_tenant(), await new_tenant()
    await org_in(x, members=2, ids=shared)
    org = await org_in(y, members=2, ids=shared)  # same ids, same names
    secret = f"BÍ MẬT CỦA Y {uuid.uuid4()}"
    hr_y = token_for(settings, y.slug, org.hr, "hr_officer")
    period = data(await gql(http, hr_y, OPEN, {"unit": str(org.unit), **MARCH}))["openPeriod"]
    staff = org.members[0]
    data(await gql(http, token_for(settings, y.slug, staff, "staff"), SELF,
                   {"period": period["id"], "score": 91}))
    decided = data(await gql(http, token_for(settings, y.slug, org.leader, "unit_leader"),
                             DECIDE, {"period": period["id"], "staff": str(staff),
                                      "level": "C", "score": 60, "reasons": secret}))
    y_only = {period["id"], str(evaluation_id_for(uuid.UUID(period["id"]), staff, "official")),
              secret, y.name}
    # Let Y's read models settle before taking their picture.
    data(await gql(http, hr_y, "query($at: Int) { units(atLeast: $at) { totalCount } }",
                   {"at": decided["decideRating"]["position"]}))
    async with runtime.pool.acquire() as conn:
        events_before, tables_before = await event_count(conn, y.schema), await dump(
            conn, y.schema)

    ids = [period["id"], str(org.unit), str(org.root), str(staff), str(org.leader),
           decided["decideRating"]["id"], "not-an-id"]
    # Every role a tenant can give (the platform administrator is the platform's own, and
    # merging tenants is its job: tested in test_permission_matrix / test_reorganisation).
    attackers = [token_for(settings, x.slug, who, *TENANT_ROLES)
                 for who in (staff, org.leader, org.hr)]
    # Arguments naming a tenant name the victim.
    victim = {"tenant": y.slug, "toTenant": y.slug, "predecessors": y.slug}
    tried = seen_own = 0
    for op in operations(schema._schema, ids, victim):
        for token in attackers:
            body = await gql(http, token, op.document, op.variables)
            text = json.dumps(body, ensure_ascii=False)
            leaked = [s for s in y_only if s in text]
            assert not leaked, f"{op.name} leaked {leaked}: {text[:500]}"
            for error in body.get("errors") or []:
                # Any stable refusal is fine (X's own rules apply to X's own records);
                # a crash is not.
                assert error["extensions"]["code"] != "INTERNAL", f"{op.name}: {error}"
            tried += 1
            # X's own records carry the same ids: answers that show them prove the
            # documents reach the resolvers (not refused before, which would leak nothing
            # whatever the resolvers do).
            seen_own += bool(body.get("data")) and any(
                str(i) in text for i in (org.unit, org.root, staff, org.leader, org.hr))
    assert tried >= len(schema._schema.query_type.fields) * len(ids)
    assert seen_own >= 10, f"only {seen_own} answers showed tenant X's own records"

    # Subscriptions, over the websocket: the first message of each carries nothing of Y.
    for op in operations(schema._schema, ids, victim, kinds=("Subscription",)):
        async with socket(server, attackers[-1]) as ws:
            assert (await receive(ws))["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
                "query": op.document, "variables": op.variables}}))
            message = await receive(ws)
            text = json.dumps(message, ensure_ascii=False)
            leaked = [s for s in y_only if s in text]
            assert not leaked, f"{op.name} leaked {leaked}: {text[:500]}"
            assert message["type"] in ("next", "error"), f"{op.name}: {text[:500]}"
            payload = message["payload"]
            errors = payload if isinstance(payload, list) else payload.get("errors") or []
            assert all(e["extensions"]["code"] != "INTERNAL" for e in errors), op.name

    async with runtime.pool.acquire() as conn:
        assert await event_count(conn, y.schema) == events_before
        assert await dump(conn, y.schema) == tables_before


async def test_a_unit_scoped_grant_sees_its_units_and_nothing_else(
    runtime: Runtime, settings: Settings, http: httpx.AsyncClient,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    from domain.actor import Actor

    tenant = await new_tenant()
    org = await org_in(tenant, members=2)
    officer = str(uuid.uuid4())
    await runtime.platform.grant(Actor("test-admin", "platform_admin"), officer, tenant.slug,
                                 "hr_officer", unit_scope=org.unit)
    token = token_for(settings, tenant.slug, officer, "hr_officer")
    hr = token_for(settings, tenant.slug, org.hr, "hr_officer")
    # The whole-tenant officer opens March for the root unit (outside the scoped grant).
    root_march = data(await gql(http, hr, OPEN, {"unit": str(org.root), **MARCH}))["openPeriod"]
    # In scope: their unit.
    mine = data(await gql(http, token, OPEN, {"unit": str(org.unit), **MARCH}))["openPeriod"]
    units = data(await gql(http, token, "query($at: Int) { units(atLeast: $at) { edges { "
                                        "node { id } } } }", {"at": mine["position"]}))["units"]
    assert {u["id"] for u in nodes(units)} == {str(org.unit)}
    # Out of scope reads like absent: the root unit's period, its chair's history.
    period = data(await gql(http, token,
                            "query($u: ID!) { period(unitId: $u, year: 2026, month: 3) { id } }",
                            {"u": str(org.root)}))["period"]
    assert period is None
    history = data(await gql(http, token, "query($s: ID!) { ratingHistory(staffId: $s) "
                                          "{ totalCount } }", {"s": str(org.chair)}))
    assert history["ratingHistory"]["totalCount"] == 0
    closed = await gql(http, token, "mutation($p: ID!) { closePeriod(periodId: $p) { id } }",
                       {"p": root_march["id"]})
    assert closed["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # Its unit's staff are in reach, the root unit's are not.
    staff = "query($u: ID!) { unitStaff(unitId: $u) { edges { node { id } } } }"
    assert nodes(data(await gql(http, token, staff, {"u": str(org.unit)}))["unitStaff"])
    assert nodes(data(await gql(http, token, staff, {"u": str(org.root)}))["unitStaff"]) == []


async def test_staff_see_their_own_history_and_nobody_elses(
    settings: Settings, http: httpx.AsyncClient,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    tenant = await new_tenant()
    org = await org_in(tenant, members=2)
    me = token_for(settings, tenant.slug, org.members[0], "staff")
    query = "query($s: ID!) { ratingHistory(staffId: $s) { edges { node { year } } } }"
    mine = data(await gql(http, me, query, {"s": str(org.members[0])}))["ratingHistory"]
    assert nodes(mine) == []
    body = await gql(http, me, query, {"s": str(org.members[1])})
    assert not body.get("errors")
    assert nodes(body["data"]["ratingHistory"]) == []
    # A staff member may not read a board at all: that is the role, not the record.
    board = await gql(http, me, "query($u: ID!) { unitRatings(unitId: $u, year: 2026, "
                                "month: 3) { totalCount } }", {"u": str(org.unit)})
    assert board["errors"][0]["extensions"]["code"] == "FORBIDDEN"
