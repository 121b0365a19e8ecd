"""Reminders and the mail they travel by: ``congtam reminders send|settings``,
``congtam contact``, ``congtam mail-sink`` (services/office/reminders.py, issue 20)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import typer

from services.cli.base import app, console, domain_errors, settings_or_exit

if TYPE_CHECKING:
    from services.runtime import Runtime

TENANT = typer.Option(help="Tenant slug")

reminders = typer.Typer(help="Nhắc việc trước hạn qua thư điện tử (mỗi người, mỗi bước, một lần).",
                        no_args_is_help=True)
app.add_typer(reminders, name="reminders")


@reminders.command("send")
def reminders_send(
    tenant: Annotated[list[str] | None, typer.Option(help="Tenant slug (repeatable); "
                                                          "default: every tenant")] = None,
    every: Annotated[float, typer.Option(help="Seconds between rounds; 0: one round")] = 0,
) -> None:
    """Send what is owed before each deadline. Safe to run on every replica at once: each
    reminder is claimed in the database before it is sent."""
    import asyncio
    import socket
    from datetime import date

    from services.office.reminders import send_due

    async def work(rt: Runtime) -> int:
        me = f"{socket.gethostname()}:{id(rt)}"
        total = 0
        while True:
            chosen = [await rt.registry.get(s) for s in tenant] if tenant else [
                t for t in await rt.registry.all() if t.status == "active"]
            for t in chosen:
                sent = await send_due(rt.pool, rt.pool_of(t), rt.settings, t, date.today(), me)
                total += len(sent)
                for s in sent:
                    typer.echo(f"{t.slug} {s.step} → {s.email or '-'}"
                               + (f" ({s.failure})" if s.failure else ""))
            if not every:
                return total
            await asyncio.sleep(every)

    typer.echo(f"{domain_errors(work)} reminder(s)")


@reminders.command("settings")
def reminders_settings(tenant: Annotated[str, TENANT],
                       days_before: Annotated[int, typer.Option(min=0, max=30)]) -> None:
    """How many days before a deadline the tenant's people are reminded."""

    async def work(rt: Runtime) -> None:
        t = await rt.registry.get(tenant)
        await rt.pool.execute(
            "INSERT INTO platform.reminder_settings (tenant, days_before) VALUES ($1, $2) "
            "ON CONFLICT (tenant) DO UPDATE SET days_before = excluded.days_before",
            t.slug, days_before)

    domain_errors(work)
    typer.echo(f"{tenant}: {days_before} day(s) before")  # the answer: stdout


@app.command("contact")
def contact(tenant: Annotated[str, TENANT], staff: Annotated[UUID, typer.Option()],
            email: Annotated[str, typer.Option(help="The address; empty removes it")]) -> None:
    """A person's e-mail address for reminders (kept out of the event log: see
    services/office/reminders.py)."""
    from domain.errors import ValidationFailedError
    from domain.text import check_text

    async def work(rt: Runtime) -> None:
        t = await rt.registry.get(tenant)
        if not email:
            await rt.pool.execute("DELETE FROM platform.staff_contacts WHERE tenant = $1 "
                                  "AND staff_id = $2", t.slug, staff)
            return
        check_text("email", email, limit=254)
        local, at, domain = email.partition("@")
        if not (local and at and "." in domain) or " " in email:
            raise ValidationFailedError(f"Địa chỉ thư '{email}' không hợp lệ.",
                                        f"'{email}' is not an e-mail address.")
        await rt.pool.execute(
            "INSERT INTO platform.staff_contacts (tenant, staff_id, email) VALUES ($1, $2, $3) "
            "ON CONFLICT (tenant, staff_id) DO UPDATE SET email = excluded.email",
            t.slug, staff, email)

    domain_errors(work)
    typer.echo("ok")  # the answer: stdout


@app.command("mail-sink")
def mail_sink(port: Annotated[int | None, typer.Option(help="default: CONGTAM_SMTP_PORT")]
              = None) -> None:
    """Development only: a local SMTP server keeping what it receives under
    <data dir>/mail (shown at GET /dev/mail)."""
    import signal
    import threading

    from services.office.mail_sink import start_sink

    settings = settings_or_exit()
    if settings.production:
        typer.echo("mail-sink is for development only (CONGTAM_MODE=production)", err=True)
        raise typer.Exit(2)
    controller = start_sink(settings.data_dir / "mail", settings.smtp_host,
                            port or settings.smtp_port)
    console.print(f"mail sink on {settings.smtp_host}:{port or settings.smtp_port} → "
                  f"{settings.data_dir / 'mail'}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
