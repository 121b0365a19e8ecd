"""Two tenants with the SAME unit ids, staff ids and names. Every query, mutation and
subscription of the schema (generated from it, so new fields are covered) is tried with tenant
X's token and tenant Y's ids: nothing of Y comes back, and nothing of Y changes. A watcher in X
(a board and their own results, over the websocket) hears nothing while Y changes, and only X
when X does.

The walk runs in both modes (tests/security/walk_modes.py): development, and production —
tokens signed by the identity provider only, and roles only through recorded grants."""

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
from tests.security import live_walk as live
from tests.security.schema_walk import operations
from tests.security.walk_modes import MODES, Walker, walker
from tests.support.gql import data, gql, nodes, token_for
from tests.support.org import Org, StaffedTenant
from tests.support.readmodels import dump, event_count

pytestmark = pytest.mark.e2e

FEBRUARY = {"year": 2026, "month": 2}
ROOTS = {f"{kind}.{name}" for kind, root in (("Query", schema._schema.query_type),
                                             ("Mutation", schema._schema.mutation_type),
                                             ("Subscription", schema._schema.subscription_type))
         if root is not None for name in root.fields}


@pytest.mark.parametrize("mode", MODES)
async def test_every_operation_with_another_tenants_ids_leaks_nothing(
    mode: str, server: str, runtime: Runtime, settings: Settings, http: httpx.AsyncClient,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    shared: dict[str, uuid.UUID] = {}
    x, y = await new_tenant(), await new_tenant()
    own = await org_in(x, members=2, ids=shared)
    org = await org_in(y, members=2, ids=shared)  # same ids, same names
    # The premise of the walk: an id of Y's is an id of X's too.
    assert (own.root, own.unit, own.leader, own.members, own.hr) == (
        org.root, org.unit, org.leader, org.members, org.hr)
    secret = f"BÍ MẬT CỦA Y {uuid.uuid4()}"
    hr_y = token_for(settings, y.slug, org.hr, "hr_officer")
    # Y's decision is in February: a period's id is derived from its unit and month, and the
    # walk's documents name March, so X (whose unit has the same id) opens March under the
    # same id as Y would — February's ids stay Y's alone.
    period = data(await gql(http, hr_y, OPEN, {"unit": str(org.unit), **FEBRUARY})
                  )["openPeriod"]
    staff = org.members[0]
    data(await gql(http, token_for(settings, y.slug, staff, "staff"), SELF,
                   {"period": period["id"], "score": 91}))
    decided = data(await gql(http, token_for(settings, y.slug, org.leader, "unit_leader"),
                             DECIDE, {"period": period["id"], "staff": str(staff),
                                      "level": "C", "score": 60, "reasons": secret}))
    y_only = {period["id"], str(evaluation_id_for(uuid.UUID(period["id"]), staff, "official")),
              secret, y.name}
    async with walker(mode, settings, runtime, http, server) as walk:
        await _live_watch_hears_nothing_of_the_other_tenant(walk.base, walk, runtime, settings,
                                                             http, x, y, own, org, y_only)
        # Let Y's read models settle before taking their picture.
        data(await gql(http, hr_y, "query($at: Int) { units(atLeast: $at) { totalCount } }",
                       {"at": decided["decideRating"]["position"]}))
        async with runtime.pool.acquire() as conn:
            events_before, tables_before = await event_count(conn, y.schema), await dump(
                conn, y.schema)
        # Every role a tenant can give (the platform administrator is the platform's own,
        # and merging tenants is its job: tested in test_permission_matrix /
        # test_reorganisation); in production each is granted on X first.
        # Production walks with one of them (its cost is the app's, not the roles'): the
        # officer, who holds every role.
        people = (staff, org.leader, org.hr) if mode == "development" else (org.hr,)
        attackers = [await walk.token(x.slug, who, *TENANT_ROLES) for who in people]
        await _walk(walk.http, walk.base, attackers, org, staff, period["id"],
                    decided["decideRating"]["id"], y, y_only)

    async with runtime.pool.acquire() as conn:
        assert await event_count(conn, y.schema) == events_before
        assert await dump(conn, y.schema) == tables_before


async def _walk(http: httpx.AsyncClient, base: str, attackers: list[str], org: Org,
                staff: uuid.UUID, period: str, evaluation: str, y: Tenant,
                y_only: set[str]) -> None:
    ids = [period, str(org.unit), str(org.root), str(staff), str(org.leader), evaluation,
           "not-an-id"]
    # Arguments naming a tenant name the victim.
    victim = {"tenant": y.slug, "toTenant": y.slug, "predecessors": y.slug}
    walked: set[str] = set()
    seen_own = 0
    # Shared staff ids mean one person (tenants reorganised carry their people over, ids
    # and all), and erasing a person's data erases it wherever it was sealed with their key
    # (services/platform/erasure.py): the one operation meant to reach Y through a shared
    # id — but only by a platform admin or an officer who is HR officer of Y as well. X's
    # attackers are neither, so it is walked like every other operation: refused with a
    # stable code (ERASURE_BEYOND_TENANT), Y unchanged.
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
            walked.add(op.name)
            # X's own records carry the same ids: answers that show them prove the
            # documents reach the resolvers (not refused before, which would leak nothing
            # whatever the resolvers do).
            seen_own += bool(body.get("data")) and any(
                str(i) in text for i in (org.unit, org.root, staff, org.leader, org.hr))
    assert seen_own >= 10, f"only {seen_own} answers showed tenant X's own records"

    # Subscriptions, over the websocket: the first message of each carries nothing of Y.
    answered = 0
    for op in operations(schema._schema, ids, victim, kinds=("Subscription",)):
        async with socket(base, attackers[-1]) as ws:
            assert (await receive(ws))["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
                "query": op.document, "variables": op.variables}}))
            message = await receive(ws)
            text = json.dumps(message, ensure_ascii=False)
            leaked = [s for s in y_only if s in text]
            assert not leaked, f"{op.name} leaked {leaked}: {text[:500]}"
            assert message["type"] in ("next", "error"), f"{op.name}: {text[:500]}"
            errors = live.payload_errors(message)
            assert all(e["extensions"]["code"] != "INTERNAL" for e in errors), op.name
            walked.add(op.name)
            answered += message["type"] == "next" and not errors
    # Positive control: X's own caller is answered (not refused before the resolvers).
    assert answered >= len(ids), f"only {answered} subscriptions were answered"
    assert walked == ROOTS, f"never walked: {sorted(ROOTS - walked)}"


async def _live_watch_hears_nothing_of_the_other_tenant(
    base: str, walk: Walker, runtime: Runtime, settings: Settings, http: httpx.AsyncClient,
    x: Tenant, y: Tenant, own: Org, org: Org, y_only: set[str],
) -> None:
    """X's member (also a leader there) watches X's board for April and their own results,
    with ids that are Y's too. Y decides and publishes April: nothing arrives. X does: X's
    decision arrives, and only X's."""
    hr_x = token_for(settings, x.slug, own.hr, "hr_officer")
    x_april = await live.opened_april(http, hr_x, own)
    y_april = await live.opened_april(
        http, token_for(settings, y.slug, org.hr, "hr_officer"), org)
    watcher = await walk.token(x.slug, own.members[0], "staff", "unit_leader")
    async with socket(base, watcher) as ws:
        assert (await receive(ws))["type"] == "connection_ack"
        watch = live.Watch(ws)
        board = live.board_of(await watch.subscribe("board", live.BOARD_LIVE,
                                                    {"unit": str(org.unit), **live.APRIL}))
        if board is None:  # the first message may predate the projection of the opening
            board = live.board_of(await watch.until(
                "board", lambda m: live.board_of(m) is not None))
        assert board is not None
        assert board["id"] == x_april
        assert board["completion"]["decided"] == 0
        assert live.results_of(await watch.subscribe("mine", live.MINE_LIVE)) == []

        await live.other_side_changes([watch], runtime, y, lambda: live.april(
            http, settings, y, org, y_april, "D", 40, "Y quyết định"))

        await live.april(http, settings, x, own, x_april, "B", 85, "X quyết định")
        await watch.until("mine", lambda m: bool(live.results_of(m)))
        await watch.until("board", lambda m: live.decided(live.board_of(m)) == 1)
        text = watch.text()
        leaked = [s for s in y_only if s in text]
        assert not leaked, f"the watch leaked {leaked}: {text[:600]}"
        for message in watch.messages["board"]:
            levels = {d["level"]: d["count"] for d in (live.board_of(message) or {}).get(
                "distribution", [])}
            assert not levels.get("D"), f"Y's decision reached X's board: {message}"
        mine = [live.results_of(m) for m in watch.messages["mine"]]
        assert mine[0] == [], mine
        assert all(r == [{"periodId": x_april, "level": "B", "score": 85.0}]
                   for r in mine[1:]), mine


async def test_a_unit_scoped_grant_sees_its_units_and_nothing_else(
    runtime: Runtime, settings: Settings, http: httpx.AsyncClient, staffed_tenant: StaffedTenant,
) -> None:
    from domain.actor import Actor

    tenant, org = await staffed_tenant(members=2)
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
    settings: Settings, http: httpx.AsyncClient, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=2)
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
