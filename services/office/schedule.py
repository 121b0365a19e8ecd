"""Reminders on a schedule inside the server (``congtam serve``, ``make run``): one
background task per process, a round every ``CONGTAM_REMINDER_EVERY_S`` seconds.

Every replica runs it, but the fleet scans once an interval: a round starts by trying the
scan's advisory lock, and a replica that finds it taken skips that round (another is scanning
every tenant already); one that takes it skips too when ``platform.reminder_scans`` says a
scan finished less than an interval ago (by the database's clock: replicas' clocks may
differ). Nothing is sent twice in any case, because each reminder is claimed in the database
before it is sent (services/office/reminders.py). A round that fails (a database
away, a tenant being moved) is logged and the next round tries again: reminders are never
worth taking the API down for.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable
from datetime import date

import structlog

from services.office.reminders import send_due
from services.runtime import Runtime

log = structlog.get_logger()
# The reminder scan's advisory lock (session-level, in the home database): "remi".
SCAN_LOCK = 0x72656D69


def scheduler_name() -> str:
    """Who claimed a reminder, as the row records it: host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def reminder_round(rt: Runtime, today: date, name: str) -> int:
    """Send what every active tenant owes today; the number this scheduler sent."""
    total = 0
    for tenant in [t for t in await rt.registry.all() if t.status == "active"]:
        try:
            total += len(await send_due(rt.pool, rt.pool_of(tenant), rt.settings, tenant,
                                        today, name))
        except Exception:  # one tenant's failure does not stop the others' reminders
            log.warning("reminder_round_failed", tenant=tenant.slug, exc_info=True)
    return total


async def reminder_scan(rt: Runtime, today: date, name: str,
                        every_s: float = 0.0) -> int | None:
    """A round if no other replica is scanning and none scanned in the last ``every_s``
    seconds (the number sent), else None: skipped."""
    async with rt.pool.acquire() as conn:
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", SCAN_LOCK):
            log.debug("reminder_scan_skipped", scheduler=name, why="scanning elsewhere")
            return None
        try:
            if await conn.fetchval(
                    "SELECT scanned_at > now() - make_interval(secs => $1) "
                    "FROM platform.reminder_scans", every_s):
                log.debug("reminder_scan_skipped", scheduler=name, why="scanned recently")
                return None
            sent = await reminder_round(rt, today, name)
            await conn.execute(
                "INSERT INTO platform.reminder_scans (scanned_at, scanned_by) "
                "VALUES (now(), $1) ON CONFLICT (singleton) DO UPDATE "
                "SET scanned_at = EXCLUDED.scanned_at, scanned_by = EXCLUDED.scanned_by", name)
            return sent
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", SCAN_LOCK)


async def run_reminders(rt: Runtime, every_s: float, name: str | None = None,
                        today: Callable[[], date] = date.today) -> None:
    """Rounds until cancelled (the server's shutdown)."""
    me = name or scheduler_name()
    while True:
        try:
            sent = await reminder_scan(rt, today(), me, every_s)
            if sent:
                log.info("reminders_sent", count=sent, scheduler=me)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("reminder_round_failed", exc_info=True)
        await asyncio.sleep(every_s)
