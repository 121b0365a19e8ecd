"""The demo's Hà Nội can be signed in to: the city's personnel officer and inspector hold
grants on the city (the inspector's reaching every ward under it), each 2025 ward's demo
people are the staff merged into it, granted there, and what they read over GraphQL is the
city's and the ward's own data."""

from __future__ import annotations

from uuid import UUID

import anyio
import httpx
import pytest

from domain.organisation import StaffMember
from projections.runner import head_position
from services.demo.province import PROVINCE, SUCCESSORS, add_demo_province
from services.demo.tenants import (
    INSPECTOR,
    _build_tenant,
    demo_users,
    grant_demo_users,
    sign_in_tenants,
)
from services.platform.grants import roles_in
from services.runtime import Runtime
from services.settings import Settings
from tests.support.gql import data, gql, nodes, token_for
from tests.support.province_day import PROVINCE_DAY

pytestmark = pytest.mark.e2e

CATALOGUE = "{ workCatalogue { version source items { key } } }"
# Read at least up to the ward's head: its log may have been written before this app's
# projector started (by another test), with nothing since to wait for.
MY_WORK = ("query($year: Int!, $number: Int!, $atLeast: Int) { myWork(year: $year, "
           "number: $number, atLeast: $atLeast) { edges { node { itemId status } } } }")
BREAKDOWN = ("query($staffId: ID!, $year: Int!, $number: Int!, $atLeast: Int) { "
             "scoreBreakdown(staffId: $staffId, year: $year, number: $number, atLeast: $atLeast) "
             "{ scoredByWork assignedUnits } }")
UNITS = ("query($atLeast: Int) { units(atLeast: $atLeast) { edges { node { id name leaderId } } "
         "} }")


async def _province(runtime: Runtime) -> None:
    today = PROVINCE_DAY
    existing = {t.slug for t in await runtime.registry.all()}
    for _, _, _, olds in SUCCESSORS:
        for old in olds:
            if old not in existing:
                tenant = await runtime.registry.register(old, old, "district", None)
                await anyio.to_thread.run_sync(_build_tenant, runtime.service(tenant), old,
                                               today)
    await add_demo_province(runtime, today)
    # Another test may have loaded the province already: its people get their grants here
    # either way (granting again changes nothing).
    for slug in (PROVINCE[0], *(s for s, *_ in SUCCESSORS)):
        await grant_demo_users(runtime, slug)


async def test_the_city_and_its_wards_have_demo_people_with_grants(
        runtime: Runtime, settings: Settings, http: httpx.AsyncClient) -> None:
    await _province(runtime)
    city = PROVINCE[0]
    assert {city, *(s for s, *_ in SUCCESSORS)} <= set(sign_in_tenants())
    officer, inspector = demo_users(city)
    assert inspector.user_id == INSPECTOR
    assert await roles_in(runtime.pool, officer.user_id, city) == {"hr_officer"}
    assert "auditor" in await roles_in(runtime.pool, INSPECTOR, city)
    # The city's officer reads the catalogue the city set, not an empty one.
    token = token_for(settings, city, UUID(officer.user_id), "hr_officer")
    catalogue = data(await gql(http, token, CATALOGUE))["workCatalogue"]
    assert catalogue is not None
    assert catalogue["version"] == "catalogue/1"
    assert catalogue["items"]
    for slug, _, _, _ in SUCCESSORS:
        ward = await runtime.registry.get(slug)
        assert "auditor" in await roles_in(runtime.pool, INSPECTOR, slug)  # reaches the ward
        service = runtime.service(ward)
        for person in demo_users(slug):
            assert await roles_in(runtime.pool, person.user_id, slug) == set(person.roles)
            if person.user_id == INSPECTOR:
                continue
            staff = await anyio.to_thread.run_sync(
                lambda p=person, s=service: s.app.repository.get(UUID(p.user_id)))
            assert isinstance(staff, StaffMember)  # a person of the ward, merged into it
        chair = next(p for p in demo_users(slug) if p.name == "Chủ tịch UBND")
        token = token_for(settings, slug, UUID(chair.user_id), "unit_leader", "staff")
        async with runtime.pool.acquire() as conn:
            head = await head_position(conn, ward.schema)
        units = [e["node"] for e in data(await gql(http, token, UNITS, {"atLeast": head}))[
            "units"]["edges"]]
        assert chair.user_id in {u["leaderId"] for u in units}  # leads a unit of the ward
    await _civil_servant_sees_their_work_carried_into_the_ward(runtime, settings, http)


async def _civil_servant_sees_their_work_carried_into_the_ward(
        runtime: Runtime, settings: Settings, http: httpx.AsyncClient) -> None:
    """The person's side of Decree 335 can be walked with the demo sign-in: the listed
    công chức is scored by work, and their month's items — confirmed ones and one left to
    report — continued from the district merged into the ward."""
    slug, today = SUCCESSORS[0][0], PROVINCE_DAY
    ward = await runtime.registry.get(slug)
    person = next(p for p in demo_users(slug) if p.name == "Công chức")
    staff = await anyio.to_thread.run_sync(
        lambda: runtime.service(ward).app.repository.get(UUID(person.user_id)))
    assert isinstance(staff, StaffMember)
    assert staff.staff_type == "civil_servant"
    token = token_for(settings, slug, UUID(person.user_id), *person.roles)
    async with runtime.pool.acquire() as conn:
        head = await head_position(conn, ward.schema)
    month = {"year": today.year, "number": today.month}
    items = nodes(data(await gql(http, token, MY_WORK, {**month, "atLeast": head}))["myWork"])
    assert {"assigned", "confirmed"} <= {i["status"] for i in items}
    breakdown = data(await gql(http, token, BREAKDOWN, {
        **month, "staffId": person.user_id, "atLeast": head}))["scoreBreakdown"]
    assert breakdown["scoredByWork"]
    assert breakdown["assignedUnits"] > 0
