"""Set-based projection: a batch's statements grouped into one statement per SQL and level
leave the read models exactly as the per-event statements run one by one in log order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import anyio
import pytest
from eventsourcing.persistence import JSONTranscoder, StoredEvent

from projections.codec import PersonalDataMapper, decode, register_transcodings
from projections.personal import load_keys
from projections.runner import catch_up, reset
from services.demo import _build_tenant
from services.runtime import Runtime
from services.tenants import Tenant
from tests.integration.test_projector import _hold
from tests.support.readmodels import dump

pytestmark = pytest.mark.integration


async def test_a_year_in_one_batch_equals_the_same_year_one_event_at_a_time(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    # The demo year holds every kind of event: resubmitted self-assessments, opinions,
    # proposals, appeals and amendments, transfers, quota exceptions, collectives.
    tenant = await new_tenant()
    service = runtime.service(tenant)
    await anyio.to_thread.run_sync(_build_tenant, service, tenant.slug, date(2026, 11, 23), True)
    async with runtime.pool.acquire() as conn:
        await _hold(conn, tenant)
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
