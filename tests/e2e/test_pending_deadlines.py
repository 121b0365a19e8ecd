""""What I must do now" names the deadlines a person owes (self-assessment, a board's
decisions) with the days left and whether the e-mail reminder went out (issue 20)."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from domain.actor import Actor, acting_as
from services.app.appeals import hanoi_today
from services.app.commands import OpenPeriod
from services.office.mail_sink import received, start_sink
from services.office.reminders import send_due
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.support.gql import data, gql, token_for
from tests.support.operations import operation
from tests.support.org import Org
from tests.support.projection import projected

pytestmark = pytest.mark.e2e

PENDING, SELF = operation("MyPendingWork"), operation("SubmitSelfAssessment")


async def _deadlines(http: httpx.AsyncClient, token: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = data(await gql(http, token, PENDING, {}))["myDeadlines"]
    return found


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_my_deadlines_lists_what_i_owe_until_i_do_it(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, tmp_path: Path,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    tenant = await new_tenant()
    org = await org_in(tenant, members=2)
    today = hanoi_today()
    service = runtime.service(tenant)
    with acting_as(Actor("hr", "hr_officer")):
        period, _ = await anyio.to_thread.run_sync(lambda: service.open_period(
            OpenPeriod(org.unit, today.year, today.month, deadline=today + timedelta(days=2))))
    await projected(runtime, tenant, drive=True)
    member = token_for(settings, tenant.slug, org.members[0], "staff")
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader", "staff")

    mine = await _deadlines(http, member)
    assert [(d["kind"], d["daysLeft"], d["overdue"], d["remindedAt"]) for d in mine] == \
        [("self_assessment", 2, False, None)]
    assert f"tháng {today.month}/{today.year}" in mine[0]["whatVi"]
    assert sorted(d["kind"] for d in await _deadlines(http, leader)) == \
        ["decision", "self_assessment"]

    # A tenant reminding one day before does not list a deadline two days away yet.
    await runtime.pool.execute("INSERT INTO platform.reminder_settings VALUES ($1, 1)",
                               tenant.slug)
    assert await _deadlines(http, member) == []
    await runtime.pool.execute("DELETE FROM platform.reminder_settings WHERE tenant = $1",
                               tenant.slug)

    # The reminder goes out by e-mail; the list says so.
    folder, port = tmp_path / "mail", _port()
    sink = start_sink(folder, "127.0.0.1", port)
    try:
        await runtime.pool.execute("INSERT INTO platform.staff_contacts VALUES ($1, $2, $3)",
                                   tenant.slug, org.members[0], "thanhvien@phuong.gov.vn")
        await send_due(runtime.pool, runtime.pool_of(tenant),
                       dataclasses.replace(settings, smtp_port=port), tenant, today, "t")
    finally:
        sink.stop()
    assert [m["to"] for m in received(folder)] == ["thanhvien@phuong.gov.vn"]
    assert (await _deadlines(http, member))[0]["remindedAt"] is not None

    # Done: no longer owed.
    data(await gql(http, member, SELF, {"period": str(period), "score": 80}))
    await projected(runtime, tenant, drive=True)
    assert await _deadlines(http, member) == []
    assert "decision" in [d["kind"] for d in await _deadlines(http, leader)]  # still owed
