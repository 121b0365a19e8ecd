"""A grant narrowed to a unit holds in every field, not only in those whose resolvers check
it: any id an out-of-scope caller passes reads as absent. A live subscription follows the
grants as they change: narrowed away from the watched unit, the watch ends."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from domain.actor import Actor
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.test_live_board import receive, socket, subscribe
from tests.e2e.test_rating_workflow import DECIDE, MARCH, OPEN
from tests.support.gql import data, error_code, gql, token_for
from tests.support.org import StaffedTenant

pytestmark = pytest.mark.e2e

ADMIN = Actor("platform-admin", "platform_admin")
BOARD = ("query($u: ID!) { unitBoard(unitId: $u, year: 2026, month: 3) "
         "{ id completion { decided } } }")
QUOTA = "query($p: ID!) { quotaUse(periodId: $p) { __typename } }"
TIMELINE = "query($s: ID!) { personTimeline(staffId: $s) { __typename } }"


async def test_a_unit_scoped_grant_holds_in_fields_that_do_not_check_it_themselves(
    runtime: Runtime, settings: Settings, http: httpx.AsyncClient, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=2)
    hr = token_for(settings, tenant.slug, org.hr, "hr_officer")
    root_march = data(await gql(http, hr, OPEN, {"unit": str(org.root), **MARCH}))["openPeriod"]
    unit_march = data(await gql(http, hr, OPEN, {"unit": str(org.unit), **MARCH}))["openPeriod"]
    officer = str(uuid.uuid4())
    await runtime.platform.grant(ADMIN, officer, tenant.slug, "hr_officer", unit_scope=org.unit)
    scoped = token_for(settings, tenant.slug, officer, "hr_officer")

    for query, inside, outside in (
        (BOARD, {"u": str(org.unit)}, {"u": str(org.root)}),
        (QUOTA, {"p": unit_march["id"]}, {"p": root_march["id"]}),
        (TIMELINE, {"s": str(org.members[0])}, {"s": str(org.chair)}),
    ):
        assert not (await gql(http, scoped, query, inside)).get("errors"), query
        refused = await gql(http, scoped, query, outside)
        # Exactly what an id that exists nowhere gets (null, empty, or NOT_FOUND).
        nowhere = {k: str(uuid.uuid4()) for k in outside}
        assert refused == await gql(http, scoped, query, nowhere), query
        assert not any(str(v) in json.dumps(refused) for v in outside.values())
    assert (await gql(http, scoped, BOARD, {"u": str(org.root)}))["data"] == {"unitBoard": None}
    # The whole-tenant officer is not narrowed by someone else's grant.
    board = data(await gql(http, hr, BOARD, {"u": str(org.root)}))["unitBoard"]
    assert board["id"] == root_march["id"]
    # A write outside the scope is NOT_FOUND, and nothing is written.
    closed = await gql(http, scoped, "mutation($p: ID!) { closePeriod(periodId: $p) { id } }",
                       {"p": root_march["id"]})
    assert error_code(closed) == "NOT_FOUND"


async def test_a_live_board_ends_when_the_grant_moves_away_from_its_unit(
    server: str, runtime: Runtime, settings: Settings, http: httpx.AsyncClient,
    staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=2)
    hr = token_for(settings, tenant.slug, org.hr, "hr_officer")
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader")
    period = data(await gql(http, hr, OPEN, {"unit": str(org.unit), **MARCH}))["openPeriod"]
    other = data(await gql(http, hr, "mutation { registerUnit(input: {name: \"Ban khác\", "
                                     "kind: \"board\"}) { id } }"))["registerUnit"]["id"]
    officer = str(uuid.uuid4())
    grant = await runtime.platform.grant(ADMIN, officer, tenant.slug, "hr_officer",
                                         unit_scope=org.unit)
    scoped = token_for(settings, tenant.slug, officer, "hr_officer")
    async with socket(server, scoped) as ws:
        await subscribe(ws, {"unit": str(org.unit), "year": 2026, "month": 3})
        first = await receive(ws)
        assert first["type"] == "next", first
        assert not first["payload"].get("errors"), first
        # The officer now looks after another unit only: the new grant first, then the old
        # one revoked — so a wake-up at any moment sees either both (still in scope) or the
        # new one only (out of scope: NOT_FOUND). Revoking first would leave a gap with no
        # grant at all, where FORBIDDEN is the product's right answer and the test would flake.
        await runtime.platform.grant(ADMIN, officer, tenant.slug, "hr_officer",
                                     unit_scope=uuid.UUID(other))
        data(await gql(http, leader, DECIDE, {"period": period["id"],
                                              "staff": str(org.members[0]), "level": "B",
                                              "score": 85, "reasons": "x"}))
        await runtime.platform.revoke(ADMIN, officer, grant, "chuyển công tác")
        data(await gql(http, leader, DECIDE, {"period": period["id"],
                                              "staff": str(org.members[1]), "level": "B",
                                              "score": 85, "reasons": "x"}))
        last = await receive(ws)
        while last["type"] == "next" and not last["payload"].get("errors"):
            last = await receive(ws)
        errors = last["payload"]["errors"] if last["type"] == "next" else last["payload"]
        assert errors[0]["extensions"]["code"] == "NOT_FOUND", json.dumps(last)


async def test_revoking_a_narrow_grant_never_widens_the_claim(
    runtime: Runtime, settings: Settings, http: httpx.AsyncClient, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=1)
    officer = str(uuid.uuid4())
    grant = await runtime.platform.grant(ADMIN, officer, tenant.slug, "hr_officer",
                                         unit_scope=org.unit)
    token = token_for(settings, tenant.slug, officer, "hr_officer")
    assert (await gql(http, token, BOARD, {"u": str(org.root)}))["data"] == {"unitBoard": None}
    await runtime.platform.revoke(ADMIN, officer, grant, "thôi giữ chức vụ")
    # The token still claims the role; with its only grant revoked, the claim gives nothing.
    for unit in (org.root, org.unit):
        assert error_code(await gql(http, token, BOARD, {"u": str(unit)})) == "FORBIDDEN"
    # A user never granted anything keeps the claim's reach (development tokens).
    fresh = token_for(settings, tenant.slug, uuid.uuid4(), "hr_officer")
    assert not (await gql(http, fresh, BOARD, {"u": str(org.root)})).get("errors")
