"""A checkpoint published before a tamper proves the tamper, even a chain-recomputing one."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

import pytest

from domain.actor import Actor
from projections.runner import head_position
from services.audit.checkpoints import (
    ChainBrokenError,
    Checkpoint,
    Witness,
    checkpoints,
    first_unkept,
    prove_extends,
    publish,
    unwitnessed,
    verify_since,
)
from services.audit.signing import signature_holds
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


# Automatic, signed checkpoints: the witness, truncation and appends at the tail.

def _witness(runtime: Runtime) -> Witness:
    return Witness(runtime.directory, runtime.platform, runtime.signer, every_s=60)


async def _latest(runtime: Runtime, tenant: Tenant) -> Checkpoint:
    [latest] = await checkpoints(runtime.pool, tenant.slug, limit=1)
    return latest


async def test_the_witness_signs_each_tenant_with_new_events_and_only_those(
    runtime: Runtime, tenant: Tenant, org_in: Callable[..., Awaitable[Org]]) -> None:
    witness = _witness(runtime)
    await witness.run()
    first = await _latest(runtime, tenant)
    async with runtime.pool.acquire() as conn:
        head = await head_position(conn, tenant.schema)
    assert first.position == head
    assert first.published_by == "checkpoint-witness"
    message = first.message()
    assert message is not None
    assert first.signature
    assert first.public_key
    assert signature_holds(first.public_key, message, first.signature)
    assert first.public_key == runtime.signer.published()["publicKey"]
    # Nothing new: no second checkpoint of this tenant.
    await witness.run()
    assert len(await checkpoints(runtime.pool, tenant.slug)) == 1
    # New events: witnessed incrementally, the count carried on from the last checkpoint.
    await org_in(tenant, members=1)
    await witness.run()
    second = await _latest(runtime, tenant)
    async with runtime.pool.acquire() as conn:
        full = await verify(conn, tenant.schema)
    assert (second.position, second.events, second.head) == (
        full.position, full.events, full.head.hex())


async def test_a_signature_holds_only_for_what_was_signed(
    runtime: Runtime, tenant: Tenant) -> None:
    await _witness(runtime).run()
    signed = await _latest(runtime, tenant)
    forged = dataclasses.replace(signed, head="ab" * 32)
    message = forged.message()
    assert message is not None
    assert signed.signature
    assert signed.public_key
    assert not signature_holds(signed.public_key, message, signed.signature)


async def test_deleting_the_last_events_is_caught_by_the_witnessed_checkpoint(
    runtime: Runtime, tenant: Tenant) -> None:
    witness = _witness(runtime)
    await witness.run()
    held = await _latest(runtime, tenant)  # an auditor's copy, signed
    table = f"{tenant.schema}.evaluations_events"
    await _superuser(runtime, f"DELETE FROM {table} WHERE notification_id > "
                              f"{held.position - 2}")
    async with runtime.pool.acquire() as conn:
        assert (await verify(conn, tenant.schema)).ok  # the shorter chain alone is fooled
        proof = await prove_extends(conn, tenant.schema, held)
        unkept = await first_unkept(conn, tenant.schema, [held])
    assert not proof.ok
    assert proof.position == held.position
    assert unkept == held
    # And the witness refuses to sign over the truncation.
    assert not await witness.witness(tenant.slug, tenant.schema)


async def test_a_forged_append_at_the_tail_is_named_or_counted_unwitnessed(
    runtime: Runtime, tenant: Tenant) -> None:
    await _witness(runtime).run()
    held = await _latest(runtime, tenant)
    table = f"{tenant.schema}.evaluations_events"
    async with runtime.pool.acquire() as conn:
        assert await unwitnessed(conn, tenant.schema, [held]) == 0
    # A forged event with a made-up hash breaks the chain at its position.
    await _superuser(runtime, f"""
        INSERT INTO {table} (originator_id, originator_version, topic, state, chain_hash)
        SELECT gen_random_uuid(), 1, 'domain.organisation:Unit.Registered',
               convert_to('{{}}', 'UTF8'), '\\x{'00' * 32}'::bytea""")
    async with runtime.pool.acquire() as conn:
        result = await verify_since(conn, tenant.schema, held)
        assert not result.ok
        assert result.position > held.position
        # Events after the newest checkpoint are reported as not yet witnessed.
        assert await unwitnessed(conn, tenant.schema, [held]) == 1
