"""Grants live in the platform log: granted, revoked and inherited by child tenants."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import uuid4

import asyncpg
import pytest

from domain.actor import Actor
from domain.errors import ValidationFailedError
from domain.platform import UnknownGrantError
from services.platform.grants import grants_for, grants_in, roles_in
from services.platform.tenants import Tenant
from services.runtime import Runtime

pytestmark = pytest.mark.integration

ADMIN = Actor("platform-admin-1", "platform_admin")


async def test_a_grant_is_an_event_and_reaches_the_projected_table(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]]) -> None:
    tenant = await new_tenant()
    user = f"auditor-{uuid4().hex[:8]}"
    unit = uuid4()
    grant_id = await runtime.platform.grant(ADMIN, user, tenant.slug, "auditor", unit_scope=unit)
    [grant] = await grants_for(runtime.pool, user)
    assert (grant.grant_id, grant.tenant, grant.role, grant.unit_scope,
            grant.include_children) == (grant_id, tenant.slug, "auditor", unit, False)
    recorded = await runtime.pool.fetchval(
        "SELECT count(*) FROM platform.platform_events WHERE topic = "
        "'domain.platform:UserAccount.RoleGranted' AND convert_from(state, 'UTF8') LIKE $1",
        f"%{grant_id.hex}%")
    assert recorded == 1
    by = await runtime.pool.fetchval(
        "SELECT granted_by FROM platform.grants WHERE grant_id = $1", grant_id)
    assert by == ADMIN.user_id


async def test_a_revoked_grant_is_no_longer_returned(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]]) -> None:
    tenant = await new_tenant()
    user = f"auditor-{uuid4().hex[:8]}"
    grant_id = await runtime.platform.grant(ADMIN, user, tenant.slug, "auditor")
    await runtime.platform.revoke(ADMIN, user, grant_id, "hết nhiệm vụ thanh tra")
    assert await grants_for(runtime.pool, user) == []
    with pytest.raises(UnknownGrantError):
        await runtime.platform.revoke(ADMIN, user, grant_id, "again")


async def test_the_same_grant_twice_is_refused(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]]) -> None:
    tenant = await new_tenant()
    user = f"u-{uuid4().hex[:8]}"
    await runtime.platform.grant(ADMIN, user, tenant.slug, "auditor")
    with pytest.raises(ValidationFailedError):
        await runtime.platform.grant(ADMIN, user, tenant.slug, "auditor")
    assert len(await grants_for(runtime.pool, user)) == 1


async def test_a_grant_with_children_reaches_child_tenants_only_when_asked(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]]) -> None:
    city = await new_tenant()
    ward = await new_tenant(parent=city.slug)
    other = await new_tenant()
    wide, narrow = f"w-{uuid4().hex[:8]}", f"n-{uuid4().hex[:8]}"
    await runtime.platform.grant(ADMIN, wide, city.slug, "auditor", include_children=True)
    await runtime.platform.grant(ADMIN, narrow, city.slug, "auditor")
    assert await roles_in(runtime.pool, wide, ward.slug) == {"auditor"}
    assert [g.tenant for g in await grants_in(runtime.pool, wide, ward.slug)] == [city.slug]
    assert await roles_in(runtime.pool, narrow, ward.slug) == frozenset()
    assert await roles_in(runtime.pool, narrow, city.slug) == {"auditor"}
    assert await roles_in(runtime.pool, wide, other.slug) == frozenset()


async def test_a_grant_names_a_known_role_and_tenant(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]]) -> None:
    tenant = await new_tenant()
    user = f"u-{uuid4().hex[:8]}"
    with pytest.raises(ValidationFailedError, match="Unknown role"):
        await runtime.platform.grant(ADMIN, user, tenant.slug, "superuser")
    with pytest.raises(ValidationFailedError, match="Unknown tenant"):
        await runtime.platform.grant(ADMIN, user, "no-such-ward", "auditor")
    assert await grants_for(runtime.pool, user) == []


async def test_the_platform_log_is_append_only(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]]) -> None:
    tenant = await new_tenant()
    await runtime.platform.grant(ADMIN, f"u-{uuid4().hex[:8]}", tenant.slug, "auditor")
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await runtime.pool.execute("DELETE FROM platform.platform_events")
