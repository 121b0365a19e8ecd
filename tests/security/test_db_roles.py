"""The database's own line of defence: a tenant's reader role sees its schema and no other;
nobody may change or remove events; the projector writes read models only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
import pytest

from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.store.dbroles import PROJECTOR_ROLE, read_checkout, reader_role, reading_as
from tests.support.dbroles import LOG_REWRITES, refused_to
from tests.support.org import Org, StaffedTenant

pytestmark = pytest.mark.integration


async def test_a_tenants_reader_role_cannot_read_another_tenants_schema(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]],
) -> None:
    x, y = await new_tenant(), await new_tenant()
    await org_in(y, members=1)
    async with runtime.pool.acquire() as conn:
        async with reading_as(conn, x.schema):
            assert await conn.fetchval(f"SELECT count(*) FROM {x.schema}.rm_units") == 0
        for table in ("rm_units", "rm_staff", "rm_ratings", "evaluations_events"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                async with reading_as(conn, x.schema):
                    await conn.fetch(f"SELECT * FROM {y.schema}.{table}")
        # The role ended with the transaction: the pooled connection is itself again.
        assert await conn.fetchval("SELECT current_user") != reader_role(x.schema)


async def test_the_api_read_checkout_is_the_tenants_reader_and_leaves_nothing_behind(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]],
) -> None:
    """The checkout every API read goes through (one round trip to begin, no reset after):
    the tenant's reader role, read-only, and a connection that comes back as itself."""
    x, y = await new_tenant(), await new_tenant()
    await org_in(y, members=1)
    pool = runtime.pool_of(x)
    async with read_checkout(pool, x.schema) as conn:
        assert await conn.fetchval("SELECT current_user") == reader_role(x.schema)
        assert await conn.fetchval(f"SELECT count(*) FROM {x.schema}.rm_units") == 0
    for table in ("rm_units", "rm_staff", "rm_ratings", "evaluations_events"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with read_checkout(pool, x.schema) as conn:
                await conn.fetch(f"SELECT * FROM {y.schema}.{table}")
    with pytest.raises((asyncpg.ReadOnlySQLTransactionError,
                        asyncpg.InsufficientPrivilegeError)):
        async with read_checkout(pool, x.schema) as conn:
            await conn.execute(f"DELETE FROM {x.schema}.rm_units")
    # Every connection of the pool, borrowed after those reads, is the login role again,
    # outside any transaction.
    held = [await pool.acquire() for _ in range(pool.get_size())]
    try:
        for conn in held:
            assert await conn.fetchval("SELECT current_user = session_user")
            assert not conn.is_in_transaction()
    finally:
        for conn in held:
            await pool.release(conn)


async def test_reads_cannot_write_even_their_own_tenant(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    x = await new_tenant()
    async with runtime.pool.acquire() as conn:
        with pytest.raises((asyncpg.ReadOnlySQLTransactionError,
                            asyncpg.InsufficientPrivilegeError)):
            async with reading_as(conn, x.schema):
                await conn.execute(f"DELETE FROM {x.schema}.rm_units")


@pytest.mark.parametrize("statement", [
    *LOG_REWRITES,
    "INSERT INTO {s}.evaluations_events (originator_id, originator_version, topic, state) "
    "VALUES (gen_random_uuid(), 1, 'x', '\\x00')",
])
async def test_the_projector_cannot_touch_events(
    runtime: Runtime, staffed_tenant: StaffedTenant, statement: str,
) -> None:
    x, _ = await staffed_tenant(members=1)
    async with runtime.pool.acquire() as conn:
        await refused_to(conn, PROJECTOR_ROLE, statement.format(s=x.schema))


async def test_the_projector_reads_events_and_writes_read_models_only(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    x = await new_tenant()
    async with runtime.pool.acquire() as conn:
        async with conn.transaction():
            await conn.execute(f"SET LOCAL ROLE {PROJECTOR_ROLE}")
            await conn.fetch(f"SELECT * FROM {x.schema}.evaluations_events LIMIT 1")
            await conn.execute(f"DELETE FROM {x.schema}.rm_units")  # allowed: a read model
        await refused_to(conn, PROJECTOR_ROLE, "SELECT * FROM platform.grants")


async def test_privileges_are_installed_once_per_change_not_at_every_start(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    from services.store.dbroles import tenants_needing_roles

    tenant = await new_tenant()
    async with runtime.pool.acquire() as conn:
        # Registered with its privileges: a process start has nothing to do for it.
        assert tenant.schema not in await tenants_needing_roles(conn)
        # A read model added later changes the schema's tables: that tenant (only) is due.
        await conn.execute(f"CREATE TABLE {tenant.schema}.rm_added_later (x int)")
        assert tenant.schema in await tenants_needing_roles(conn)
        assert not await conn.fetchval("SELECT has_table_privilege($1, $2, 'SELECT')",
                                       reader_role(tenant.schema),
                                       f"{tenant.schema}.rm_added_later")
    await runtime.registry.migrate()  # what every process start runs
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT has_table_privilege($1, $2, 'SELECT')",
                                   reader_role(tenant.schema), f"{tenant.schema}.rm_added_later")
        assert tenant.schema not in await tenants_needing_roles(conn)
        await conn.execute(f"DROP TABLE {tenant.schema}.rm_added_later")


async def test_the_api_read_paths_run_as_the_tenants_reader_role(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]],
) -> None:
    """Dashboards (``Reads``) and the other resolvers (``Context.fetcher``/``fetchrow``) reach
    the database as the caller's tenant reader: a statement naming another tenant's schema —
    a bug, or a schema from the wrong place — is refused by PostgreSQL, not only by the code."""
    from services.gql.context import Context
    from services.gql.loaders import Reads

    x, y = await new_tenant(), await new_tenant()
    await org_in(y, members=1)
    reads = Reads(runtime.pool, x)
    assert await reads.fetch(f"SELECT current_user AS u FROM {x.schema}.rm_units") == []
    assert (await reads.fetchrow("SELECT current_user AS u"))["u"] == reader_role(x.schema)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await reads.fetch(f"SELECT * FROM {y.schema}.rm_staff")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await reads.fetchrow(f"SELECT * FROM {y.schema}.rm_ratings")

    ctx = Context(rt=runtime)
    assert (await ctx.fetchrow(x, "SELECT current_user AS u"))["u"] == reader_role(x.schema)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await ctx.fetcher(x)(f"SELECT * FROM {y.schema}.rm_staff")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await ctx.fetchrow(x, f"SELECT * FROM {y.schema}.evaluations_events")


async def test_a_connection_given_back_as_the_projector_returns_to_the_pool_as_itself(
    runtime: Runtime,
) -> None:
    """The projector sets its role for the session; a block interrupted before its own
    ``RESET ROLE`` must not hand the next borrower a projector's privileges."""
    async with runtime.pool.acquire() as conn:
        login = await conn.fetchval("SELECT session_user")
        pid = await conn.fetchval("SELECT pg_backend_pid()")
        await conn.execute(f"SET ROLE {PROJECTOR_ROLE}")
        assert await conn.fetchval("SELECT current_user") == PROJECTOR_ROLE
    # Borrow until the same backend comes round again (the pool hands back idle ones).
    for _ in range(runtime.pool.get_max_size() + 1):
        async with runtime.pool.acquire() as conn:
            if await conn.fetchval("SELECT pg_backend_pid()") == pid:
                assert await conn.fetchval("SELECT current_user") == login
                return
    pytest.fail("the pool never handed the same connection back")
