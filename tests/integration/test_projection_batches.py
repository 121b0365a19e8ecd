"""Set-based projection: a batch's statements grouped into one statement per SQL and level
leave the read models exactly as the per-event statements run one by one in log order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import anyio
import pytest
from eventsourcing.persistence import JSONTranscoder, StoredEvent

from projections.codec import decode
from projections.runner import catch_up, reset
from services.demo.tenants import _build_tenant
from services.platform.tenants import Tenant
from services.runtime import Runtime
from storage.sealing import ERASED, load_keys
from storage.transcoding import PersonalDataMapper, register_transcodings
from tests.support.org import StaffedTenant
from tests.support.projection import assert_rebuild_equals_live, hold, holding
from tests.support.readmodels import dump, event_count

pytestmark = pytest.mark.integration


async def test_a_year_in_one_batch_equals_the_same_year_one_event_at_a_time(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    # The demo year holds every kind of event: resubmitted self-assessments, opinions,
    # proposals, appeals and amendments, transfers, quota exceptions, collectives.
    tenant = await new_tenant()
    service = runtime.service(tenant)
    await anyio.to_thread.run_sync(_build_tenant, service, tenant.slug, date(2026, 11, 23), True)
    async with holding(runtime, tenant) as conn:
        await reset(conn, tenant.schema)  # whatever another projector did before the hold
        one_by_one = await catch_up(conn, tenant.schema, batch_size=1)
        assert one_by_one.applied > 1000
        singly = await dump(conn, tenant.schema)
        await reset(conn, tenant.schema)
        whole = await catch_up(conn, tenant.schema, batch_size=100_000)
        assert whole.applied == one_by_one.applied
        assert await dump(conn, tenant.schema) == singly
        # And batches cutting the log anywhere (a month split across two batches).
        await reset(conn, tenant.schema)
        await catch_up(conn, tenant.schema, batch_size=37)
        assert await dump(conn, tenant.schema) == singly
        # And batches growing while the backlog lasts, as the projector reads them.
        await reset(conn, tenant.schema)
        await catch_up(conn, tenant.schema, batch_size=3, backlog_batch_size=500)
        assert await dump(conn, tenant.schema) == singly
        # The projector's decoder gives the library mapper's events, value for value.
        rows = await conn.fetch(
            f"SELECT originator_id, originator_version, topic, state "
            f"FROM {tenant.schema}.evaluations_events ORDER BY notification_id")
        keys = await load_keys(conn, rows)
        transcoder = JSONTranscoder()
        register_transcodings(transcoder)
        mapper = PersonalDataMapper(transcoder, keys)
        for row in rows:
            fast = decode(row, keys)
            library = mapper.to_domain_event(StoredEvent(
                originator_id=row["originator_id"], originator_version=row["originator_version"],
                topic=row["topic"], state=bytes(row["state"])))
            assert type(fast) is type(library)
            assert fast.__dict__ == library.__dict__
            assert {k: type(v) for k, v in fast.__dict__.items()} == {
                k: type(v) for k, v in library.__dict__.items()}


class _Between:
    """A connection that runs ``hook`` just before its ``n``-th batch takes the tenant's lock:
    that is, after the previous batch committed and read the next one ahead."""

    def __init__(self, conn: Any, n: int, hook: Callable[[], Awaitable[None]]) -> None:
        self._conn, self._n, self._hook = conn, n, hook

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        if "pg_try_advisory_xact_lock" in sql:
            self._n -= 1
            if self._n == 0:
                await self._hook()
        return await self._conn.fetchval(sql, *args)


async def test_a_batch_read_ahead_is_dropped_when_another_projector_applied_it(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, _ = await staffed_tenant(members=12)
    async with runtime.pool.acquire() as conn, runtime.pool.acquire() as other:
        await reset(conn, tenant.schema)
        total = await event_count(conn, tenant.schema)
        assert total > 15
        theirs: list[int] = []

        async def other_projector() -> None:
            # Between our first and second batch another process applies the second one
            # (the batch we have already read and turned into statements).
            theirs.append((await catch_up(other, tenant.schema, batch_size=5,
                                          max_batches=1)).applied)

        ours = await catch_up(_Between(conn, 2, other_projector), tenant.schema, batch_size=5)
        assert theirs == [5]
        assert ours.applied + theirs[0] == total  # nothing applied twice
        await assert_rebuild_equals_live(conn, tenant.schema)


async def test_an_erasure_between_batches_reaches_the_batch_read_ahead(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, _ = await staffed_tenant(members=12)
    async with runtime.pool.acquire() as conn, runtime.pool.acquire() as other:
        await hold(conn, tenant)
        await reset(conn, tenant.schema)
        # A person registered in the second batch of five: read ahead during the first.
        person = await conn.fetchval(
            f"SELECT originator_id FROM {tenant.schema}.evaluations_events "
            "WHERE topic LIKE '%StaffMember.Registered' AND notification_id BETWEEN 6 AND 10 "
            "ORDER BY notification_id LIMIT 1")
        assert person is not None

        async def erased() -> None:
            # The key's removal as a committed erasure leaves it (services/platform/erasure.py).
            await other.execute(
                "UPDATE platform.personal_keys SET key = NULL, erased_at = now() "
                "WHERE subject_id = $1", person)

        await catch_up(_Between(conn, 2, erased), tenant.schema, batch_size=5)
        name = await conn.fetchval(
            f"SELECT full_name FROM {tenant.schema}.rm_staff WHERE staff_id = $1", person)
        assert name == ERASED
