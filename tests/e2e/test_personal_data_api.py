"""Erasing personal data over real HTTP: only an HR officer of the person's tenant or a
platform admin may; a refusal writes nothing; afterwards the board shows the marker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from storage.sealing import ERASED
from tests.support.gql import data, error_code, gql, token_for
from tests.support.operations import operation
from tests.support.org import Org

pytestmark = pytest.mark.e2e

ERASE = operation("ErasePersonalData")
BASIS = "Đơn yêu cầu xoá dữ liệu ngày 20/11/2026"


async def _state(runtime: Runtime, person: object) -> tuple[int, bool]:
    written = await runtime.pool.fetchval("SELECT count(*) FROM platform.platform_events")
    keyed = await runtime.pool.fetchval(
        "SELECT key IS NOT NULL FROM platform.personal_keys WHERE subject_id = $1", person)
    return int(written), bool(keyed)


@pytest.mark.parametrize("roles", [("staff",), ("unit_leader",), ("auditor",),
                                   ("appeal_reviewer",)])
async def test_only_hr_or_platform_admin_may_erase_and_a_refusal_writes_nothing(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, roles: tuple[str, ...],
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    tenant = await new_tenant()
    org = await org_in(tenant, members=2)
    person = org.members[0]
    before = await _state(runtime, person)
    token = token_for(settings, tenant.slug, person, *roles)
    body = await gql(http, token, ERASE, {"staffId": str(person), "basis": BASIS})
    assert error_code(body) == "FORBIDDEN"
    assert body["errors"][0]["extensions"]["messageEn"]
    assert await _state(runtime, person) == before


async def test_an_hr_officer_erases_a_person_of_their_tenant_and_the_board_shows_it(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    tenant = await new_tenant()
    org = await org_in(tenant, members=2)
    person = org.members[0]
    hr = token_for(settings, tenant.slug, org.hr, "hr_officer")
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
