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
from services.office.reminders import ensure_tables
from services.office.schedule import run_reminders
from services.runtime import Runtime, bootstrap, shutdown
from services.settings import Settings
from tests.support.org import StaffedTenant
from tests.support.projection import projected

pytestmark = pytest.mark.integration

# A month no other test opens: the schedulers serve every tenant of the database.
TODAY, DEADLINE = date(2031, 3, 8), date(2031, 3, 10)


async def test_two_servers_schedulers_send_each_reminder_once(
    runtime: Runtime, settings: Settings, sink: tuple[Path, int], staffed_tenant: StaffedTenant,
) -> None:
    folder, port = sink
    tenant, org = await staffed_tenant(members=3)
    service = runtime.service(tenant)
    with acting_as(Actor("hr", "hr_officer")):
        await anyio.to_thread.run_sync(lambda: service.open_period(
            OpenPeriod(org.unit, 2031, 2, deadline=DEADLINE)))
    await projected(runtime, tenant, drive=True)
    tag = uuid.uuid4().hex[:8]
    people = [org.leader, *org.members]
    await ensure_tables(runtime.pool)
    for i, person in enumerate(people):
        await runtime.pool.execute("INSERT INTO platform.staff_contacts VALUES ($1, $2, $3)",
                                   tenant.slug, person, f"{tag}-{i}@phuong.gov.vn")
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
