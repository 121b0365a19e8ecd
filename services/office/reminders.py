"""Reminders before deadlines (issue 20), by e-mail, once per person per step.

What is owed comes from the read models, the same rows ``myPendingWork`` and the boards show:

| step | who | when |
|---|---|---|
| ``self:<period>`` | a member not yet self-assessed | the deadline is within days-before |
| ``decide:<period>`` | the unit's head, while anyone is undecided | same |
| ``appeal:<appeal>:<instance>:<status>`` | the reviewer of an open appeal | its due date, same |

The annual rating (due before 15 December) is a period of kind ``annual``: its members and
head are reminded by the first two rows, the step naming the period.

**Once, whatever the number of replicas.** Before sending, a scheduler claims the reminder by
inserting the row ``(tenant, person, step)`` into ``platform.reminders_sent`` (primary key):
``ON CONFLICT DO NOTHING RETURNING`` answers exactly one claimant; the others skip it. The
row then records when it was sent (or why not: no address, the relay refused). A claimed
reminder is never sent twice, even if its sending failed (at most once: a missed e-mail is
better than a flood; the failure is on the row for the officer).

**Where addresses live.** E-mail addresses are personal data the evaluation does not need,
so they are kept out of the event log: ``platform.staff_contacts`` (tenant, staff id, address),
set by ``congtam contact`` (later by the sign-in's user accounts). Erasing a person is
then a DELETE of their row, with nothing to seal or replay.

**Days before** per tenant: ``platform.reminder_settings`` (``congtam reminders settings``),
``DEFAULT_DAYS_BEFORE`` when unset.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.header import Header
from email.message import Message
from email.mime.text import MIMEText
from email.utils import formataddr, parseaddr

import anyio
import asyncpg
import structlog

from services.platform.tenants import Tenant
from services.settings import Settings
from storage.db import DbConn

log = structlog.get_logger()
DEFAULT_DAYS_BEFORE = 3
OLDEST = date(2000, 1, 1)  # before any period the service can hold

NO_ADDRESS = "no e-mail address"  # the one failure a later round takes up again

@dataclass(frozen=True)
class Owed:
    person: str  # staff id (or the reviewer's user id)
    step: str
    due_on: date
    what_vi: str
    what_en: str


def _due_sql(s: str) -> str:
    """Everything owed with a deadline in [$1, $2], one statement."""
    return (
        f"SELECT m.staff_id::text AS person, 'self:' || b.period_id AS step, b.deadline AS due, "
        "'tự đánh giá, xếp loại ' || CASE b.kind WHEN 'annual' THEN 'năm ' || b.year "
        "WHEN 'quarterly' THEN 'quý ' || b.number || '/' || b.year "
        "ELSE 'tháng ' || b.number || '/' || b.year END AS vi, "
        "'self-assessment for ' || b.kind || ' ' || b.year || '-' || b.number AS en "
        f"FROM {s}.rm_boards b JOIN {s}.rm_board_members m USING (period_id) "
        "WHERE b.status = 'open' AND m.self_assessed_at IS NULL "
        "AND b.deadline BETWEEN $1 AND $2 "
        "UNION ALL "
        f"SELECT u.leader_id::text, 'decide:' || b.period_id, b.deadline, "
        "'quyết định xếp loại của đơn vị ' || u.name, "
        "'the rating decisions of ' || u.name "
        f"FROM {s}.rm_boards b JOIN {s}.rm_units u USING (unit_id) "
        "WHERE b.status = 'open' AND u.leader_id IS NOT NULL "
        "AND b.decided < b.member_count AND b.deadline BETWEEN $1 AND $2 "
        "UNION ALL "
        "SELECT a.reviewer, 'appeal:' || a.appeal_id || ':' || a.instance || ':' || a.status, "
        "a.due_on, 'giải quyết khiếu nại (lần ' || a.instance || ')', "
        "'an appeal to settle (instance ' || a.instance || ')' "
        f"FROM {s}.rm_appeals a WHERE a.reviewer IS NOT NULL AND a.status IN "
        "('assigned', 'under_review', 'awaiting_information') "
        "AND a.due_on BETWEEN $1 AND $2 "
        "ORDER BY 3, 1, 2")


async def days_before(pool: asyncpg.Pool, tenant: Tenant) -> int:
    found = await pool.fetchval(
        "SELECT days_before FROM platform.reminder_settings WHERE tenant = $1", tenant.slug)
    return DEFAULT_DAYS_BEFORE if found is None else int(found)


async def owed(pool: asyncpg.Pool, tenant_pool: asyncpg.Pool, tenant: Tenant,
               today: date) -> list[Owed]:
    window = await days_before(pool, tenant)
    rows = await tenant_pool.fetch(_due_sql(tenant.schema), today,
                                   today + timedelta(days=window))
    return [Owed(r["person"], r["step"], r["due"], r["vi"], r["en"]) for r in rows]


async def window_of(pool: asyncpg.Pool, tenant: Tenant) -> int:
    """``days_before``, or the default while no scheduler has created the tables yet."""
    try:
        return await days_before(pool, tenant)
    except asyncpg.UndefinedTableError:
        return DEFAULT_DAYS_BEFORE


@dataclass(frozen=True)
class Due:
    """One deadline one person still owes, as "what I must do now" shows it."""

    owed: Owed
    reminded_at: datetime | None  # when the e-mail reminder for it went out, if it did


async def owed_by(pool: asyncpg.Pool, conn: DbConn, tenant: Tenant, person: str,
                  today: date) -> list[Due]:
    """What ``person`` owes on open boards with a deadline up to the reminder window ahead:
    the same rows the scheduler reminds of, overdue ones too (still owed while the month is
    open). Appeals are left to ``myPendingWork``, which lists them with their parties."""
    ahead = today + timedelta(days=await window_of(pool, tenant))
    rows = await conn.fetch(
        f"SELECT * FROM ({_due_sql(tenant.schema)}) o "
        "WHERE o.person = $3 AND o.step NOT LIKE 'appeal:%'", OLDEST, ahead, person)
    try:
        sent = {r["step"]: r["sent_at"] for r in await pool.fetch(
            "SELECT step, sent_at FROM platform.reminders_sent WHERE tenant = $1 "
            "AND person = $2 AND sent_at IS NOT NULL", tenant.slug, person)}
    except asyncpg.UndefinedTableError:
        sent = {}
    return [Due(Owed(r["person"], r["step"], r["due"], r["vi"], r["en"]), sent.get(r["step"]))
            for r in rows]


@dataclass(frozen=True)
class Sent:
    person: str
    step: str
    email: str | None
    failure: str | None


def message(settings: Settings, tenant: Tenant, item: Owed, to: str) -> Message:
    """The reminder as sent. Headers go through the legacy encoder (``email.header``): the
    modern one (``email.policy.default``) drops the space where it folds a non-ASCII
    subject between two encoded words (CPython gh-144156), so "giải quyết khiếu nại"
    arrived as "giải quyếtkhiếu nại"."""
    mail = MIMEText(
        f"Kính gửi đồng chí,\n\nTại {tenant.name}, đồng chí còn việc phải hoàn thành: "
        f"{item.what_vi}, hạn chót ngày {item.due_on:%d/%m/%Y}.\n\n"
        f"Reminder: at {tenant.name} you still have to complete {item.what_en} "
        f"by {item.due_on:%Y-%m-%d}.\n\n— Công Tâm ({item.step})\n", "plain", "utf-8")
    mail["From"] = formataddr(parseaddr(settings.smtp_from), charset="utf-8")
    mail["To"] = to
    # A Header is what the legacy API takes here; typeshed types the value as str only.
    mail["Subject"] = Header(  # type: ignore[assignment]
        f"[Công Tâm] Nhắc việc: {item.what_vi} — hạn {item.due_on:%d/%m/%Y}", "utf-8")
    return mail


def deliver(settings: Settings, mail: Message) -> None:
    """One message through the configured relay (blocking: call from a worker thread)."""
    if settings.smtp_tls == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port,
                                                 timeout=10,
                                                 context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10)
    with client:
        if settings.smtp_tls == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            client.login(settings.smtp_user, settings.smtp_password or "")
        client.send_message(mail)


async def send_due(pool: asyncpg.Pool, tenant_pool: asyncpg.Pool, settings: Settings,
                   tenant: Tenant, today: date, scheduler: str) -> list[Sent]:
    """Claim and send every reminder owed in ``tenant`` today; returns what this scheduler
    sent (claimed by another: not in the list)."""
    done: list[Sent] = []
    for item in await owed(pool, tenant_pool, tenant, today):
        # Claimed once: a new row, or — the one case taken again — a row recorded as not
        # sent for want of an address, now that the person has one (the row's lock on the
        # conflict lets one scheduler through; the next finds it no longer failed).
        claimed = await pool.fetchval(
            "INSERT INTO platform.reminders_sent (tenant, person, step, due_on, claimed_by, "
            "email) SELECT $1, $2, $3, $4, $5, (SELECT email FROM platform.staff_contacts "
            "WHERE tenant = $1 AND staff_id::text = $2) "
            "ON CONFLICT (tenant, person, step) DO UPDATE SET claimed_by = excluded.claimed_by, "
            "claimed_at = now(), email = excluded.email, failure = NULL "
            "WHERE reminders_sent.sent_at IS NULL AND reminders_sent.failure = $6 "
            "AND excluded.email IS NOT NULL "
            "RETURNING coalesce(email, '')",
            tenant.slug, item.person, item.step, item.due_on, scheduler, NO_ADDRESS)
        if claimed is None:
            continue  # another scheduler (replica) has it
        failure: str | None = None
        if not claimed:
            failure = NO_ADDRESS
        else:
            try:
                await anyio.to_thread.run_sync(
                    deliver, settings, message(settings, tenant, item, claimed))
            except (OSError, smtplib.SMTPException) as error:
                failure = f"{type(error).__name__}: {error}"[:500]
        await pool.execute(
            "UPDATE platform.reminders_sent SET sent_at = CASE WHEN $4::text IS NULL "
            "THEN now() END, failure = $4 WHERE tenant = $1 AND person = $2 AND step = $3",
            tenant.slug, item.person, item.step, failure)
        log.info("reminder", tenant=tenant.slug, person=item.person, step=item.step,
                 sent=failure is None, failure=failure)
        done.append(Sent(item.person, item.step, claimed or None, failure))
    return done
