"""The server's own reminder schedule (services/office/schedule.py): two processes' schedulers
running at once, round after round, send each reminder exactly once (issue 20)."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import date
from pathlib import Path

import anyio
import pytest

from domain.actor import Actor, acting_as
from services.app.commands import OpenPeriod
from services.office.mail_sink import received
from services.office.schedule import SCAN_LOCK, reminder_scan, run_reminders
from services.platform.tenants import Tenant
from services.runtime import Runtime, bootstrap, shutdown
from services.settings import Settings
from tests.support.org import Org, StaffedTenant
from tests.support.projection import projected

pytestmark = pytest.mark.integration

# A month no other test opens: the schedulers serve every tenant of the database.
TODAY, DEADLINE = date(2031, 3, 8), date(2031, 3, 10)


async def test_two_servers_schedulers_send_each_reminder_once(
    runtime: Runtime, settings: Settings, sink: tuple[Path, int], staffed_tenant: StaffedTenant,
) -> None:
    folder, port = sink
    tenant, org = await staffed_tenant(members=3)
    tag, people = await _owing(runtime, tenant, org, 2031, 2, DEADLINE)
    # Members and head owe a self-assessment; the head also owes the decisions.
    expected = len(people) + 1

    def mine() -> list[str]:
        return [m["to"] for m in received(folder) if m["to"].startswith(tag)]

    servers = [await bootstrap(dataclasses.replace(settings, smtp_port=port), projector=False)
               for _ in range(2)]
    tasks = [asyncio.create_task(run_reminders(rt, 0.05, name=f"server-{i}",
                                               today=lambda: TODAY))
             for i, rt in enumerate(servers)]
    try:
        for _ in range(200):
            if len(mine()) >= expected:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # several more rounds of both schedulers
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for rt in servers:
            await shutdown(rt)
    sent = mine()
    assert len(sent) == expected, sent
    assert sorted(set(sent)) == sorted(f"{tag}-{i}@phuong.gov.vn" for i in range(len(people)))
    claimed = await runtime.pool.fetch(
        "SELECT claimed_by, sent_at FROM platform.reminders_sent WHERE tenant = $1",
        tenant.slug)
    assert len(claimed) == expected
    assert all(r["sent_at"] is not None for r in claimed)


async def _owing(runtime: Runtime, tenant: Tenant, org: Org, year: int, month: int,
                 deadline: date) -> tuple[str, list[uuid.UUID]]:
    """A month open in ``tenant`` whose people (with addresses ``<tag>-<i>@…``) owe
    reminders by ``deadline``; the tag and the people."""
    service = runtime.service(tenant)
    with acting_as(Actor("hr", "hr_officer")):
        await anyio.to_thread.run_sync(lambda: service.open_period(
            OpenPeriod(org.unit, year, month, deadline=deadline)))
    await projected(runtime, tenant, drive=True)
    tag = uuid.uuid4().hex[:8]
    people = [org.leader, *org.members]
    for i, person in enumerate(people):
        await runtime.pool.execute("INSERT INTO platform.staff_contacts VALUES ($1, $2, $3)",
                                   tenant.slug, person, f"{tag}-{i}@phuong.gov.vn")
    return tag, people


async def test_a_replica_skips_the_scan_while_another_replica_scans(
    runtime: Runtime, settings: Settings, sink: tuple[Path, int],
    staffed_tenant: StaffedTenant,
) -> None:
    # Another month no other test opens (every tenant of the database is scanned).
    today, deadline = date(2032, 6, 8), date(2032, 6, 10)
    tenant, org = await staffed_tenant(members=2)
    tag, people = await _owing(runtime, tenant, org, 2032, 5,
                               deadline)
    folder, port = sink
    server = await bootstrap(dataclasses.replace(settings, smtp_port=port), projector=False)
    try:
        async with runtime.pool.acquire() as scanning:  # the other replica, mid-scan
            await scanning.execute("SELECT pg_advisory_lock($1)", SCAN_LOCK)
            try:
                assert await reminder_scan(server, today, "server-1") is None
            finally:
                await scanning.execute("SELECT pg_advisory_unlock($1)", SCAN_LOCK)
        assert await runtime.pool.fetchval(
            "SELECT count(*) FROM platform.reminders_sent WHERE tenant = $1", tenant.slug) == 0
        assert [m for m in received(folder) if m["to"].startswith(tag)] == []
        # The scan free again, the next round scans and sends what is owed.
        assert await reminder_scan(server, today, "server-1") == len(people) + 1
    finally:
        await shutdown(server)
    claimed = await runtime.pool.fetch(
        "SELECT claimed_by FROM platform.reminders_sent WHERE tenant = $1", tenant.slug)
    assert [r["claimed_by"] for r in claimed] == ["server-1"] * (len(people) + 1)


async def test_the_fleet_scans_once_an_interval_whichever_replica_comes(
    runtime: Runtime, settings: Settings, sink: tuple[Path, int],
) -> None:
    _, port = sink
    servers = [await bootstrap(dataclasses.replace(settings, smtp_port=port), projector=False)
               for _ in range(2)]
    today = date(2033, 1, 3)  # nothing is owed then: the scans are what is counted
    try:
        assert await reminder_scan(servers[0], today, "server-0") == 0
        # The other replica's turn comes within the hour: the fleet has scanned, it skips.
        assert await reminder_scan(servers[1], today, "server-1", every_s=3600) is None
        assert await runtime.pool.fetchval(
            "SELECT scanned_by FROM platform.reminder_scans") == "server-0"
        # An interval shorter than the time since: it scans, and the row says so.
        await asyncio.sleep(0.05)
        assert await reminder_scan(servers[1], today, "server-1", every_s=0.01) == 0
        assert await runtime.pool.fetchval(
            "SELECT scanned_by FROM platform.reminder_scans") == "server-1"
    finally:
        for rt in servers:
            await shutdown(rt)
