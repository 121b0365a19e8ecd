"""Fixtures and helpers of the end-to-end tests: where most of them start, and how they
see that a refusal wrote nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import NamedTuple

import pytest

from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.conftest import TenantFactory
from tests.support.gql import token_for
from tests.support.org import Org
from tests.support.readmodels import event_count


class Staffed(NamedTuple):
    """A fresh tenant with a unit and its people registered, and its HR officer's token."""

    tenant: Tenant
    org: Org
    hr: str


Staffing = Callable[..., Awaitable[Staffed]]


@pytest.fixture
def staffed(settings: Settings, new_tenant: TenantFactory,
            org_in: Callable[..., Awaitable[Org]]) -> Staffing:
    async def make(members: int = 1, parent: str | None = None) -> Staffed:
        tenant = await new_tenant(parent=parent)
        org = await org_in(tenant, members=members)
        return Staffed(tenant, org, token_for(settings, tenant.slug, org.hr, "hr_officer"))
    return make


async def events_in(runtime: Runtime, tenant: Tenant) -> int:
    """How many events the tenant's log holds: a refusal leaves it as it was."""
    async with runtime.pool.acquire() as conn:
        return await event_count(conn, tenant.schema)
