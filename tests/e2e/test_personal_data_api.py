"""Erasing personal data over real HTTP: only an HR officer of the person's tenant or a
platform admin may; a refusal writes nothing; afterwards the board shows the marker."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest

from domain.actor import Actor
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from storage.sealing import ERASED
from tests.conftest import TenantFactory
from tests.e2e.conftest import Staffing
from tests.support.gql import data, error_code, gql, token_for
from tests.support.operations import operation
from tests.support.org import Org

pytestmark = pytest.mark.e2e

ERASE = operation("ErasePersonalData")
ADMIN = Actor("test-admin", "platform_admin")
BASIS = "Đơn yêu cầu xoá dữ liệu ngày 20/11/2026"


async def _state(runtime: Runtime, person: object) -> tuple[int, bool]:
    written = await runtime.pool.fetchval("SELECT count(*) FROM platform.platform_events")
    keyed = await runtime.pool.fetchval(
        "SELECT key IS NOT NULL FROM platform.personal_keys WHERE subject_id = $1", person)
    return int(written), bool(keyed)


@pytest.mark.parametrize("roles", [("staff",), ("unit_leader",), ("auditor",),
                                   ("appeal_reviewer",)])
async def test_only_hr_or_platform_admin_may_erase_and_a_refusal_writes_nothing(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed: Staffing,
    roles: tuple[str, ...],
) -> None:
    tenant, org, _ = await staffed(members=2)
    person = org.members[0]
    before = await _state(runtime, person)
    token = token_for(settings, tenant.slug, person, *roles)
    body = await gql(http, token, ERASE, {"staffId": str(person), "basis": BASIS})
    assert error_code(body) == "FORBIDDEN"
    assert body["errors"][0]["extensions"]["messageEn"]
    assert await _state(runtime, person) == before


async def test_an_hr_officer_erases_a_person_of_their_tenant_and_the_board_shows_it(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime,
    new_tenant: TenantFactory, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=2)
    person = org.members[0]
    blank = await gql(http, hr, ERASE, {"staffId": str(person), "basis": " "})
    assert error_code(blank) == "ERASURE_BASIS_REQUIRED"
    # A person of another tenant is not this officer's to erase.
    other = await new_tenant()
    foreign = token_for(settings, other.slug, "hr-other", "hr_officer")
    assert error_code(await gql(http, foreign, ERASE, {
        "staffId": str(person), "basis": BASIS})) == "NOT_FOUND"
    done = data(await gql(http, hr, ERASE, {"staffId": str(person), "basis": BASIS}))
    assert done["erasePersonalData"]["rebuiltTenants"] == [tenant.slug]
    names = {r["staff_id"]: r["full_name"] for r in await runtime.pool.fetch(
        f"SELECT staff_id, full_name FROM {tenant.schema}.rm_staff")}
    assert names[person] == ERASED
    assert names[org.members[1]] == "Lê Văn Thành Viên 01"
    again = await gql(http, hr, ERASE, {"staffId": str(person), "basis": BASIS})
    assert error_code(again) == "ALREADY_ERASED"


async def _name_in(runtime: Runtime, tenant: Tenant, person: object) -> str:
    name: str = await runtime.pool.fetchval(
        f"SELECT full_name FROM {tenant.schema}.rm_staff WHERE staff_id = $1", person)
    return name


async def test_an_officers_erasure_reaches_other_tenants_only_where_they_are_hr_officer(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    """A person who worked in X and in Y has data in both, under one key. X's officer erases
    their own staff; a person also held by Y only with a grant over Y, or a platform admin."""
    x, y = await new_tenant(), await new_tenant()
    shared: dict[str, uuid.UUID] = {}
    await org_in(x, members=2, ids=shared)
    moved = await org_in(y, members=2, ids=shared)  # the same people, carried over to Y
    person, other = moved.members
    assert {r["tenant"] for r in await runtime.pool.fetch(
        "SELECT tenant FROM platform.personal_key_tenants WHERE subject_id = $1",
        person)} == {x.slug, y.slug}
    officer = f"hr-{uuid.uuid4().hex[:8]}"
    hr_x = token_for(settings, x.slug, officer, "hr_officer")

    # Held by Y too, where X's officer is nobody: refused, nothing written, nothing erased.
    before = await _state(runtime, person)
    refused = await gql(http, hr_x, ERASE, {"staffId": str(person), "basis": BASIS})
    assert error_code(refused) == "ERASURE_BEYOND_TENANT", refused
    extensions = refused["errors"][0]["extensions"]
    assert "platform administrator" in extensions["messageEn"]
    assert "quản trị nền tảng" in extensions["messageVi"]
    assert y.slug not in json.dumps(refused), "the refusal names the other tenant"
    assert await _state(runtime, person) == before
    assert await _name_in(runtime, y, person) != ERASED

    # Someone on Y's staff only is not X's officer's to erase at all.
    only_y = (await org_in(y, members=1)).members[0]
    before_y = await _state(runtime, only_y)
    assert error_code(await gql(http, hr_x, ERASE, {
        "staffId": str(only_y), "basis": BASIS})) == "NOT_FOUND"
    assert await _state(runtime, only_y) == before_y

    # X's own staff member, held by X alone: X's officer erases them.
    only_x = (await org_in(x, members=1)).members[0]
    done = data(await gql(http, hr_x, ERASE, {"staffId": str(only_x), "basis": BASIS}))
    assert done["erasePersonalData"]["rebuiltTenants"] == [x.slug]
    assert await _name_in(runtime, x, only_x) == ERASED

    # With HR officer granted over the whole of Y as well, the officer reaches Y too.
    await runtime.platform.grant(ADMIN, officer, y.slug, "hr_officer")
    done = data(await gql(http, hr_x, ERASE, {"staffId": str(person), "basis": BASIS}))
    assert done["erasePersonalData"]["rebuiltTenants"] == sorted([x.slug, y.slug])
    assert await _name_in(runtime, y, person) == ERASED

    # A platform admin erases across tenants.
    admin = token_for(settings, x.slug, f"admin-{uuid.uuid4().hex[:8]}", "platform_admin")
    done = data(await gql(http, admin, ERASE, {"staffId": str(other), "basis": BASIS}))
    assert done["erasePersonalData"]["rebuiltTenants"] == sorted([x.slug, y.slug])
    assert await _name_in(runtime, x, other) == ERASED
    assert await _name_in(runtime, y, other) == ERASED
