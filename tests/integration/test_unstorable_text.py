"""No event's content can stop a tenant's projections.

Events holding NUL (written below the API, as a log from before the edge refused it would)
project, rebuild and replay equal, with U+FFFD where PostgreSQL could not store the
character. An event a projection cannot apply at all is never silent: the tenant's row in
``platform.log_progress`` names the projection and the exact position, /healthz shows it,
every good event before it is applied, and ``replay`` calls it a difference.
"""

from __future__ import annotations

import json
import uuid

import anyio
import httpx
import pytest

from domain.actor import Actor, acting_as
from domain.ids import PeriodId, UnitId
from domain.text import REPLACEMENT
from projections.progress import lags
from projections.rebuild import swap_rebuild
from projections.runner import catch_up, head_position, lock_key, tracked_position
from services.app.commands import AttachOpinion, DecideRating, OpenPeriod, RegisterUnit
from services.audit.replay import replay_tenant
from services.platform.tenants import Tenant
from services.projector import STALLED, Projector
from services.runtime import Runtime
from services.settings import Settings
from tests.support.cli import congtam
from tests.support.org import Org, StaffedTenant
from tests.support.projection import hold
from tests.support.readmodels import dump

pytestmark = pytest.mark.integration


async def _poisoned_month(runtime: Runtime, tenant: Tenant, org: Org) -> UnitId:
    service = runtime.service(tenant)
    odd_unit = UnitId(uuid.uuid4())

    def work() -> None:
        with acting_as(Actor("hr", "hr_officer")):
            service.register_unit(RegisterUnit(odd_unit, "Tổ\x00công tác", "office\x00",
                                               org.root))
            period_id, _ = service.open_period(OpenPeriod(org.unit, 2026, 3))
        with acting_as(Actor(str(org.members[1]), "staff")):
            service.attach_opinion(AttachOpinion(PeriodId(period_id), org.members[0],
                                                 "colleague", str(org.members[1]), "tốt\x00"))
        with acting_as(Actor(str(org.leader), "unit_leader")):
            service.decide_rating(DecideRating(PeriodId(period_id), org.members[0],
                                               _level("C"), 60, "lý do\x00", str(org.leader)))
    await anyio.to_thread.run_sync(work)
    return odd_unit


def _level(name: str):  # type: ignore[no-untyped-def]
    from domain.levels import Level
    return Level[name]


async def test_a_log_holding_nul_projects_rebuilds_and_replays_equal(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=2)
    odd_unit = await _poisoned_month(runtime, tenant, org)
    async with runtime.pool.acquire() as conn:
        # Hold the tenant's lock: no other projector of this session applies it meanwhile.
        await hold(conn, tenant)
        await catch_up(conn, tenant.schema)
        assert await tracked_position(conn, tenant.schema) == await head_position(
            conn, tenant.schema)
        name = await conn.fetchval(f"SELECT name FROM {tenant.schema}.rm_units WHERE unit_id = $1",
                                   odd_unit)
        assert name == f"Tổ{REPLACEMENT}công tác"
        live = await dump(conn, tenant.schema)
        await swap_rebuild(conn, tenant.schema)
        assert await dump(conn, tenant.schema) == live
        await conn.execute("SELECT pg_advisory_unlock($1)", lock_key(tenant.schema))
    replayed = await replay_tenant(runtime.pool, tenant.schema)
    assert replayed.equal, replayed


async def _broken_event(runtime: Runtime, tenant: Tenant) -> int:
    """An event a projection cannot apply: a unit registered with no name at all."""
    async with runtime.pool.acquire() as conn:
        return int(await conn.fetchval(
            f"INSERT INTO {tenant.schema}.evaluations_events "
            "(originator_id, originator_version, topic, state) "
            "VALUES ($1, 1, 'domain.organisation:Unit.Registered', $2) "
            "RETURNING notification_id",
            uuid.uuid4(), json.dumps({"timestamp": {"_type_": "datetime_iso",
                                                    "_data_": "2026-03-01T00:00:00+00:00"}}
                                     ).encode()))


async def test_an_event_no_projection_can_apply_is_named_everywhere_and_never_silent(
    runtime: Runtime, server: str, http: httpx.AsyncClient, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=2)
    async with runtime.pool.acquire() as conn:
        await catch_up(conn, tenant.schema)
    bad = await _broken_event(runtime, tenant)
    # Good events after the bad one, too.
    service = runtime.service(tenant)
    with acting_as(Actor("hr", "hr_officer")):
        await anyio.to_thread.run_sync(
            lambda: service.open_period(OpenPeriod(org.unit, 2026, 4)))

    projector = Projector(runtime.directory, runtime.registry)
    for _ in range(5):  # the first try names the batch, the next ones narrow it to the event
        await projector.project_safely(tenant.slug)
    assert STALLED.labels(tenant=tenant.slug, projection="organisation")._value.get() == 1
    async with runtime.pool.acquire() as conn:
        # Every good event before the bad one is applied; nothing after it.
        assert await tracked_position(conn, tenant.schema) == bad - 1
        found = {lag.slug: lag for lag in await lags(conn)}[tenant.slug]
    stall = json.loads(found.stalled or "null")
    assert (stall["projection"], stall["first"], stall["last"]) == ("organisation", bad, bad)
    assert "name" in stall["error"]

    health = (await http.get("/healthz")).json()
    assert health["projectionStalled"][tenant.slug]["first"] == bad

    replayed = await replay_tenant(runtime.pool, tenant.schema)
    assert not replayed.equal
    assert replayed.difference is not None
    assert replayed.difference.row["live_position"] == bad - 1


async def test_a_cli_option_with_a_control_character_is_refused_before_anything_runs(
    settings: Settings,
) -> None:
    done = await congtam(settings, "verify", "--tenant", "hn\x01x")
    assert done.returncode == 2, done.stderr
    assert "INVALID_TEXT" in done.stderr
