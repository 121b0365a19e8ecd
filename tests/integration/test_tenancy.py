"""Tenants: their own schema and log; connections bounded however many tenants exist."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
import pytest

from domain.actor import Actor, acting_as
from domain.errors import ValidationFailedError
from services.app.commands import OpenPeriod
from services.platform.tenants import Tenant, UnknownTenantError
from services.runtime import Runtime
from tests.support.org import Org
from tests.support.readmodels import event_count

pytestmark = pytest.mark.integration


async def test_each_tenant_writes_only_its_own_schema(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]],
) -> None:
    a, b = await new_tenant(), await new_tenant()
    await org_in(a, members=3)
    async with runtime.pool.acquire() as conn:
        assert await event_count(conn, a.schema) > 0
        assert await event_count(conn, b.schema) == 0
        assert a.schema != b.schema


async def test_connections_stay_bounded_however_many_tenants(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]],
) -> None:
    tenants = [await new_tenant() for _ in range(25)]
    for tenant in tenants:
        org = await org_in(tenant, members=1)
        service = runtime.service(tenant)
        with acting_as(Actor("hr", "hr_officer")):
            await anyio.to_thread.run_sync(service.open_period, OpenPeriod(org.unit, 2026, 1))
    held = await runtime.pool.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
        "AND application_name <> 'pytest-probe' AND pid <> pg_backend_pid()")
    # Both this runtime and (maybe) the served app share the server; each is bounded.
    assert held <= 2 * runtime.settings.max_connections
    assert runtime.shared.pool.get_stats()["pool_size"] <= runtime.settings.write_pool_max


async def test_unknown_and_malformed_tenants_are_refused(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    with pytest.raises(UnknownTenantError):
        await runtime.registry.get("no-such-ward")
    with pytest.raises(ValidationFailedError):
        await new_tenant("Bad_Slug; DROP SCHEMA platform")
