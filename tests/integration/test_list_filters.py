"""Every list filter answers what a recount of the event log says it should, page by page.

One tenant per test (a unit, a sub-unit below it, three months with varied levels, staff
types and peer groups) is built once; hypothesis then draws filters, and each answer —
walked page by page through the cursors, with its totalCount — is compared with the same
question put to a plain-Python fold of the stored events (tests/support/recount.py).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.actor import Actor, acting_as
from domain.errors import DomainError
from domain.ids import PeriodId, StaffId, UnitId
from domain.levels import Level
from projections.runner import catch_up, lock_key
from services.app.commands import (
    AppointLeader,
    DecideRating,
    OpenPeriod,
    RegisterStaff,
    RegisterUnit,
)
from services.app.handlers import TenantService
from services.gql.connections import encode_cursor
from services.gql.context import Context
from services.gql.schema import schema
from services.http.auth import Principal
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.support.org import Org, build_org
from tests.support.paging import MAX_PAGES, next_cursor, too_many_pages
from tests.support.projection import hold, holding
from tests.support.recount import period_places, recount

pytestmark = pytest.mark.integration

MONTHS = (1, 2, 3)
SCORE = {"A": 95.0, "B": 80.0, "C": 60.0, "D": 30.0}
TYPES = ("cadre", "civil_servant", "public_employee", "contract_worker")
SUB_PEOPLE = [("public_employee", "Kế toán"), ("contract_worker", "Văn thư"),
              ("civil_servant", "Kế toán"), ("public_employee", "Văn thư"),
              ("cadre", "Chuyên viên")]


@dataclass
class World:
    tenant: Tenant
    org: Org
    sub: UnitId
    members: list[dict[str, Any]]  # the recount's board members, with unit/year/month
    staff: dict[Any, tuple[str, str, Any]]  # staff id -> (type, position, unit)
    leaders: dict[Any, Any]  # unit -> its head, who decides its people


def _build(service: TenantService, seed: int) -> tuple[Org, UnitId, StaffId]:
    rng = random.Random(seed)
    org = build_org(service, members=6)
    sub = UnitId(uuid.uuid4())
    with acting_as(Actor("test-hr", "hr_officer")):
        service.register_unit(RegisterUnit(sub, "Ban Kiểm tra", "board", org.unit))
        head = StaffId(uuid.uuid4())
        service.register_staff(RegisterStaff(head, "Đỗ Văn Trưởng Ban", "cadre", "Trưởng ban",
                                             sub))
        service.appoint_leader(AppointLeader(sub, head))
        people = []
        for i, (kind, position) in enumerate(SUB_PEOPLE):
            person = StaffId(uuid.uuid4())
            service.register_staff(RegisterStaff(person, f"Vũ Thị Ban {i:02d}", kind, position,
                                                 sub))
            people.append(person)
    for month in MONTHS:
        for unit, leader, staff in ((org.unit, org.leader, org.members), (sub, head, people)):
            with acting_as(Actor("hr", "hr_officer")):
                period, _ = service.open_period(OpenPeriod(unit, 2026, month))
            for person in staff:
                level = rng.choice("ABCDD" + "-")  # "-" leaves the person undecided
                if level == "-":
                    continue
                try:
                    with acting_as(Actor(str(leader), "unit_leader")):
                        service.decide_rating(DecideRating(
                            PeriodId(period), person, Level(level), SCORE[level],
                            "Theo kết quả thực hiện nhiệm vụ.", str(leader)))
                except DomainError:
                    continue  # over the quota: nothing written, the person stays undecided
    return org, sub, head


_WORLDS: dict[str, World] = {}


async def _world(key: str, runtime: Runtime,
                 new_tenant: Callable[..., Awaitable[Tenant]]) -> World:
    """Built on the first example of a test and reused by its other examples."""
    if key in _WORLDS:
        return _WORLDS[key]
    tenant = await new_tenant()
    service = runtime.service(tenant)
    org, sub, head = await anyio.to_thread.run_sync(lambda: _build(service, 5))
    async with holding(runtime, tenant) as conn:
        await catch_up(conn, tenant.schema)
        await conn.execute("SELECT pg_advisory_unlock($1)", lock_key(tenant.schema))
        counted = await recount(conn, tenant.schema)
        places = await period_places(conn, tenant.schema)
        rows = await conn.fetch(f"SELECT staff_id, staff_type, position_title, unit_id "
                                f"FROM {tenant.schema}.rm_staff")
    members = []
    for m in counted.members.values():
        unit, _, year, month = places[m["period_id"]]
        members.append({**m, "unit_id": unit, "year": year, "month": month})
    world = World(tenant, org, sub, members,
                  {r["staff_id"]: (r["staff_type"], r["position_title"], r["unit_id"])
                   for r in rows}, {org.unit: org.leader, sub: head})
    _WORLDS[key] = world
    return world


async def _run(runtime: Runtime, world: World, document: str,
               variables: dict[str, Any]) -> Any:
    ctx = Context(rt=runtime, principal=Principal(str(world.org.hr), "", world.tenant.slug,
                                                  frozenset({"hr_officer"})))
    return await schema.execute(document, variable_values=variables, context_value=ctx)


async def _walk(runtime: Runtime, world: World, document: str, field: str,
                variables: dict[str, Any], first: int = 2) -> tuple[list[Any], int]:
    """Every node of a list, page by page; and its totalCount."""
    seen: list[Any] = []
    after = None
    for _ in range(MAX_PAGES):
        result = await _run(runtime, world, document, {**variables, "first": first,
                                                       "after": after})
        assert result.errors is None, result.errors
        page = result.data[field]
        seen += [e["node"] for e in page["edges"]]
        if (after := next_cursor(page["pageInfo"], after)) is None:
            return seen, page["totalCount"]
    raise too_many_pages()


def _matches(m: dict[str, Any], f: dict[str, Any], units: set[Any] | None) -> bool:
    key = m["year"] * 100 + m["month"]
    low = f["fromMonth"]["year"] * 100 + f["fromMonth"]["month"] if "fromMonth" in f else 0
    high = f["toMonth"]["year"] * 100 + f["toMonth"]["month"] if "toMonth" in f else 999912
    return (low <= key <= high and (units is None or m["unit_id"] in units)
            and f.get("staffType", m["staff_type"]) == m["staff_type"]
            and f.get("peerGroup", m["peer_group"]) == m["peer_group"]
            and ("level" not in f or f["level"] == m["level"]))


month = st.sampled_from(MONTHS).map(lambda n: {"year": 2026, "month": n})
filters = st.fixed_dictionaries({}, optional={
    "staffType": st.sampled_from(TYPES),
    "peerGroup": st.sampled_from(["Chuyên viên", "Kế toán", "Văn thư", "Trưởng ban"]),
    "level": st.sampled_from("ABCD"),
})
RATINGS = """query($unit: ID!, $month: Int!, $filter: ListFilter, $first: Int, $after: String) {
  unitRatings(unitId: $unit, year: 2026, month: $month, filter: $filter, first: $first,
              after: $after) {
    edges { node { staffId staffName level } } pageInfo { hasNextPage endCursor } totalCount
  }
}"""
HISTORY = """query($staff: ID!, $filter: ListFilter, $first: Int, $after: String) {
  ratingHistory(staffId: $staff, filter: $filter, first: $first, after: $after) {
    edges { node { year month unitId level } } pageInfo { hasNextPage endCursor } totalCount
  }
}"""
UNITS = """query($filter: ListFilter, $first: Int, $after: String) {
  units(filter: $filter, first: $first, after: $after) {
    edges { node { id name } } pageInfo { hasNextPage endCursor } totalCount
  }
}"""
STAFF = """query($unit: ID!, $filter: ListFilter, $first: Int, $after: String) {
  unitStaff(unitId: $unit, filter: $filter, first: $first, after: $after) {
    edges { node { id fullName } } pageInfo { hasNextPage endCursor } totalCount
  }
}"""
DECISIONS = """query($leader: ID!, $filter: ListFilter, $first: Int, $after: String) {
  leaderDecisions(leaderId: $leader, filter: $filter, first: $first, after: $after) {
    edges { node { staffId year month level } } pageInfo { hasNextPage endCursor } totalCount
  }
  leaderAccountability(leaderId: $leader, filter: $filter) { edges { node { decisions } } }
}"""
HYPOTHESIS = settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@HYPOTHESIS
@given(f=filters, in_sub=st.booleans(), number=st.sampled_from(MONTHS))
async def test_a_unit_month_board_filtered_by_staff_type_peer_group_and_level(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]], f: dict[str, Any],
    in_sub: bool, number: int,
) -> None:
    world = await _world("ratings", runtime, new_tenant)
    unit = world.sub if in_sub else world.org.unit
    got, total = await _walk(runtime, world, RATINGS, "unitRatings",
                             {"unit": str(unit), "month": number, "filter": f})
    expected = {str(m["staff_id"]) for m in world.members
                if m["unit_id"] == unit and m["month"] == number and _matches(m, f, None)}
    assert sorted(n["staffId"] for n in got) == sorted(expected)
    assert total == len(got) == len(expected)
    names = [n["staffName"] for n in got]
    assert names == sorted(names), "a board reads in name order"


@HYPOTHESIS
@given(f=st.fixed_dictionaries({}, optional={"fromMonth": month, "toMonth": month,
                                             "level": st.sampled_from("ABCD")}),
       person=st.integers(0, 5))
async def test_a_rating_history_filtered_by_month_range_and_level(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]], f: dict[str, Any],
    person: int,
) -> None:
    world = await _world("history", runtime, new_tenant)
    if "fromMonth" in f and "toMonth" in f and f["fromMonth"]["month"] > f["toMonth"]["month"]:
        f["fromMonth"], f["toMonth"] = f["toMonth"], f["fromMonth"]
    staff = world.org.members[person]
    got, total = await _walk(runtime, world, HISTORY, "ratingHistory",
                             {"staff": str(staff), "filter": f})
    expected = sorted(((m["year"], m["month"]) for m in world.members
                       if m["staff_id"] == staff and _matches(m, f, None)), reverse=True)
    assert [(n["year"], n["month"]) for n in got] == expected  # newest first
    assert total == len(expected)


@HYPOTHESIS
@given(f=st.fixed_dictionaries({}, optional={
    "fromMonth": month, "staffType": st.sampled_from(TYPES), "level": st.sampled_from("ABCD"),
    "peerGroup": st.sampled_from(["Chuyên viên", "Kế toán", "Văn thư"])}),
    whose=st.booleans(), scope=st.sampled_from(["none", "unit", "subunits"]))
async def test_a_leaders_decisions_and_record_filtered_by_every_dimension(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]], f: dict[str, Any],
    whose: bool, scope: str,
) -> None:
    world = await _world("leaders", runtime, new_tenant)
    unit = world.sub if whose else world.org.unit
    leader = world.leaders[unit]
    units: set[Any] | None = None
    if scope != "none":
        f = {**f, "unitId": str(world.org.unit), "includeSubunits": scope == "subunits"}
        units = {world.org.unit, world.sub} if scope == "subunits" else {world.org.unit}
    got, total = await _walk(runtime, world, DECISIONS, "leaderDecisions",
                             {"leader": str(leader), "filter": f})
    expected = sorted((str(m["staff_id"]), m["month"], m["level"]) for m in world.members
                      if m["unit_id"] == unit and m["level"] and _matches(m, f, units))
    assert sorted((n["staffId"], n["month"], n["level"]) for n in got) == expected
    assert total == len(expected)
    record = await _run(runtime, world, DECISIONS, {"leader": str(leader), "filter": f})
    assert record.errors is None, record.errors
    summary = [e["node"]["decisions"] for e in record.data["leaderAccountability"]["edges"]]
    assert summary == ([len(expected)] if expected else [])


TREND = """query($filter: ListFilter, $first: Int, $after: String) {
  trend(filter: $filter, first: $first, after: $after) {
    edges { node { month units members decided levels { level count } } }
    pageInfo { hasNextPage endCursor } totalCount
  }
}"""
BOARDS = """query($filter: BoardsFilter, $first: Int, $after: String) {
  boards(filter: $filter, first: $first, after: $after) {
    edges { node { month unitId } } pageInfo { hasNextPage endCursor } totalCount
  }
}"""


@HYPOTHESIS
@given(f=st.fixed_dictionaries({}, optional={
    "fromMonth": month, "staffType": st.sampled_from(TYPES), "level": st.sampled_from("ABCD"),
    "peerGroup": st.sampled_from(["Chuyên viên", "Kế toán", "Văn thư"])}),
    scope=st.sampled_from(["tenant", "unit", "subunits", "sub"]))
async def test_trends_filtered_by_unit_subunits_staff_type_peer_group_and_level(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]], f: dict[str, Any],
    scope: str,
) -> None:
    world = await _world("trends", runtime, new_tenant)
    units = {"tenant": None, "unit": {world.org.unit}, "sub": {world.sub},
             "subunits": {world.org.unit, world.sub}}[scope]
    if scope != "tenant":
        f = {**f, "unitId": str(world.sub if scope == "sub" else world.org.unit),
             "includeSubunits": scope == "subunits"}
    got, total = await _walk(runtime, world, TREND, "trend", {"filter": f})
    expected = []
    for number in MONTHS:
        people = [m for m in world.members if m["month"] == number and _matches(m, f, units)]
        if people:
            levels = [sum(m["level"] == lv for m in people) for lv in "ABCD"]
            expected.append((number, len({m["unit_id"] for m in people}), len(people),
                             sum(levels), levels))
    assert [(n["month"], n["units"], n["members"], n["decided"],
             [lv["count"] for lv in n["levels"]]) for n in got] == expected
    assert total is None  # a trend's months are not counted ahead


async def test_boards_of_a_unit_with_its_subunits(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    world = await _world("boards", runtime, new_tenant)
    unit = str(world.org.unit)
    alone, _ = await _walk(runtime, world, BOARDS, "boards", {"filter": {"unitId": unit}})
    assert {n["unitId"] for n in alone} == {unit}
    below, _ = await _walk(runtime, world, BOARDS, "boards", {"filter": {
        "unitId": unit, "includeSubunits": True}})
    assert sorted((n["month"], n["unitId"]) for n in below) == sorted(
        (m, u) for m in MONTHS for u in (unit, str(world.sub)))
    refused = await _run(runtime, world, BOARDS, {"filter": {"includeSubunits": True}})
    assert refused.errors is not None
    assert refused.errors[0].extensions["code"] == "INVALID_FILTER"


async def test_units_and_staff_filtered_by_unit_with_its_subunits_and_by_staff_type(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    world = await _world("units", runtime, new_tenant)
    org = world.org
    whole, total = await _walk(runtime, world, UNITS, "units", {"filter": None})
    assert {n["id"] for n in whole} == {str(org.root), str(org.unit), str(world.sub)}
    assert total == 3
    below, _ = await _walk(runtime, world, UNITS, "units", {"filter": {
        "unitId": str(org.unit), "includeSubunits": True}})
    assert {n["id"] for n in below} == {str(org.unit), str(world.sub)}
    alone, _ = await _walk(runtime, world, UNITS, "units", {"filter": {"unitId": str(org.unit)}})
    assert [n["id"] for n in alone] == [str(org.unit)]
    for kind in TYPES:
        for group in (None, "Kế toán"):
            f = {"staffType": kind, **({"peerGroup": group} if group else {})}
            got, total = await _walk(runtime, world, STAFF, "unitStaff",
                                     {"unit": str(world.sub), "filter": f})
            expected = {str(s) for s, (t, p, u) in world.staff.items()
                        if u == world.sub and t == kind and (group is None or p == group)}
            assert {n["id"] for n in got} == expected
            assert total == len(expected)


BAD_FILTERS = [
    ("unitRatings", {"fromMonth": {"year": 2026, "month": 2}}, "month range"),
    ("ratingHistory", {"fromMonth": {"year": 2026, "month": 3},
                       "toMonth": {"year": 2026, "month": 1}}, "after the end month"),
    ("unitRatings", {"staffType": "astronaut"}, "Unknown staff type"),
    ("unitRatings", {"peerGroup": "  "}, "peer group name"),
    ("units", {"level": "A"}, "level"),
    ("units", {"includeSubunits": True}, "includeSubunits needs a unitId"),
    ("unitStaff", {"unitId": str(uuid.uuid4())}, "unit"),
]


@pytest.mark.parametrize(("field", "bad", "said"), BAD_FILTERS,
                         ids=[f"{f}-{'-'.join(b)}" for f, b, _ in BAD_FILTERS])
async def test_a_filter_a_list_cannot_answer_is_refused_with_a_typed_bilingual_error(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]], field: str,
    bad: dict[str, Any], said: str,
) -> None:
    world = await _world("refusals", runtime, new_tenant)
    document, variables = {
        "unitRatings": (RATINGS, {"unit": str(world.org.unit), "month": 1}),
        "ratingHistory": (HISTORY, {"staff": str(world.org.members[0])}),
        "units": (UNITS, {}),
        "unitStaff": (STAFF, {"unit": str(world.org.unit)}),
    }[field]
    result = await _run(runtime, world, document, {**variables, "filter": bad})
    assert result.errors is not None
    assert result.data is None
    extensions = result.errors[0].extensions
    assert extensions["code"] == "INVALID_FILTER"
    assert said in extensions["messageEn"]
    assert extensions["messageVi"] == result.errors[0].message
    assert extensions["messageVi"] != extensions["messageEn"]


async def test_an_over_long_filter_value_is_refused_with_its_bound(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    world = await _world("refusals", runtime, new_tenant)
    result = await _run(runtime, world, RATINGS, {"unit": str(world.org.unit), "month": 1,
                                                  "filter": {"peerGroup": "x" * 201}})
    assert result.errors is not None
    assert result.data is None
    extensions = result.errors[0].extensions
    assert (extensions["code"], extensions["field"], extensions["limit"]) == (
        "TEXT_TOO_LONG", "peerGroup", 200)


async def test_a_forged_cursor_is_refused_not_reinterpreted(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    world = await _world("cursor", runtime, new_tenant)
    units = await _run(runtime, world, UNITS, {"first": 1})
    cursor = units.data["units"]["pageInfo"]["endCursor"]
    staff = await _run(runtime, world, STAFF, {"unit": str(world.org.unit), "after": cursor})
    assert staff.errors is not None
    assert staff.errors[0].extensions["code"] == "INVALID_CURSOR"
    forged = encode_cursor("units", ["x", "not-a-uuid"])
    bad = await _run(runtime, world, UNITS, {"after": forged})
    assert bad.errors is not None
    assert bad.errors[0].extensions["code"] == "INVALID_CURSOR"


async def test_paging_a_list_is_stable_while_rows_are_inserted_between_pages(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    """Keyset cursors: people registered between two page reads — sorting before, between
    and after the rows already seen — neither repeat a row nor skip one present from the
    start (an OFFSET would do both)."""
    world = await _world("inserts", runtime, new_tenant)
    service = runtime.service(world.tenant)
    before = {str(s) for s, (_, _, u) in world.staff.items() if u == world.org.unit}
    seen: list[str] = []
    after = None
    names = iter(["A Trước Tiên", "Lê Văn Thành Viên 02b", "Zô Sau Cùng"] * 3)
    for _ in range(MAX_PAGES):
        result = await _run(runtime, world, STAFF, {"unit": str(world.org.unit), "first": 2,
                                                     "after": after})
        assert result.errors is None, result.errors
        page = result.data["unitStaff"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if (after := next_cursor(page["pageInfo"], after)) is None:
            break
        name = next(names)

        def register(name: str = name) -> None:
            with acting_as(Actor("test-hr", "hr_officer")):
                service.register_staff(RegisterStaff(StaffId(uuid.uuid4()), name,
                                                     "civil_servant", "Chuyên viên",
                                                     world.org.unit))
        await anyio.to_thread.run_sync(register)
        async with runtime.pool.acquire() as conn:
            await hold(conn, world.tenant)
            await catch_up(conn, world.tenant.schema)
            await conn.execute("SELECT pg_advisory_unlock($1)", lock_key(world.tenant.schema))
    else:
        raise too_many_pages()
    assert len(seen) == len(set(seen)), f"a person was shown twice: {seen}"
    assert before <= set(seen), "a person present from the start was skipped"
