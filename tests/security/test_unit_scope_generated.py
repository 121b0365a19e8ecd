"""A grant narrowed to unit A reaches A (and what lies below it), never its sibling B: every
query of the schema — generated from it, so a list added tomorrow is covered — is tried by a
caller holding every tenant role scoped to A, with A's ids and B's, and nothing of B (its
id, name, people, periods, evaluations, appeals) ever comes back. Lists and aggregates are
narrowed in SQL, so their counts and pages are those of A alone.

Writes are bounded the same way: every mutation, given B's ids, answers exactly what it
answers for an id that exists nowhere (same code, same message), and B's records gain no
event."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

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
from tests.e2e.test_live_board import receive, socket
from tests.security.live_walk import (
    APRIL,
    BOARD_LIVE,
    MINE_LIVE,
    Watch,
    april,
    board_of,
    decided,
    opened_april,
    other_side_changes,
    payload_errors,
    results_of,
)
from tests.security.schema_walk import operations
from tests.security.walk_modes import MODES, Walker, walker
from tests.support.gql import data, error_code, gql, token_for
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


@dataclass(frozen=True)
class TwoUnits:
    """Unit A and its sibling B, each with a decided, published and appealed March, the
    year's collectives rated, and a caller holding every tenant role scoped to A."""

    tenant: Tenant
    a: Org
    b: Org
    tag: str  # a text only B's records carry
    a_evaluation: str
    a_appeal: str
    b_evaluation: str
    b_appeal: str
    b_period: str
    token: str  # the caller scoped to A
    hr: str  # a whole-tenant officer
    position: int


async def _two_units(runtime: Runtime, settings: Settings, http: httpx.AsyncClient,
                     tenant: Tenant, org_in: Callable[..., Awaitable[Org]],
                     walk: Walker) -> TwoUnits:
    """Built through the development app (the product's own actors); the tokens returned
    are for ``walk``'s app."""
    a = await org_in(tenant, members=1)
    tag = f"BÍ MẬT {uuid.uuid4().hex[:8]}"
    b = await _sibling(runtime, tenant, a, tag)
    a_evaluation, a_appeal = await _activity(http, settings, tenant, a)
    b_evaluation, b_appeal = await _activity(http, settings, tenant, b)
    hr = token_for(settings, tenant.slug, a.hr, "hr_officer")
    # The year's collectives: the chair rates both units.
    data(await gql(http, hr, OPEN_ROUND))
    chair = token_for(settings, tenant.slug, a.chair, "unit_leader")
    for unit in (a.unit, b.unit):
        rated = data(await gql(http, chair, RATE, {"unit": str(unit), "level": "B",
                                                   "score": 85}))["rateCollective"]
    position = rated["position"]
    # Read once the read models hold every write above (B's March among them): asked
    # without ``atLeast`` it raced the projection and could read as absent.
    b_period = data(await gql(http, hr, "query($u: ID!, $at: Int) { period(unitId: $u, "
                                        "year: 2026, month: 3, atLeast: $at) { id } }",
                              {"u": str(b.unit), "at": position}))["period"]
    assert b_period is not None, "B's March was never projected"

    token = await walk.token(tenant.slug, uuid.uuid4(),
                             *[r for r in TENANT_ROLES if r != "staff"], unit_scope=a.unit)
    whole = await walk.token(tenant.slug, a.hr, "hr_officer")
    # Settled read models before probing (every query then reads the same picture).
    data(await gql(walk.http, token, "query($at: Int) { units(atLeast: $at) { totalCount } }",
                   {"at": position}))
    return TwoUnits(tenant, a, b, tag, a_evaluation, a_appeal, b_evaluation, b_appeal,
                    b_period["id"], token, whole, position)


@pytest.fixture(params=MODES)
async def scoped_walk(
    request: pytest.FixtureRequest, server: str, runtime: Runtime, settings: Settings,
    http: httpx.AsyncClient, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]],
) -> AsyncIterator[tuple[Walker, TwoUnits]]:
    """The app a walk attacks, in each mode, and two sibling units of a fresh tenant."""
    async with walker(request.param, settings, runtime, http, server) as walk:
        yield walk, await _two_units(runtime, settings, http, await new_tenant(), org_in, walk)


async def test_a_unit_scoped_caller_never_sees_a_sibling_unit_in_any_query(
    scoped_walk: tuple[Walker, TwoUnits], runtime: Runtime, settings: Settings,
    http: httpx.AsyncClient,
) -> None:
    walk, two = scoped_walk
    dev, http, tenant = http, walk.http, two.tenant
    a, b, tag, token, hr, position = two.a, two.b, two.tag, two.token, two.hr, two.position
    a_evaluation, a_appeal = two.a_evaluation, two.a_appeal
    b_evaluation, b_appeal = two.b_evaluation, two.b_appeal
    b_period = {"id": two.b_period}

    b_only = {str(b.unit), str(b.leader), str(b.members[0]), tag, b_period["id"],
              b_evaluation, b_appeal,
              str(evaluation_id_for(uuid.UUID(b_period["id"]), b.leader, "official"))}
    ids = [str(a.unit), a_evaluation, a_appeal, str(a.members[0]), str(a.leader),
           str(b.unit), b_evaluation, b_appeal, str(b.members[0]), str(b.leader),
           b_period["id"]]
    seen_a = 0
    walked: set[str] = set()
    for op in operations(schema._schema, ids, {"tenant": tenant.slug}, kinds=("Query",)):
        body = await gql(http, token, op.document, op.variables)
        text = json.dumps(body, ensure_ascii=False)
        leaked = sorted(s for s in b_only if s in text)
        assert not leaked, f"{op.name} {op.variables} leaked {leaked}: {text[:600]}"
        for error in body.get("errors") or []:
            assert error["extensions"]["code"] != "INTERNAL", f"{op.name}: {error}"
        seen_a += str(a.unit) in text or a_appeal in text or a_evaluation in text
        walked.add(op.name)
    assert seen_a >= 10, "the scoped caller should see unit A's records"
    assert walked == {f"Query.{name}" for name in schema._schema.query_type.fields}

    # Aggregates count A alone: one member decided in March, not two.
    points = data(await gql(http, token, TREND, {"at": position}))["trend"]["edges"]
    assert [p["node"]["decided"] for p in points] == [1]
    whole = data(await gql(http, hr, TREND, {"at": position}))["trend"]["edges"]
    assert [p["node"]["decided"] for p in whole] == [2]

    # Subscriptions: with B's ids, the first message is the one an absent id gets.
    answered = await _subscriptions_read_b_as_absent(walk, two, ids)
    assert answered >= len(ids), f"only {answered} subscriptions were answered"
    await _live_watch_hears_nothing_of_the_sibling(walk, runtime, settings, dev, two)


def _answer(body: dict[str, Any], the_id: str) -> str:
    """What a caller learns from an answer, with the id they sent taken out."""
    return json.dumps(body, ensure_ascii=False, sort_keys=True).replace(the_id, "<id>")


async def _events_of(runtime: Runtime, tenant: Tenant, ids: list[str]) -> int:
    async with runtime.pool.acquire() as conn:
        count: int = await conn.fetchval(
            f"SELECT count(*) FROM {tenant.schema}.evaluations_events "
            "WHERE originator_id = ANY($1::uuid[])", [uuid.UUID(i) for i in ids])
    return count


async def test_a_unit_scoped_caller_changes_nothing_of_a_sibling_unit_in_any_mutation(
    scoped_walk: tuple[Walker, TwoUnits], runtime: Runtime,
) -> None:
    walk, two = scoped_walk
    http, tenant, b = walk.http, two.tenant, two.b
    b_ids = [str(b.unit), str(b.leader), str(b.members[0]), two.b_period, two.b_evaluation,
             two.b_appeal]
    before = await _events_of(runtime, tenant, b_ids)
    named = {"tenant": tenant.slug, "toTenant": tenant.slug}
    tried, differ = 0, []
    for b_id in b_ids:
        absent = str(uuid.uuid4())
        for with_b, with_absent in zip(
                operations(schema._schema, [b_id], named, kinds=("Mutation",), shallow=True),
                operations(schema._schema, [absent], named, kinds=("Mutation",),
                           shallow=True), strict=True):
            body = await gql(http, two.token, with_b.document, with_b.variables)
            expected = await gql(http, two.token, with_absent.document, with_absent.variables)
            if _answer(body, b_id) != _answer(expected, absent):
                differ.append(f"{with_b.name} with B's id {b_id}:\n  {_answer(body, b_id)[:400]}"
                              f"\n  absent: {_answer(expected, absent)[:400]}")
            tried += 1
    assert not differ, "answers differ from an absent id's:\n" + "\n".join(differ)
    assert tried == len(b_ids) * len(schema._schema.mutation_type.fields)
    assert await _events_of(runtime, tenant, b_ids) == before, "B's records changed"

    # Positive control: the same caller does write in A (the walk reaches resolvers).
    closed = await gql(http, two.token, "mutation($p: ID!) { closePeriod(periodId: $p) { id } }",
                       {"p": _period_of(two)})
    assert closed.get("errors") is None, closed


def _period_of(two: TwoUnits) -> str:
    from domain.ids import period_id_for
    return str(period_id_for(UnitId(two.a.unit), "monthly", 2026, 3))


TRANSFER = """mutation($s: ID!, $u: ID!) { transferStaff(staffId: $s, toUnitId: $u,
  reasons: "Điều động") { position } }"""
ASSIGN = """mutation($a: ID!, $r: ID!) { assignAppeal(appealId: $a, reviewerId: $r) {
  position } }"""
ADOPT = """mutation { adoptPolicy(cycle: MONTHLY, preset: HN_MONTHLY_2018,
  reasons: "Quy chế mới") { position } }"""
ADJUST = """mutation($input: AdjustPolicyInput!) { adjustPolicy(input: $input) { position } }"""
OPEN_2027 = "mutation { openCollectiveRound(year: 2027) { position } }"


async def test_an_officer_scoped_to_a_unit_writes_nothing_into_its_sibling_nor_the_whole(
    runtime: Runtime, settings: Settings, http: httpx.AsyncClient,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    tenant = await new_tenant()
    two = await _two_units(runtime, settings, http, tenant, org_in,
                           Walker("development", http, "", settings, runtime))
    a, b = two.a, two.b
    officer = str(uuid.uuid4())
    await runtime.platform.grant(ADMIN, officer, tenant.slug, "hr_officer", unit_scope=a.unit)
    scoped = token_for(settings, tenant.slug, officer, "hr_officer")
    watched = [str(a.members[0]), str(a.unit), str(b.unit), two.b_appeal]
    before = await _events_of(runtime, tenant, watched)

    # A's member moved into B reads as a move into a unit that does not exist.
    into_b = await gql(http, scoped, TRANSFER, {"s": str(a.members[0]), "u": str(b.unit)})
    absent = str(uuid.uuid4())
    into_nowhere = await gql(http, scoped, TRANSFER, {"s": str(a.members[0]), "u": absent})
    assert error_code(into_b) == "NOT_FOUND", into_b
    assert _answer(into_b, str(b.unit)) == _answer(into_nowhere, absent)
    # B's appeal given a reviewer reads as an appeal that does not exist.
    on_b = await gql(http, scoped, ASSIGN, {"a": two.b_appeal, "r": str(a.leader)})
    on_nowhere = await gql(http, scoped, ASSIGN, {"a": absent, "r": str(a.leader)})
    assert error_code(on_b) == "NOT_FOUND", on_b
    assert _answer(on_b, two.b_appeal) == _answer(on_nowhere, absent)
    # What every unit lives under is the whole tenant's to change.
    change = {"cycle": "MONTHLY", "reasons": "Quy chế riêng", "appealWindowDays": 20}
    for document, variables in ((ADOPT, {}), (ADJUST, {"input": change}), (OPEN_2027, {})):
        refused = await gql(http, scoped, document, variables)
        assert error_code(refused) == "FORBIDDEN", refused
        assert "whole tenant" in refused["errors"][0]["extensions"]["messageEn"]
    assert await _events_of(runtime, tenant, watched) == before
    # The whole-tenant officer may (the refusals above are about the scope, not the role).
    data(await gql(http, two.hr, OPEN_2027))
    data(await gql(http, two.hr, ADJUST, {"input": change}))


async def _subscriptions_read_b_as_absent(walk: Walker, two: TwoUnits, ids: list[str]) -> int:
    """Every subscription, with each of A's and B's ids: B's answer is an absent id's (the
    product's convention: out of scope reads as absent — a board of nothing, not an error
    that would confirm the unit exists). Returns how many were answered without error."""
    b_ids = {str(two.b.unit), str(two.b.leader), str(two.b.members[0]), two.b_period,
             two.b_evaluation, two.b_appeal}
    answered = 0
    walked: set[str] = set()
    async with socket(walk.base, two.token) as ws:
        assert (await receive(ws))["type"] == "connection_ack"
        watch = Watch(ws)
        for n, the_id in enumerate(ids):
            absent = str(uuid.uuid4())
            pairs = zip(operations(schema._schema, [the_id], kinds=("Subscription",)),
                        operations(schema._schema, [absent], kinds=("Subscription",)),
                        strict=True)
            for m, (with_id, with_absent) in enumerate(pairs):
                got = await watch.subscribe(f"{n}.{m}", with_id.document, with_id.variables)
                expected = await watch.subscribe(f"{n}.{m}.absent", with_absent.document,
                                                 with_absent.variables)
                for id_ in (f"{n}.{m}", f"{n}.{m}.absent"):
                    await ws.send(json.dumps({"id": id_, "type": "complete"}))
                errors = payload_errors(got)
                # Every refusal has its stable code, and none is a crash.
                codes = [(e.get("extensions") or {}).get("code") for e in errors]
                assert None not in codes, f"{with_id.name} {with_id.variables}: {got}"
                assert "INTERNAL" not in codes, f"{with_id.name}: {got}"
                if the_id in b_ids:
                    assert _answer(got["payload"], the_id) == _answer(
                        expected["payload"], absent), f"{with_id.name} with B's {the_id}"
                answered += got["type"] == "next" and not errors
                walked.add(with_id.name)
    assert walked == {f"Subscription.{n}" for n in schema._schema.subscription_type.fields}
    return answered


async def _live_watch_hears_nothing_of_the_sibling(
    walk: Walker, runtime: Runtime, settings: Settings, dev: httpx.AsyncClient,
    two: TwoUnits,
) -> None:
    """The caller scoped to A watches B's April board (a board of nothing, as for a unit
    that does not exist) and A's; A's member watches their own results. B decides and
    publishes April: nothing arrives. A does: A's decision arrives, and only on A's watches."""
    a, b = two.a, two.b
    a_april = await opened_april(dev, token_for(settings, two.tenant.slug, a.hr, "hr_officer"),
                                 a)
    b_april = await opened_april(dev, token_for(settings, two.tenant.slug, a.hr, "hr_officer"),
                                 b)
    member = await walk.token(two.tenant.slug, a.members[0], "staff", unit_scope=a.unit)
    async with socket(walk.base, two.token) as ws, socket(walk.base, member) as own:
        assert (await receive(ws))["type"] == "connection_ack"
        assert (await receive(own))["type"] == "connection_ack"
        boards, mine = Watch(ws), Watch(own)
        absent_unit = str(uuid.uuid4())
        absent = await boards.subscribe("absent", BOARD_LIVE, {"unit": absent_unit, **APRIL})
        of_b = await boards.subscribe("b", BOARD_LIVE, {"unit": str(b.unit), **APRIL})
        # Refused exactly as a unit that does not exist is (NOT_FOUND, in both languages).
        assert _answer(of_b["payload"], str(b.unit)) == _answer(absent["payload"],
                                                                absent_unit), of_b
        assert [e["extensions"]["code"] for e in payload_errors(of_b)] == ["NOT_FOUND"], of_b
        assert payload_errors(of_b)[0]["extensions"]["messageVi"], of_b
        # Ended by the client as well (the server ends them already). A late error once
        # seen here came from the socket's shared decision caches, unset by one watch's
        # re-check while another decided: tests/security/test_subscription_races.py.
        for refused in ("absent", "b"):
            await ws.send(json.dumps({"id": refused, "type": "complete"}))
        first = board_of(await boards.subscribe("a", BOARD_LIVE, {"unit": str(a.unit), **APRIL}))
        if first is None:  # the first message may predate the projection of the opening
            await boards.until("a", lambda m: board_of(m) is not None)
        before = results_of(await mine.subscribe("mine", MINE_LIVE))
        assert all(r["periodId"] != a_april for r in before), before

        await other_side_changes([boards, mine], runtime, two.tenant, lambda: april(
            dev, settings, two.tenant, b, b_april, "D", 40, two.tag))

        await april(dev, settings, two.tenant, a, a_april, "B", 85, "A quyết định")
        await boards.until("a", lambda m: decided(board_of(m)) == 1)
        await mine.until("mine", lambda m: any(r["periodId"] == a_april
                                               for r in results_of(m)))
        # B's watch was refused and never sent a board.
        assert not [m for m in boards.messages["b"] if m["type"] == "next"
                    and not payload_errors(m)], boards.messages["b"]
        text = boards.text() + mine.text()
        for secret in (two.tag, str(b.unit), str(b.members[0]), str(b.leader)):
            assert secret not in text, f"the watch leaked {secret}: {text[:600]}"
        for message in boards.messages["a"]:
            levels = {d["level"]: d["count"] for d in (board_of(message) or {}).get(
                "distribution", [])}
            assert not levels.get("D"), f"B's decision reached A's board: {message}"
        latest = results_of(mine.messages["mine"][-1])
        assert [(r["level"], r["score"]) for r in latest if r["periodId"] == a_april] == [
            ("B", 85.0)]
