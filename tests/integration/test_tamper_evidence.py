"""The log is append-only, and any alteration — even by a superuser — is named by verify."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
import pytest

from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.store.integrity import revoke_sql, verify
from tests.support.org import Org

pytestmark = pytest.mark.integration


@pytest.fixture
async def logged(runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
                 org_in: Callable[..., Awaitable[Org]]) -> tuple[Tenant, str]:
    tenant = await new_tenant()
    await org_in(tenant, members=4)
    return tenant, f"{tenant.schema}.evaluations_events"


async def _as_superuser_without_triggers(conn: asyncpg.Connection, sql: str) -> None:
    async with conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")  # triggers off
        await conn.execute(sql)


async def test_an_untouched_log_verifies(runtime: Runtime, logged: tuple[Tenant, str]) -> None:
    tenant, _ = logged
    async with runtime.pool.acquire() as conn:
        result = await verify(conn, tenant.schema)
        assert result.ok
        assert result.events == await conn.fetchval(
            f"SELECT count(*) FROM {tenant.schema}.evaluations_events")


async def test_update_delete_and_truncate_are_refused(
    runtime: Runtime, logged: tuple[Tenant, str]) -> None:
    _, table = logged
    async with runtime.pool.acquire() as conn:
        for sql in (f"UPDATE {table} SET topic = 'x'", f"DELETE FROM {table}",
                    f"TRUNCATE {table}"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await conn.execute(sql)


async def test_the_owning_role_cannot_change_events_even_with_the_triggers_disabled(
    runtime: Runtime, logged: tuple[Tenant, str]) -> None:
    tenant, table = logged
    role = f"app_{tenant.schema}"
    async with runtime.pool.acquire() as conn:
        await conn.execute(f"CREATE ROLE {role} NOSUPERUSER")
        await conn.execute(f"GRANT USAGE ON SCHEMA {tenant.schema} TO {role}")
        await conn.execute(f"ALTER TABLE {table} OWNER TO {role}")
        try:
            async with conn.transaction():
                await conn.execute(f"SET LOCAL ROLE {role}")
                await conn.execute(revoke_sql(tenant.schema))  # as the migration runs it
                await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
                for sql in (f"UPDATE {table} SET topic = 'x'", f"DELETE FROM {table}",
                            f"TRUNCATE {table}"):
                    with pytest.raises(asyncpg.InsufficientPrivilegeError,
                                       match="permission denied"):
                        async with conn.transaction():  # a savepoint per attempt
                            await conn.execute(sql)
                raise _RollbackError
        except _RollbackError:
            pass
        finally:
            await conn.execute(f"ALTER TABLE {table} OWNER TO CURRENT_USER")
            await conn.execute(f"DROP OWNED BY {role}; DROP ROLE {role}")
        assert (await verify(conn, tenant.schema)).ok


class _RollbackError(Exception):
    """Leave the role's transaction by rolling it back (the triggers come back on)."""


@pytest.mark.parametrize(("tamper", "broken_at"), [
    # A changed field: the chair's registered position (event 3) is rewritten.
    ("UPDATE {t} SET state = convert_to(replace(convert_from(state, 'UTF8'), 'Chủ tịch', "
     "'Phó Chủ tịch'), 'UTF8') WHERE notification_id = 3", 3),
    ("DELETE FROM {t} WHERE notification_id = 4", 5),  # removed: the next one breaks
    ("UPDATE {t} SET notification_id = -notification_id WHERE notification_id IN (3, 6); "
     "UPDATE {t} SET notification_id = 6 WHERE notification_id = -3; "
     "UPDATE {t} SET notification_id = 3 WHERE notification_id = -6", 3),  # swapped
    ("INSERT INTO {t} (originator_id, originator_version, topic, state, notification_id, "
     "chain_hash) SELECT gen_random_uuid(), 1, topic, state, 100000, chain_hash FROM {t} "
     "WHERE notification_id = 2", 100000),  # a forged event appended with a copied hash
])
async def test_verify_names_the_first_altered_position(
    runtime: Runtime, logged: tuple[Tenant, str], tamper: str, broken_at: int,
) -> None:
    tenant, table = logged
    async with runtime.pool.acquire() as conn:
        assert (await verify(conn, tenant.schema)).ok
        await _as_superuser_without_triggers(conn, tamper.format(t=table))
        result = await verify(conn, tenant.schema)
    assert not result.ok
    assert result.position == broken_at


@pytest.mark.parametrize("position", [1, 5, 8, 12])
async def test_verify_in_parallel_ranges_names_the_same_position(
    runtime: Runtime, logged: tuple[Tenant, str], position: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import services.store.integrity

    monkeypatch.setattr(services.store.integrity, "PARALLEL_FROM", 1)  # split even this short log
    tenant, table = logged
    async with runtime.pool.acquire() as conn:
        await _as_superuser_without_triggers(
            conn, f"UPDATE {table} SET originator_version = originator_version + 100 "
                  f"WHERE notification_id = {position}")
    result = await verify(runtime.pool, tenant.schema)
    assert not result.ok
    assert result.position == position
    assert result.events == position - 1


@pytest.mark.parametrize("stored", [
    "NULL",
    "substring(chain_hash FROM 1 FOR 31)",  # truncated
    "chain_hash || chain_hash",  # too long: a reader splitting by length would be misled
])
@pytest.mark.parametrize("in_ranges", [False, True])
async def test_a_stored_hash_that_is_not_32_bytes_is_a_break(
    runtime: Runtime, logged: tuple[Tenant, str], stored: str, in_ranges: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import services.store.integrity

    monkeypatch.setattr(services.store.integrity, "PARALLEL_FROM", 1 if in_ranges else 10**9)
    tenant, table = logged
    async with runtime.pool.acquire() as conn:
        await _as_superuser_without_triggers(
            conn, f"UPDATE {table} SET chain_hash = {stored} WHERE notification_id = 7")
    result = await verify(runtime.pool, tenant.schema)
    assert not result.ok
    assert result.position == 7
    assert result.events == 6


async def test_verify_piece_by_piece_on_one_connection_names_the_first_break(
    runtime: Runtime, logged: tuple[Tenant, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    import services.store.integrity

    monkeypatch.setattr(services.store.integrity, "PIECE", 2)  # each COPY covers two positions
    tenant, table = logged
    async with runtime.pool.acquire() as conn:
        assert (await verify(conn, tenant.schema)).ok
        for position in (12, 5, 1):  # each tamper lands before the last: the new first break
            await _as_superuser_without_triggers(
                conn, f"UPDATE {table} SET topic = topic || 'x' WHERE notification_id = {position}")
            result = await verify(conn, tenant.schema)
            assert (result.ok, result.position, result.events) == (False, position, position - 1)
