"""As-of answers equal what the live board said at that time; replay equals live."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import anyio
import pytest

from domain.actor import Actor, acting_as
from domain.levels import Level
from projections.runner import catch_up, lock_key
from services.app.commands import ClosePeriod, DecideRating, OpenPeriod, SubmitSelfAssessment
from services.audit.as_of import RATING_COLUMNS, aggregate_as_of, unit_month_as_of
from services.audit.positions import position_at
from services.audit.replay import domain_replay, replay_tenant
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.support.org import Org
from tests.support.projection import hold

pytestmark = pytest.mark.integration


async def _caught_up(runtime: Runtime, tenant: Tenant) -> None:
    """Project up to the head, even when the served app's projector holds the tenant."""
    async with runtime.pool.acquire() as conn:
        # Wait for the tenant's lock (a session lock: catch_up's own lock is then ours too).
        await hold(conn, tenant)
        try:
            assert not (await catch_up(conn, tenant.schema)).skipped
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", lock_key(tenant.schema))


async def _live_board(runtime: Runtime, tenant: Tenant, org: Org) -> list[tuple[object, ...]]:
    await _caught_up(runtime, tenant)
    async with runtime.pool.acquire() as conn:
        rows = await conn.fetch(
            f"SELECT {RATING_COLUMNS} FROM {tenant.schema}.rm_ratings r "
            f"LEFT JOIN {tenant.schema}.rm_staff s ON s.staff_id = r.staff_id "
            "WHERE r.unit_id = $1 AND r.year = 2026 AND r.number = 3 "
            "ORDER BY s.full_name, r.staff_id", org.unit)
    return [tuple(r) for r in rows]


@pytest.fixture
async def scenario(runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
                   org_in: Callable[..., Awaitable[Org]]
                   ) -> tuple[Tenant, Org, int, datetime, list[tuple[object, ...]]]:
    """March is opened and self-assessed (the board is recorded then); later decided."""
    tenant = await new_tenant()
    org = await org_in(tenant, members=4)
    service = runtime.service(tenant)

    def open_and_assess() -> tuple[object, int]:
        with acting_as(Actor("hr-1", "hr_officer")):
            period_id, _ = service.open_period(OpenPeriod(org.unit, 2026, 3))
        last = 0
        for i, m in enumerate(org.members):
            with acting_as(Actor(str(m), "staff")):
                last = service.submit_self_assessment(
                    SubmitSelfAssessment(period_id, m, 70 + 5 * i, [], ""))
        return period_id, last

    period_id, position = await anyio.to_thread.run_sync(open_and_assess)
    board_then = await _live_board(runtime, tenant, org)
    await asyncio.sleep(0.05)
    moment = datetime.now(UTC)
    await asyncio.sleep(0.05)

    def decide_and_close() -> None:
        with acting_as(Actor(str(org.leader), "unit_leader")):
            for m in org.members:
                service.decide_rating(DecideRating(period_id, m, Level.C, 60, "Chưa đạt",  # type: ignore[arg-type]
                                                   str(org.leader)))
        with acting_as(Actor("hr-1", "hr_officer")):
            service.close_period(ClosePeriod(period_id))  # type: ignore[arg-type]

    await anyio.to_thread.run_sync(decide_and_close)
    return tenant, org, position, moment, board_then


async def test_the_board_as_of_a_position_is_the_board_recorded_then(
    runtime: Runtime, scenario: tuple[Tenant, Org, int, datetime, list[tuple[object, ...]]],
) -> None:
    tenant, org, position, _, board_then = scenario
    board_now = await _live_board(runtime, tenant, org)
    assert board_now != board_then  # the month moved on: decided and closed
    as_of = await unit_month_as_of(runtime.pool, tenant.schema, org.unit, 2026, 3, position)
    assert [tuple(r) for r in as_of.ratings] == board_then
    assert as_of.period["status"] == "open"
    assert as_of.period["decided_count"] == 0
    assert sum(r["status"] == "self_assessed" for r in as_of.ratings) == len(org.members)
    assert all(r["level"] is None for r in as_of.ratings)


async def test_the_board_as_of_a_date_time_resolves_to_the_last_event_before_it(
    runtime: Runtime, scenario: tuple[Tenant, Org, int, datetime, list[tuple[object, ...]]],
) -> None:
    tenant, org, position, moment, board_then = scenario
    async with runtime.pool.acquire() as conn:
        assert await position_at(conn, tenant.schema, moment) == position
        assert await position_at(conn, tenant.schema, datetime(2000, 1, 1, tzinfo=UTC)) == 0
    as_of = await unit_month_as_of(runtime.pool, tenant.schema, org.unit, 2026, 3, position)
    assert [tuple(r) for r in as_of.ratings] == board_then


async def test_before_the_month_was_opened_there_is_no_board(
    runtime: Runtime, scenario: tuple[Tenant, Org, int, datetime, list[tuple[object, ...]]],
) -> None:
    tenant, org, *_ = scenario
    as_of = await unit_month_as_of(runtime.pool, tenant.schema, org.unit, 2026, 3, 3)
    assert as_of.period is None
    assert as_of.ratings == []


async def test_an_aggregate_as_of_a_position_is_its_state_then(
    runtime: Runtime, scenario: tuple[Tenant, Org, int, datetime, list[tuple[object, ...]]],
) -> None:
    tenant, org, position, *_ = scenario
    from domain.ids import period_id_for

    period_id = period_id_for(org.unit, "monthly", 2026, 3)
    async with runtime.pool.acquire() as conn:
        then = await aggregate_as_of(conn, tenant.schema, period_id, position)
        now = await aggregate_as_of(conn, tenant.schema, period_id, 2**62)
    assert then is not None
    assert now is not None
    assert (then["type"], then["closed"], then["decisions"]) == ("EvaluationPeriod", False, {})
    assert now["closed"] is True
    assert set(now["decisions"].values()) == {"C"}


async def test_a_replay_equals_live_and_a_corrupted_read_model_is_named(
    runtime: Runtime, scenario: tuple[Tenant, Org, int, datetime, list[tuple[object, ...]]],
) -> None:
    tenant, org, *_ = scenario
    await _caught_up(runtime, tenant)
    result = await replay_tenant(runtime.pool, tenant.schema)
    assert result.equal, result.difference
    assert result.rows > 0
    await runtime.pool.execute(
        f"UPDATE {tenant.schema}.rm_ratings SET level = 'A' WHERE staff_id = $1",
        org.members[0])
    result = await replay_tenant(runtime.pool, tenant.schema)
    assert not result.equal
    assert result.difference is not None
    assert result.difference.table == "rm_ratings"
    assert result.difference.row["staff_id"] == org.members[0]
    leftovers = await runtime.pool.fetchval(
        "SELECT count(*) FROM information_schema.schemata "
        "WHERE schema_name LIKE 'audit_scratch_%'")
    assert leftovers == 0


async def test_the_domain_rebuilds_every_aggregate_and_names_one_it_cannot(
    runtime: Runtime, scenario: tuple[Tenant, Org, int, datetime, list[tuple[object, ...]]],
) -> None:
    tenant, *_ = scenario
    async with runtime.pool.acquire() as conn:
        head = int(await conn.fetchval(
            f"SELECT max(notification_id) FROM {tenant.schema}.evaluations_events"))
        rebuilt = await domain_replay(conn, tenant.schema, head)
        assert rebuilt.failure is None
        assert rebuilt.events == head
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute(
                f"UPDATE {tenant.schema}.evaluations_events SET state = convert_to("
                "replace(convert_from(state, 'UTF8'), '\"level\":', '\"lvl\":'), 'UTF8') "
                "WHERE topic = 'domain.evaluation:Evaluation.RatingDecided'")
        broken = await domain_replay(conn, tenant.schema, head)
    assert broken.failure is not None
    assert "RatingDecided" in broken.failure
