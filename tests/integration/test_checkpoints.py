"""A checkpoint published before a tamper proves the tamper, even a chain-recomputing one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from domain.actor import Actor
from services.audit.checkpoints import (
    ChainBrokenError,
    checkpoints,
    prove_extends,
    publish,
)
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.store.integrity import verify
from tests.support.org import Org

pytestmark = pytest.mark.integration

OPERATOR = Actor("ops", "platform_admin")
RENAME = ("UPDATE {t} SET state = convert_to(replace(convert_from(state, 'UTF8'), "
          "'Chủ tịch', 'Phó Chủ tịch'), 'UTF8') WHERE notification_id = 3")


async def _superuser(runtime: Runtime, sql: str) -> None:
    async with runtime.pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")  # triggers off
        await conn.execute(sql)


async def _rechain(runtime: Runtime, table: str) -> None:
    """What a careful tamperer does next: recompute every hash so the chain verifies."""
    await _superuser(runtime, f"""
        DO $$ DECLARE r record; prev bytea := '\\x{'00' * 32}'::bytea; BEGIN
          FOR r IN SELECT notification_id, originator_id, originator_version, topic, state
                   FROM {table} ORDER BY notification_id LOOP
            prev := sha256(prev || int8send(r.notification_id) || uuid_send(r.originator_id)
              || int8send(r.originator_version)
              || int4send(octet_length(convert_to(r.topic, 'UTF8')))
              || convert_to(r.topic, 'UTF8') || int4send(octet_length(r.state)) || r.state);
            UPDATE {table} SET chain_hash = prev WHERE notification_id = r.notification_id;
          END LOOP; END $$""")


@pytest.fixture
async def tenant(runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
                 org_in: Callable[..., Awaitable[Org]]) -> Tenant:
    t = await new_tenant()
    await org_in(t, members=3)
    return t


async def test_a_published_checkpoint_is_proved_by_the_untouched_log(
    runtime: Runtime, tenant: Tenant, org_in: Callable[..., Awaitable[Org]]) -> None:
    checkpoint = await publish(runtime, tenant, OPERATOR)
    assert checkpoint.position > 0
    assert checkpoint.published_by == "ops"
    await org_in(tenant, members=2)  # the log grows after the checkpoint
    async with runtime.pool.acquire() as conn:
        proof = await prove_extends(conn, tenant.schema, checkpoint)
    assert proof.ok
    assert proof.verification.position > checkpoint.position


async def test_a_checkpoint_from_before_a_rechained_tamper_proves_it(
    runtime: Runtime, tenant: Tenant) -> None:
    checkpoint = await publish(runtime, tenant, OPERATOR)
    table = f"{tenant.schema}.evaluations_events"
    await _superuser(runtime, RENAME.format(t=table))
    await _rechain(runtime, table)
    async with runtime.pool.acquire() as conn:
        assert (await verify(conn, tenant.schema)).ok  # the chain alone is fooled
        proof = await prove_extends(conn, tenant.schema, checkpoint)
    assert not proof.ok
    assert proof.position == checkpoint.position
    assert "published head" in proof.problem


async def test_a_plain_tamper_before_the_checkpoint_is_named(
    runtime: Runtime, tenant: Tenant) -> None:
    checkpoint = await publish(runtime, tenant, OPERATOR)
    await _superuser(runtime, RENAME.format(t=f"{tenant.schema}.evaluations_events"))
    async with runtime.pool.acquire() as conn:
        proof = await prove_extends(conn, tenant.schema, checkpoint)
    assert not proof.ok
    assert proof.position == 3


async def test_a_broken_chain_is_never_checkpointed(runtime: Runtime, tenant: Tenant) -> None:
    await _superuser(runtime, RENAME.format(t=f"{tenant.schema}.evaluations_events"))
    with pytest.raises(ChainBrokenError):
        await publish(runtime, tenant, OPERATOR)
    assert await checkpoints(runtime.pool, tenant.slug) == []


async def test_checkpoints_are_events_of_the_platform_log(
    runtime: Runtime, tenant: Tenant) -> None:
    await publish(runtime, tenant, OPERATOR)
    count = await runtime.pool.fetchval(
        "SELECT count(*) FROM platform.platform_events "
        "WHERE topic = 'domain.platform:TenantChain.CheckpointPublished' "
        "AND convert_from(state, 'UTF8') LIKE $1", f"%{tenant.slug}%")
    assert count == 1
    async with runtime.pool.acquire() as conn:
        assert (await verify(conn, "platform", table="platform_events")).ok
