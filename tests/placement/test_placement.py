"""Tenants placed on a second PostgreSQL server: routing, projection, moves, fences, lag.

Two embedded servers run in this session (tests/placement/conftest.py). A tenant is
registered in the home database and moved to ``db2`` with the real move; the app is then
called over real HTTP and the rows are looked for in each server directly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

from domain.actor import Actor, acting_as
from domain.errors import StaleVersionError, ValidationFailedError
from domain.ids import StaffId
from projections.runner import catch_up, lock_key
from services.app.commands import RegisterStaff
from services.audit.history import Subject, history
from services.platform.erasure import erase_personal_data
from services.platform.onboarding import register_tenant
from services.platform.tenant_move import MoveRefusedError, _fence, move_tenant
from services.platform.tenants import Tenant, TenantRegistry
from services.runtime import Runtime, bootstrap, shutdown
from services.settings import Settings, parse_databases
from services.store.dbroles import away_schemas_needing_roles, reader_role, reading_as
from services.store.integrity import verify
from services.store.placement import TenantMovingError, UnknownDatabaseError
from storage.sealing import ERASED
from tests.placement.conftest import serving
from tests.support.gql import data, error_code, gql, token_for
from tests.support.operations import operation
from tests.support.org import Org, build_org
from tests.support.projection import granted

pytestmark = pytest.mark.integration

ADMIN = Actor("platform-operator", "platform_admin")
OPEN, BOARD = operation("OpenPeriod"), operation("UnitMonthBoard")
DECIDE, TREND = operation("DecideRating"), operation("Trend")
CHILDREN = operation("ChildTenantTrend")
STAFF_REGISTERED = "domain.organisation:StaffMember.Registered"


async def _tenant_with_org(rt: Runtime, members: int = 4) -> tuple[Tenant, Org]:
    slug = f"pl-{uuid.uuid4().hex[:10]}"
    tenant = await rt.registry.register(slug, f"Phường thử {slug}", "ward")
    service = rt.service(tenant)
    org = await anyio.to_thread.run_sync(lambda: build_org(service, members))
    return tenant, org


async def _count(rt: Runtime, db: str, schema: str, where: str = "true", *args: Any) -> int:
    pool = rt.directory.databases[db].pool
    return int(await pool.fetchval(
        f"SELECT count(*) FROM {schema}.evaluations_events WHERE {where}", *args))


def test_databases_setting_names_each_database_once() -> None:
    assert parse_databases("") == ()
    assert parse_databases("db2=postgresql://a@h/x, db3=postgresql://b@h/y") == (
        ("db2", "postgresql://a@h/x"), ("db3", "postgresql://b@h/y"))
    for bad in ("home=postgresql://h/x", "db2", "DB2=postgresql://h/x",
                "db2=postgresql://h/x,db2=postgresql://h/y"):
        with pytest.raises(ValueError, match="CONGTAM_DATABASES"):
            parse_databases(bad)


async def _first_write_after_move(http: httpx.AsyncClient, token: str, query: str,
                                  variables: dict[str, Any], within_s: float = 10.0
                                  ) -> dict[str, Any]:
    """The served process learns of a move from the placement notification, a moment after
    the move returns; until its directory reloads, a write reaches the fenced source and is
    refused TENANT_MOVING with nothing written. Sent again as a client does, within a bound:
    any other answer, or still refused after ``within_s``, is the test's to judge."""
    deadline = time.monotonic() + within_s
    while True:
        body = await gql(http, token, query, variables)
        moving = bool(body.get("errors")) and error_code(body) == "TENANT_MOVING"
        if not moving or time.monotonic() > deadline:
            return data(body)
        await asyncio.sleep(0.05)


async def test_move_then_api_reads_writes_and_projects_on_the_second_database(
    placed: Runtime, placed_http: httpx.AsyncClient, placed_settings: Settings,
) -> None:
    tenant, org = await _tenant_with_org(placed)
    home_events = await _count(placed, "home", tenant.schema)
    report = await move_tenant(placed, ADMIN, tenant.slug, "db2")
    assert report.before == report.after
    assert report.after.events == home_events
    assert placed.directory.name_of(tenant.slug) == "db2"
    recorded = await placed.pool.fetchrow(
        "SELECT database, moving_to FROM platform.placements WHERE tenant = $1", tenant.slug)
    assert dict(recorded) == {"database": "db2", "moving_to": None}
    # The read models were built on the target before the switch.
    assert await placed.directory.databases["db2"].pool.fetchval(
        f"SELECT count(*) FROM {tenant.schema}.rm_staff") == 4 + 2

    hr = token_for(placed_settings, tenant.slug, org.hr, "hr_officer")
    opened = (await _first_write_after_move(
        placed_http, hr, OPEN, {"unit": str(org.unit), "year": 2026, "month": 5}))["openPeriod"]
    # The write is in db2's log, after the copied positions; the fenced home copy is as left.
    assert opened["position"] > report.after.last_position
    assert await _count(placed, "db2", tenant.schema) == (
        home_events + opened["position"] - report.after.last_position)
    assert await _count(placed, "home", tenant.schema) == home_events
    # Read over HTTP at least as fresh as the write: the app's projector projected db2.
    board = data(await gql(placed_http, hr, BOARD, {
        "unit": str(org.unit), "year": 2026, "month": 5, "at": opened["position"]}))
    assert board
    tracked = await placed.directory.databases["db2"].pool.fetchval(
        f"SELECT min(position) FROM {tenant.schema}.projection_tracking")
    assert tracked >= opened["position"]
    health = (await placed_http.get("/healthz")).json()
    assert health["projectionLag"].get(tenant.slug) is None


async def test_a_fenced_tenant_refuses_writes_with_a_typed_error_and_writes_nothing(
    placed: Runtime, placed_http: httpx.AsyncClient, placed_settings: Settings,
) -> None:
    tenant, org = await _tenant_with_org(placed)
    home = placed.directory.home
    before = await _count(placed, "home", tenant.schema)
    hr = token_for(placed_settings, tenant.slug, org.hr, "hr_officer")
    variables = {"unit": str(org.unit), "year": 2026, "month": 6}
    await _fence(home, tenant.schema, True)
    try:
        body = await gql(placed_http, hr, OPEN, variables)
        error = body["errors"][0]
        assert error["extensions"]["code"] == "TENANT_MOVING"
        assert "chuyển dữ liệu" in error["extensions"]["messageVi"]
        assert "try again" in error["extensions"]["messageEn"]
        assert await _count(placed, "home", tenant.schema) == before
    finally:
        await _fence(home, tenant.schema, False)
    opened = data(await gql(placed_http, hr, OPEN, variables))["openPeriod"]  # retry accepted
    assert await _count(placed, "home", tenant.schema) > before
    assert opened["position"] == await placed.pool.fetchval(
        f"SELECT max(notification_id) FROM {tenant.schema}.evaluations_events")


async def test_move_under_a_burst_of_writes_loses_and_duplicates_no_event(
    placed: Runtime,
) -> None:
    tenant, org = await _tenant_with_org(placed, members=2)
    acknowledged: list[uuid.UUID] = []
    refused: list[uuid.UUID] = []
    moved = threading.Event()
    lock = threading.Lock()

    def writer(n: int) -> None:
        i = 0
        while not moved.is_set() or i < 5:
            staff = uuid.uuid4()
            try:
                with acting_as(Actor("test-hr", "hr_officer")):
                    placed.service(tenant).register_staff(RegisterStaff(
                        StaffId(staff), f"Người {n}-{i}", "civil_servant", "Chuyên viên",
                        org.unit))
            except TenantMovingError:
                with lock:
                    refused.append(staff)
            except StaleVersionError:  # another writer took the unit's turn: not written
                pass
            else:
                with lock:
                    acknowledged.append(staff)
            i += 1

    async def writers() -> None:
        async with anyio.create_task_group() as tg:
            for n in range(3):
                tg.start_soon(anyio.to_thread.run_sync, writer, n)

    async def mover() -> Any:
        await asyncio.sleep(0.3)  # writes are flowing
        try:
            return await move_tenant(placed, ADMIN, tenant.slug, "db2")
        finally:
            moved.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(writers)
        result: list[Any] = []

        async def run_mover() -> None:
            result.append(await mover())
        tg.start_soon(run_mover)
    report = result[0]
    assert refused, "no write met the fence"
    # The refused writes are retried after the move and land in the target.
    retried = []
    for staff in refused:
        with acting_as(Actor("test-hr", "hr_officer")):
            await anyio.to_thread.run_sync(lambda s=staff: placed.service(tenant).register_staff(
                RegisterStaff(StaffId(s), "Người thử lại", "civil_servant", "Chuyên viên",
                              org.unit)))
        retried.append(staff)
    db2 = placed.directory.databases["db2"].pool
    rows = await db2.fetch(
        f"SELECT originator_id, count(*) AS n FROM {tenant.schema}.evaluations_events "
        "WHERE topic = $1 GROUP BY originator_id", STAFF_REGISTERED)
    per_staff = {r["originator_id"]: r["n"] for r in rows}
    for staff in acknowledged + retried:
        assert per_staff.get(staff) == 1, staff  # not lost, not duplicated
    assert len(per_staff) == len(set(acknowledged + retried)) + 2 + 2  # + org's people
    # Every acknowledged event before the fence was copied: the home copy holds no event
    # the target lacks, and the copy checked equal on both sides.
    home_ids = {r["originator_id"] for r in await placed.pool.fetch(
        f"SELECT originator_id FROM {tenant.schema}.evaluations_events WHERE topic = $1",
        STAFF_REGISTERED)}
    assert home_ids <= set(per_staff)
    assert report.before == report.after
    assert report.after.events == await _count(placed, "home", tenant.schema)
    assert (await verify(db2, tenant.schema)).ok


async def test_a_tampered_source_is_not_moved_and_stays_served_unfenced(
    placed: Runtime,
) -> None:
    tenant, org = await _tenant_with_org(placed)
    async with placed.pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")  # triggers off
        await conn.execute(
            f"UPDATE {tenant.schema}.evaluations_events SET state = "
            "state || ' '::bytea WHERE notification_id = "
            f"(SELECT min(notification_id) + 3 FROM {tenant.schema}.evaluations_events)")
    with pytest.raises(MoveRefusedError, match="broken at position"):
        await move_tenant(placed, ADMIN, tenant.slug, "db2")
    assert placed.directory.name_of(tenant.slug) == "home"
    assert not await placed.directory.databases["db2"].pool.fetchval(
        "SELECT 1 FROM pg_namespace WHERE nspname = $1", tenant.schema)
    assert not await placed.pool.fetchval(
        "SELECT fenced FROM platform.log_progress WHERE schema_name = $1", tenant.schema)
    aborted = await placed.pool.fetchval(
        "SELECT count(*) FROM platform.platform_events WHERE topic LIKE '%MoveAborted'")
    assert aborted >= 1
    with acting_as(Actor("test-hr", "hr_officer")):  # still served, unfenced, at home
        await anyio.to_thread.run_sync(lambda: placed.service(tenant).register_staff(
            RegisterStaff(StaffId(uuid.uuid4()), "Người mới", "civil_servant", "Chuyên viên",
                          org.unit)))


async def test_erasure_after_a_move_uses_the_home_keys_and_rebuilds_on_the_target(
    placed: Runtime,
) -> None:
    tenant, org = await _tenant_with_org(placed)
    await move_tenant(placed, ADMIN, tenant.slug, "db2")
    db2 = placed.directory.databases["db2"].pool
    name_of: Callable[[], Any] = lambda: db2.fetchval(  # noqa: E731
        f"SELECT full_name FROM {tenant.schema}.rm_staff WHERE staff_id = $1", org.members[0])
    assert await name_of() == "Lê Văn Thành Viên 00"
    async with db2.acquire() as conn:  # the auditor's history opens it with the home keys
        entries = await history(conn, tenant.schema, Subject.PERSON, str(org.members[0]),
                                keys_from=placed.keys_for(tenant))
    assert entries[0].data["full_name"] == "Lê Văn Thành Viên 00"
    done = await erase_personal_data(placed, ADMIN, tenant, org.members[0], "Đơn đề nghị số 1")
    assert done.tenants == (tenant.slug,)
    assert await name_of() == ERASED
    key = await placed.pool.fetchrow(  # the key is gone from the home database
        "SELECT key, erased_at FROM platform.personal_keys WHERE subject_id = $1",
        org.members[0])
    assert key is not None
    assert key["key"] is None
    assert key["erased_at"] is not None


async def test_move_back_home_replaces_the_copy_left_there(placed: Runtime) -> None:
    tenant, org = await _tenant_with_org(placed)
    await move_tenant(placed, ADMIN, tenant.slug, "db2")
    with acting_as(Actor("test-hr", "hr_officer")):
        await anyio.to_thread.run_sync(lambda: placed.service(tenant).register_staff(
            RegisterStaff(StaffId(uuid.uuid4()), "Người ở db2", "civil_servant", "Chuyên viên",
                          org.unit)))
    back = await move_tenant(placed, ADMIN, tenant.slug, "home")
    assert back.before == back.after
    assert placed.directory.name_of(tenant.slug) == "home"
    assert await _count(placed, "home", tenant.schema) == back.after.events
    assert (await verify(placed.pool, tenant.schema)).ok


async def test_api_without_a_projector_exports_every_tenants_lag_at_scrape_time(
    placed: Runtime, placed_settings: Settings,
) -> None:
    tenant, org = await _tenant_with_org(placed)
    await move_tenant(placed, ADMIN, tenant.slug, "db2")
    db2 = placed.directory.databases["db2"].pool
    async with db2.acquire() as conn:
        # Hold every projector off the tenant while its log grows by one.
        await conn.execute("SELECT pg_advisory_lock($1)", lock_key(tenant.schema))
        with acting_as(Actor("test-hr", "hr_officer")):
            await anyio.to_thread.run_sync(lambda: placed.service(tenant).register_staff(
                RegisterStaff(StaffId(uuid.uuid4()), "Người mới", "civil_servant",
                              "Chuyên viên", org.unit)))
        settings = dataclasses.replace(placed_settings, projector_in_process=False)
        async with serving(settings) as client:
            text = (await client.get("/metrics")).text
        behind = await conn.fetchval(
            f"SELECT max(notification_id) - (SELECT min(position) FROM "
            f"{tenant.schema}.projection_tracking) FROM {tenant.schema}.evaluations_events")
        await conn.execute("SELECT pg_advisory_unlock($1)", lock_key(tenant.schema))
        assert behind > 0
        assert f'congtam_projection_lag_events{{tenant="{tenant.slug}"}} {behind}.0' in text
        await catch_up(conn, tenant.schema, keys=placed.pool)


async def test_a_parent_sees_its_children_wherever_each_is_placed(
    placed: Runtime, placed_http: httpx.AsyncClient, placed_settings: Settings,
) -> None:
    """The parent's children view reads each child in the database it is placed in, and
    pages across both as one list."""
    suffix = uuid.uuid4().hex[:8]
    district = await placed.registry.register(f"pl-d-{suffix}", "Quận thử", "district")
    wards: list[tuple[Tenant, Org]] = []
    for letter in ("a", "b"):
        slug = f"pl-d-{suffix}-{letter}"
        ward = await placed.registry.register(slug, f"Phường {slug}", "ward", district.slug)
        service = placed.service(ward)
        wards.append((ward, await anyio.to_thread.run_sync(lambda s=service: build_org(s, 2))))
    await move_tenant(placed, ADMIN, wards[1][0].slug, "db2")
    for (ward, org), levels in zip(wards, (["B"], ["B", "C"]), strict=True):
        hr = token_for(placed_settings, ward.slug, org.hr, "hr_officer")
        leader = token_for(placed_settings, ward.slug, org.leader, "unit_leader")
        period = (await _first_write_after_move(placed_http, hr, OPEN, {
            "unit": str(org.unit), "year": 2026, "month": 5}))["openPeriod"]["id"]
        for staff, level in zip(org.members, levels, strict=False):
            position = data(await gql(placed_http, leader, DECIDE, {
                "period": period, "staff": str(staff), "level": level,
                "score": {"A": 95, "B": 85, "C": 60}[level]}))["decideRating"]["position"]
        data(await gql(placed_http, hr, TREND, {"at": position}))  # projected where it is
    inspector = f"insp-{suffix}"
    await placed.platform.grant(ADMIN, inspector, district.slug, "auditor",
                                include_children=True)
    await granted(placed, inspector)
    token = token_for(placed_settings, district.slug, inspector, "auditor")
    seen: list[tuple[str, int]] = []
    after: str | None = None
    for _ in range(3):  # a page of one: each page may come from either database
        page = data(await gql(placed_http, token, CHILDREN, {"first": 1, "after": after}))
        for edge in page["childTenantTrend"]["edges"]:
            seen.append((edge["node"]["tenant"], edge["node"]["point"]["decided"]))
        if not page["childTenantTrend"]["pageInfo"]["hasNextPage"]:
            break
        after = page["childTenantTrend"]["pageInfo"]["endCursor"]
    assert seen == [(wards[0][0].slug, 1), (wards[1][0].slug, 2)]


async def _schema_in(rt: Runtime, db: str, schema: str) -> bool:
    return bool(await rt.directory.databases[db].pool.fetchval(
        "SELECT 1 FROM pg_namespace WHERE nspname = $1", schema))


async def test_a_tenant_registered_straight_into_the_second_database_lives_there_only(
    placed: Runtime, placed_http: httpx.AsyncClient, placed_settings: Settings,
) -> None:
    slug = f"pl-new-{uuid.uuid4().hex[:8]}"
    tenant = await register_tenant(placed, ADMIN, slug, "Phường mới", "ward", None, "db2")
    assert placed.directory.name_of(slug) == "db2"
    assert await _schema_in(placed, "db2", tenant.schema)
    assert not await _schema_in(placed, "home", tenant.schema)  # nothing to fence or leave
    placement = await placed.pool.fetchrow(
        "SELECT database, moving_to FROM platform.placements WHERE tenant = $1", slug)
    assert dict(placement) == {"database": "db2", "moving_to": None}
    # Written and read like any tenant: the log and read models are in db2.
    service = placed.service(tenant)
    org = await anyio.to_thread.run_sync(lambda: build_org(service, 2))
    assert await _count(placed, "db2", tenant.schema) > 0
    hr = token_for(placed_settings, slug, org.hr, "hr_officer")
    opened = data(await gql(placed_http, hr, OPEN, {
        "unit": str(org.unit), "year": 2026, "month": 6}))["openPeriod"]
    board = data(await gql(placed_http, hr, BOARD, {
        "unit": str(org.unit), "year": 2026, "month": 6, "at": opened["position"]}))
    assert board
    assert (await verify(placed.directory.databases["db2"].pool, tenant.schema)).ok
    # The same command again renames it; another database is refused: that is a move.
    again = await register_tenant(placed, ADMIN, slug, "Phường Mới Đổi Tên", "ward", None,
                                  "db2")
    assert again.name == "Phường Mới Đổi Tên"
    with pytest.raises(ValidationFailedError, match="congtam tenant move"):
        await register_tenant(placed, ADMIN, slug, "Phường mới", "ward", None, "home")


@pytest.mark.parametrize(("kind", "database", "error"), [
    ("hamlet", "db2", ValidationFailedError),
    ("ward", "db9", UnknownDatabaseError),
])
async def test_a_refused_registration_creates_nothing_anywhere(
    placed: Runtime, kind: str, database: str, error: type[Exception],
) -> None:
    slug = f"pl-bad-{uuid.uuid4().hex[:8]}"
    with pytest.raises(error):
        await register_tenant(placed, ADMIN, slug, "Xã thử", kind, None, database)
    schema = f"t_{slug.replace('-', '_')}"
    assert not await _schema_in(placed, "home", schema)
    assert not await _schema_in(placed, "db2", schema)
    assert await placed.pool.fetchval(
        "SELECT count(*) FROM platform.tenants WHERE slug = $1", slug) == 0
    assert await placed.pool.fetchval(
        "SELECT count(*) FROM platform.placements WHERE tenant = $1", slug) == 0


async def test_a_start_reinstalls_privileges_of_tenants_away_from_home(
    placed: Runtime,
) -> None:
    """A database away from home has no registry: its tenants' privileges follow their
    logs there, so an upgrade that changes them reaches those tenants too."""
    tenant = await register_tenant(placed, ADMIN, f"pl-r-{uuid.uuid4().hex[:8]}", "Xã thử",
                                   "commune", None, "db2")
    db2 = placed.directory.databases["db2"].pool
    reader = reader_role(tenant.schema)
    await db2.execute(f"REVOKE SELECT ON {tenant.schema}.rm_units FROM {reader}")
    await db2.execute("UPDATE platform.schema_roles SET fingerprint = 'older code' "
                      "WHERE schema_name = $1", tenant.schema)
    await TenantRegistry(db2, placed.apps).migrate(home=False)
    async with db2.acquire() as conn, reading_as(conn, tenant.schema):
        assert await conn.fetchval(f"SELECT count(*) FROM {tenant.schema}.rm_units") == 0
    # Installed once: the next start finds nothing to do for it.
    async with db2.acquire() as conn:
        assert tenant.schema not in await away_schemas_needing_roles(conn)


async def test_the_home_database_starts_with_tenants_registered_elsewhere(
    placed: Runtime, placed_settings: Settings,
) -> None:
    """The registry row is at home and the schema is not: a start must not trip on it."""
    await register_tenant(placed, ADMIN, f"pl-s-{uuid.uuid4().hex[:8]}", "Xã thử", "commune",
                          None, "db2")
    started = await bootstrap(placed_settings, projector=False)
    await shutdown(started)
