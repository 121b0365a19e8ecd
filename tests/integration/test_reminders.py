"""Reminders before a deadline: sent once per person and step over real SMTP, even by two
schedulers at once, and recorded (issue 20)."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import anyio
import pytest

from domain.actor import Actor, acting_as
from domain.levels import Level
from services.app.appeals import hanoi_today
from services.app.commands import AdoptPolicy, OpenPeriod
from services.office.mail_sink import received
from services.office.reminders import send_due
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.integration.test_appeals import _file, _rated
from tests.support.cli import congtam
from tests.support.org import Org, StaffedTenant
from tests.support.projection import projected

pytestmark = pytest.mark.integration


async def _month_open(runtime: Runtime, staffed_tenant: StaffedTenant, members: int,
                      month: tuple[int, int] = (2026, 5), deadline: date = date(2026, 6, 5)
                      ) -> tuple[Tenant, Org]:
    """A fresh tenant whose ``month`` (May 2026 unless told) is open with ``deadline`` and
    projected."""
    tenant, org = await staffed_tenant(members=members)
    service = runtime.service(tenant)
    with acting_as(Actor("hr", "hr_officer")):
        await anyio.to_thread.run_sync(lambda: service.open_period(
            OpenPeriod(org.unit, *month, deadline=deadline)))
    await projected(runtime, tenant, drive=True)
    return tenant, org


async def test_two_schedulers_send_each_reminder_once_and_record_it(
    runtime: Runtime, settings: Settings, sink: tuple[Path, int], staffed_tenant: StaffedTenant,
) -> None:
    folder, port = sink
    tenant, org = await _month_open(runtime, staffed_tenant, 3)
    people = [org.leader, *org.members]
    for i, person in enumerate(people):
        await runtime.pool.execute(
            "INSERT INTO platform.staff_contacts (tenant, staff_id, email) VALUES ($1, $2, $3)",
            tenant.slug, person, f"nguoi{i}@phuong.gov.vn")
    mailing = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=port)
    today = date(2026, 6, 3)  # two days before the deadline

    first, second = await asyncio.gather(
        send_due(runtime.pool, runtime.pool_of(tenant), mailing, tenant, today, "replica-a"),
        send_due(runtime.pool, runtime.pool_of(tenant), mailing, tenant, today, "replica-b"))
    again = await send_due(runtime.pool, runtime.pool_of(tenant), mailing, tenant, today, "c")

    mails = received(folder)
    to = sorted(m["to"] for m in mails)
    # Every member and the head owe a self-assessment; the head also owes the decisions.
    expected = sorted([f"nguoi{i}@phuong.gov.vn" for i in range(len(people))]
                      + ["nguoi0@phuong.gov.vn"])
    assert to == expected
    assert len(first) + len(second) == len(expected)
    assert again == []
    assert all("05/06/2026" in m["subject"] for m in mails)
    rows = await runtime.pool.fetch(
        "SELECT person, step, sent_at, failure FROM platform.reminders_sent WHERE tenant = $1",
        tenant.slug)
    assert len(rows) == len(expected)
    assert all(r["sent_at"] is not None and r["failure"] is None for r in rows)


async def test_a_deadline_beyond_the_tenants_days_before_sends_nothing_yet(
    runtime: Runtime, settings: Settings, sink: tuple[Path, int], staffed_tenant: StaffedTenant,
) -> None:
    folder, port = sink
    tenant, _ = await _month_open(runtime, staffed_tenant, 1)
    await runtime.pool.execute(
        "INSERT INTO platform.reminder_settings (tenant, days_before) VALUES ($1, 1)",
        tenant.slug)
    mailing = dataclasses.replace(settings, smtp_port=port)
    early = await send_due(runtime.pool, runtime.pool_of(tenant), mailing, tenant,
                           date(2026, 6, 3), "a")
    assert early == []
    due = await send_due(runtime.pool, runtime.pool_of(tenant), mailing, tenant,
                         date(2026, 6, 4), "a")
    # No address on record: claimed and recorded as not sent; nothing goes out.
    assert due
    assert all(s.failure == "no e-mail address" for s in due)
    assert received(folder) == []


async def test_a_reminder_owed_to_someone_without_an_address_goes_once_they_have_one(
    runtime: Runtime, settings: Settings, sink: tuple[Path, int], staffed_tenant: StaffedTenant,
) -> None:
    folder, port = sink
    tenant, org = await _month_open(runtime, staffed_tenant, 1)
    mailing = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=port)
    today = date(2026, 6, 3)

    def round_(name: str) -> Any:
        return send_due(runtime.pool, runtime.pool_of(tenant), mailing, tenant, today, name)

    unsent = await round_("a")
    assert unsent
    assert {s.failure for s in unsent} == {"no e-mail address"}
    assert await round_("a") == []  # recorded: not claimed again while there is no address
    member = org.members[0]
    await runtime.pool.execute(
        "INSERT INTO platform.staff_contacts (tenant, staff_id, email) VALUES ($1, $2, $3)",
        tenant.slug, member, "thanh.vien@phuong.gov.vn")
    # Two replicas at once: the member's reminder is taken up again by one of them, sent once.
    first, second = await asyncio.gather(round_("replica-a"), round_("replica-b"))
    sent = [s for s in (*first, *second)]
    assert [(s.person, s.failure) for s in sent] == [(str(member), None)]
    assert [m["to"] for m in received(folder)] == ["thanh.vien@phuong.gov.vn"]
    assert await round_("c") == []  # sent: never again
    row = await runtime.pool.fetchrow(
        "SELECT sent_at, failure, email FROM platform.reminders_sent WHERE tenant = $1 "
        "AND person = $2", tenant.slug, str(member))
    assert row["sent_at"] is not None
    assert row["failure"] is None
    assert row["email"] == "thanh.vien@phuong.gov.vn"


async def test_a_quarters_and_a_years_reminders_name_the_quarter_and_the_year(
    runtime: Runtime, settings: Settings, sink: tuple[Path, int], staffed_tenant: StaffedTenant,
) -> None:
    folder, port = sink
    tenant, org = await staffed_tenant(members=1)
    service = runtime.service(tenant)

    def open_quarter_and_year() -> None:
        with acting_as(Actor("hr", "hr_officer")):
            service.adopt_policy(AdoptPolicy("quarterly", "vn-quarterly-2026", "NĐ 335/2025"))
            service.open_period(OpenPeriod(org.unit, 2026, 2, deadline=date(2026, 7, 5),
                                           kind="quarterly"))
            service.open_period(OpenPeriod(org.unit, 2026, 1, deadline=date(2026, 7, 6),
                                           kind="annual"))

    await anyio.to_thread.run_sync(open_quarter_and_year)
    await projected(runtime, tenant, drive=True)
    await runtime.pool.execute(
        "INSERT INTO platform.staff_contacts (tenant, staff_id, email) VALUES ($1, $2, $3)",
        tenant.slug, org.members[0], "nguoi@phuong.gov.vn")
    mailing = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=port)
    await send_due(runtime.pool, runtime.pool_of(tenant), mailing, tenant, date(2026, 7, 3), "a")

    subjects = sorted(m["subject"] for m in received(folder))
    assert len(subjects) == 2, subjects
    assert "tự đánh giá, xếp loại năm 2026 — hạn 06/07/2026" in subjects[0]
    assert "tự đánh giá, xếp loại quý 2/2026 — hạn 05/07/2026" in subjects[1]
    assert not any("tháng" in s for s in subjects), subjects


async def test_the_reviewer_of_an_open_appeal_is_reminded_before_its_instance_is_due(
    runtime: Runtime, settings: Settings, sink: tuple[Path, int], staffed_tenant: StaffedTenant,
) -> None:
    folder, port = sink
    tenant, org, service, period = await _rated(runtime, staffed_tenant, {0: (Level.B, 80)})
    appeal = await anyio.to_thread.run_sync(lambda: _file(service, period, org.members[0]))
    await projected(runtime, tenant, drive=True)
    await runtime.pool.execute(
        "INSERT INTO platform.staff_contacts (tenant, staff_id, email) VALUES ($1, $2, $3)",
        tenant.slug, org.leader, "truong@phuong.gov.vn")
    await runtime.pool.execute(  # the first instance is due in 15 days: within a month
        "INSERT INTO platform.reminder_settings (tenant, days_before) VALUES ($1, 30)",
        tenant.slug)
    mailing = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=port)

    sent = await send_due(runtime.pool, runtime.pool_of(tenant), mailing, tenant,
                          hanoi_today(), "a")

    assert [(s.person, s.step.rsplit(":", 1)[0]) for s in sent] == [
        (str(org.leader), f"appeal:{appeal}:1")]
    [mail] = received(folder)
    assert mail["to"] == "truong@phuong.gov.vn"
    assert "giải quyết khiếu nại (lần 1)" in mail["subject"]


async def test_reminders_send_answers_on_stdout_and_logs_on_stderr(
    runtime: Runtime, settings: Settings, staffed_tenant: StaffedTenant,
) -> None:
    today = date.today()  # the command's own clock: this month is due tomorrow
    tenant, _ = await _month_open(runtime, staffed_tenant, 1, (today.year, today.month),
                                  today + timedelta(days=1))
    done = await congtam(settings, "reminders", "send", "--tenant", tenant.slug)
    assert done.returncode == 0, done.stderr
    *sent, total = done.stdout.splitlines()
    assert sent, done.stdout  # the leader's and the member's self-assessments
    assert total.endswith(" reminder(s)")
    assert total == f"{len(sent)} reminder(s)"
    assert all(line.startswith(f"{tenant.slug} ") for line in sent)
    assert "reminder(s)" not in done.stderr


async def test_reminder_settings_and_addresses_answer_on_stdout(
    runtime: Runtime, settings: Settings, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=1)
    widened = await congtam(settings, "reminders", "settings", "--tenant", tenant.slug,
                            "--days-before", "7")
    assert widened.returncode == 0, widened.stderr
    assert widened.stdout.strip() == f"{tenant.slug}: 7 day(s) before"
    given = await congtam(settings, "contact", "--tenant", tenant.slug, "--staff",
                          str(org.members[0]), "--email", "thanh.vien@phuong.gov.vn")
    assert given.returncode == 0, given.stderr
    assert given.stdout.strip() == "ok"
    assert await runtime.pool.fetchval(
        "SELECT days_before FROM platform.reminder_settings WHERE tenant = $1", tenant.slug) == 7
    assert await runtime.pool.fetchval(
        "SELECT email FROM platform.staff_contacts WHERE tenant = $1 AND staff_id = $2",
        tenant.slug, org.members[0]) == "thanh.vien@phuong.gov.vn"
