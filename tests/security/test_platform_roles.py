"""Platform writes by least privilege: the API's role cannot write a platform table itself;
grants and erasures are appended as the platform writer (the log and nothing else), their
read models kept as the platform projector, keys made as ``congtam_keys`` (made, never
changed). A forbidden direct write is refused by PostgreSQL and leaves nothing behind."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from domain.actor import Actor
from projections.runner import ProjectionStalledError
from services.runtime import Runtime
from services.store.dbroles import (
    API_ROLE,
    KEYS_ROLE,
    PLATFORM_PROJECTOR_ROLE,
    PLATFORM_WRITER_ROLE,
    WRITER_ROLE,
)

pytestmark = pytest.mark.integration

ADMIN = Actor("platform-admin", "platform_admin")
GRANT = ("INSERT INTO platform.grants (grant_id, user_id, tenant, role, include_children, "
         "granted_by, granted_at, position) VALUES (gen_random_uuid(), 'intruder', "
         "'{t}', 'hr_officer', true, 'intruder', now(), 0)")
EVENT = ("INSERT INTO platform.platform_events (originator_id, originator_version, topic, "
         "state) VALUES (gen_random_uuid(), 1, 'x', '\\x00')")
FORBIDDEN: list[tuple[str, str]] = [
    (API_ROLE, GRANT),
    (API_ROLE, "UPDATE platform.grants SET revoked_at = NULL"),
    (API_ROLE, "DELETE FROM platform.grants"),
    (API_ROLE, EVENT),
    (API_ROLE, "INSERT INTO platform.users (user_id, account_id, name, position) "
               "VALUES ('intruder', gen_random_uuid(), 'x', 0)"),
    (API_ROLE, "UPDATE platform.personal_keys SET key = NULL"),
    (API_ROLE, "INSERT INTO platform.personal_keys (subject_id, key) "
               "VALUES (gen_random_uuid(), '\\x00')"),
    (API_ROLE, "UPDATE platform.rate_buckets SET tokens = 1e9"),
    (WRITER_ROLE, EVENT),
    (WRITER_ROLE, GRANT),
    (PLATFORM_WRITER_ROLE, GRANT),
    (PLATFORM_WRITER_ROLE, "UPDATE platform.platform_events SET topic = topic"),
    (PLATFORM_WRITER_ROLE, "DELETE FROM platform.platform_events"),
    (PLATFORM_WRITER_ROLE, "SELECT * FROM platform.personal_keys"),
    (PLATFORM_PROJECTOR_ROLE, EVENT),
    (PLATFORM_PROJECTOR_ROLE, "DELETE FROM platform.platform_events"),
    (KEYS_ROLE, "UPDATE platform.personal_keys SET key = NULL"),
    (KEYS_ROLE, "DELETE FROM platform.personal_keys"),
    (KEYS_ROLE, GRANT),
]


async def as_role(conn: asyncpg.pool.PoolConnectionProxy, role: str, sql: str) -> None:
    async with conn.transaction():
        await conn.execute(f"SET LOCAL ROLE {role}")
        await conn.execute(sql)


@pytest.mark.parametrize(("role", "statement"), FORBIDDEN)
async def test_a_direct_platform_write_outside_its_narrow_path_is_refused(
    runtime: Runtime, role: str, statement: str,
) -> None:
    slug = f"t-{uuid.uuid4().hex[:8]}"
    await runtime.registry.register(slug, "Phường thử", "ward")
    async with runtime.pool.acquire() as conn:
        before = await conn.fetchval("SELECT count(*) FROM platform.grants")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await as_role(conn, role, statement.format(t=slug))
        assert await conn.fetchval("SELECT count(*) FROM platform.grants") == before
        assert await conn.fetchval("SELECT current_user") not in (role, API_ROLE)


async def test_the_api_role_reaches_platform_writes_only_through_the_narrow_roles(
    runtime: Runtime,
) -> None:
    async with runtime.pool.acquire() as conn:
        for role in (PLATFORM_WRITER_ROLE, PLATFORM_PROJECTOR_ROLE, KEYS_ROLE):
            # A member that inherits nothing: it must switch to the role, per transaction.
            assert await conn.fetchval("SELECT pg_has_role($1, $2, 'MEMBER')", API_ROLE, role)
            assert not await conn.fetchval("SELECT pg_has_role($1, $2, 'USAGE')",
                                           API_ROLE, role)
        for table in ("grants", "users", "platform_events", "personal_keys", "access_log"):
            for privilege in ("INSERT", "UPDATE", "DELETE"):
                assert not await conn.fetchval(
                    "SELECT has_table_privilege($1, $2, $3)", API_ROLE, f"platform.{table}",
                    privilege), (table, privilege)
        # The rate buckets: the function only.
        assert await conn.fetchval("SELECT has_function_privilege($1, $2, 'EXECUTE')",
                                   API_ROLE, "platform.rate_sync(text[], integer[], integer[])")
        assert not await conn.fetchval("SELECT has_table_privilege($1, $2, 'SELECT')",
                                       API_ROLE, "platform.rate_buckets")


async def test_a_grant_is_appended_as_the_platform_writer_and_projected_as_its_projector(
    runtime: Runtime,
) -> None:
    slug = f"t-{uuid.uuid4().hex[:8]}"
    await runtime.registry.register(slug, "Phường thử", "ward")
    user = f"u-{uuid.uuid4().hex[:8]}"
    await runtime.platform.grant(ADMIN, user, slug, "auditor")
    async with runtime.pool.acquire() as conn:
        events = await conn.fetchval("SELECT count(*) FROM platform.platform_events")
        # Take the platform writer's INSERT away: the next grant must fail (so it runs as
        # that role, not as the superuser session of the development database).
        await conn.execute(f"REVOKE INSERT ON platform.platform_events "
                           f"FROM {PLATFORM_WRITER_ROLE}")
    try:
        with pytest.raises(Exception, match="permission denied"):
            await runtime.platform.grant(ADMIN, user, slug, "hr_officer")
    finally:
        async with runtime.pool.acquire() as conn:
            await conn.execute(f"GRANT INSERT ON platform.platform_events "
                               f"TO {PLATFORM_WRITER_ROLE}")
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM platform.platform_events") == events
        assert await conn.fetchval("SELECT count(*) FROM platform.grants WHERE user_id = $1",
                                   user) == 1
        # The projection as the platform projector: without its INSERT on grants the next
        # catch-up fails and the grant stays unprojected (its event is recorded).
        await conn.execute(f"REVOKE INSERT ON platform.grants FROM {PLATFORM_PROJECTOR_ROLE}")
    try:
        # The projection stops on that event, naming it, with the database's refusal as cause.
        with pytest.raises(ProjectionStalledError) as stalled:
            await runtime.platform.grant(ADMIN, user, slug, "staff")
        assert isinstance(stalled.value.__cause__, asyncpg.InsufficientPrivilegeError)
    finally:
        async with runtime.pool.acquire() as conn:
            await conn.execute(f"GRANT INSERT ON platform.grants TO {PLATFORM_PROJECTOR_ROLE}")
    await runtime.platform.catch_up()
    async with runtime.pool.acquire() as conn:
        roles = await conn.fetch("SELECT role FROM platform.grants WHERE user_id = $1", user)
        assert {r["role"] for r in roles} == {"auditor", "staff"}
        assert await conn.fetchval("SELECT current_user") != PLATFORM_PROJECTOR_ROLE
