"""An HR officer sets up a ward over the API, and only an HR officer may."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.conftest import events_in
from tests.support.gql import data, error_code, gql, nodes, token_for

pytestmark = pytest.mark.e2e

UNIT = """mutation($name: String!, $parent: ID) { registerUnit(input: {name: $name,
  kind: "youth_union", parentId: $parent}) { id position } }"""
STAFF = """mutation($unit: ID!) { registerStaff(input: {fullName: "Phạm Thu Hà",
  staffType: CIVIL_SERVANT, position: "Bí thư Đoàn", unitId: $unit, partyMember: true}) {
  id position } }"""
LEAD = """mutation($unit: ID!, $staff: ID!) { appointLeader(unitId: $unit, staffId: $staff) {
  position } }"""
STAFF_OF = """query($unit: ID!, $at: Int) { unitStaff(unitId: $unit, atLeast: $at) {
  edges { node { id fullName staffType position partyMember } } } }"""


async def test_hr_officer_builds_a_unit_with_its_head(
    settings: Settings, http: httpx.AsyncClient,
    new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    tenant = await new_tenant()
    hr = token_for(settings, tenant.slug, "hr-1", "hr_officer")
    unit = data(await gql(http, hr, UNIT, {"name": "Đoàn TNCS Hồ Chí Minh"}))["registerUnit"]
    staff = data(await gql(http, hr, STAFF, {"unit": unit["id"]}))["registerStaff"]
    lead = data(await gql(http, hr, LEAD, {"unit": unit["id"], "staff": staff["id"]}))
    at = lead["appointLeader"]["position"]
    people = data(await gql(http, hr, STAFF_OF, {"unit": unit["id"], "at": at}))["unitStaff"]
    assert nodes(people) == [{"id": staff["id"], "fullName": "Phạm Thu Hà",
                       "staffType": "civil_servant", "position": "Bí thư Đoàn",
                       "partyMember": True}]
    units = data(await gql(http, hr, "query($at: Int) { units(atLeast: $at) { edges { node { "
                           "id leaderId } } } }", {"at": at}))["units"]
    assert nodes(units) == [{"id": unit["id"], "leaderId": staff["id"]}]


async def test_only_hr_officers_change_the_organisation(
    runtime: Runtime, settings: Settings, http: httpx.AsyncClient,
    new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    tenant = await new_tenant()
    for role in ("staff", "unit_leader", "auditor"):
        token = token_for(settings, tenant.slug, "someone", role)
        assert error_code(await gql(http, token, UNIT, {"name": "X"})) == "FORBIDDEN"
    hr = token_for(settings, tenant.slug, "hr-1", "hr_officer")
    assert error_code(await gql(http, hr, STAFF, {"unit": "00000000-0000-0000-0000-000000000000"})
                      ) == "NOT_FOUND"
    assert await events_in(runtime, tenant) == 0
