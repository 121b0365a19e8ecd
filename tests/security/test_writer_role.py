"""The API appends events as ``congtam_writer``, a role that may append and read events and
do nothing else: no change or removal of an event, no read model, no platform table."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from domain.ids import UnitId
from services.app.commands import RegisterUnit
from services.runtime import Runtime
from services.store.dbroles import WRITER_ROLE
from tests.integration.test_domain_rules import _run
from tests.support.dbroles import LOG_REWRITES, refused_to
from tests.support.org import StaffedTenant
from tests.support.readmodels import event_count

pytestmark = pytest.mark.integration

EVENTS = "evaluations_events"


@pytest.mark.parametrize("statement", [
    *LOG_REWRITES,
    "SELECT * FROM {s}.rm_units",
    "DELETE FROM {s}.rm_units",
    "SELECT * FROM platform.grants",
])
async def test_the_writer_may_append_events_and_nothing_else(
    runtime: Runtime, staffed_tenant: StaffedTenant, statement: str,
) -> None:
    x, _ = await staffed_tenant(members=1)
    async with runtime.pool.acquire() as conn:
        await refused_to(conn, WRITER_ROLE, statement.format(s=x.schema))
        # What it may do: read events and take the table lock that orders appends.
        async with conn.transaction():
            await conn.execute(f"SET LOCAL ROLE {WRITER_ROLE}")
            assert await conn.fetchval(f"SELECT count(*) FROM {x.schema}.{EVENTS}") > 0
            await conn.execute(f"LOCK TABLE {x.schema}.{EVENTS} IN EXCLUSIVE MODE")


async def test_the_api_appends_as_the_writer_role(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    x, org = await staffed_tenant(members=1)
    service = runtime.service(x)

    def register() -> None:
        service.register_unit(RegisterUnit(UnitId(uuid.uuid4()), "Tổ mới", "team", org.root))

    await _run(register)
    async with runtime.pool.acquire() as conn:
        before = await event_count(conn, x.schema)
        # Take the writer's INSERT away: the next append must fail, so it runs as the writer
        # and not as the (superuser) session user of the development database.
        await conn.execute(f"REVOKE INSERT ON {x.schema}.{EVENTS} FROM {WRITER_ROLE}")
    try:
        with pytest.raises(Exception, match="permission denied") as refused:
            await _run(register)
        assert isinstance(refused.value, psycopg.errors.InsufficientPrivilege) or isinstance(
            refused.value.__cause__, psycopg.errors.InsufficientPrivilege), refused.value
        async with runtime.pool.acquire() as conn:
            assert await event_count(conn, x.schema) == before
    finally:
        async with runtime.pool.acquire() as conn:
            await conn.execute(f"GRANT INSERT ON {x.schema}.{EVENTS} TO {WRITER_ROLE}")
    await _run(register)
    async with runtime.pool.acquire() as conn:
        assert await event_count(conn, x.schema) > before
