"""What every ``congtam`` command shares: the application, the console, the check on
every argument, and running work against a bootstrapped runtime."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.progress import ProgressColumn, Task
from rich.table import Table
from rich.text import Text

from services.settings import Settings, SettingsError, get_settings

app = typer.Typer(help="Công Tâm — đánh giá, xếp loại cán bộ (multi-tenant service).",
                  no_args_is_help=True, pretty_exceptions_show_locals=False)
console = Console(stderr=True, width=160)
# One ``congtam import`` group for every kind of file a tenant loads (the register's sheets in
# ``office``, work items in ``work``): two groups under one name would hide one another.
imports = typer.Typer(help="Nhập dữ liệu: đơn vị, cán bộ từ bảng tính (.xlsx, .csv), việc được "
                           "giao từ hệ thống văn bản — tất cả hoặc không / Imports: all rows or "
                           "none.", no_args_is_help=True)
app.add_typer(imports, name="import")
T = TypeVar("T")


@app.callback()
def _every_argument_is_text_we_accept(ctx: typer.Context) -> None:
    """Options and arguments are text entering the system like any other: the same check
    as GraphQL's (domain/text.py), before any command runs."""
    from domain.errors import DomainError
    from domain.text import check_text
    from services.logging import configure_logging

    for arg in sys.argv[1:]:
        try:
            check_text("argument", arg, limit=100_000)
        except DomainError as error:
            typer.echo(f"{error.code}: {error.message_vi} / {error.message_en}", err=True)
            raise typer.Exit(2) from None
    # Before any command logs: structlog's default writes to stdout, and stdout carries
    # only a command's answer (`psql "$(congtam db-url)"`, `congtam verify --json | jq`).
    import structlog

    structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=sys.stderr))
    # A command that needs the settings says what is wrong with them.
    with contextlib.suppress(SettingsError):
        configure_logging(get_settings())


class EventsPerSecond(ProgressColumn):
    """The rate of the last few seconds, as rich measures it for the ETA."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} events/s" if speed else "– events/s")


def settings_or_exit() -> Settings:
    """The settings, or exit 2 saying what is wrong with them (production without its
    identity provider, a number that is not one…) instead of a traceback."""
    try:
        return get_settings()
    except SettingsError as error:
        typer.echo(f"SETTINGS: {error}", err=True)
        raise typer.Exit(2) from None


def with_runtime(work: Callable[..., Awaitable[T]], *, projector: bool = False) -> T:
    from services.logging import configure_logging
    from services.runtime import bootstrap, shutdown

    settings = settings_or_exit()
    configure_logging(settings)

    async def main() -> T:
        rt = await bootstrap(settings, projector=projector)
        try:
            return await work(rt)
        finally:
            await shutdown(rt)

    return asyncio.run(main())


def domain_errors(work: Callable[..., Awaitable[T]]) -> T:
    """Run ``work``; a refused rule exits 2 with its code and both messages."""
    from domain.errors import DomainError

    try:
        return with_runtime(work)
    except DomainError as error:
        typer.echo(f"{error.code}: {error.message_vi} / {error.message_en}", err=True)
        raise typer.Exit(2) from None


def show(table: Table) -> None:
    """A table for people, on stdout, never cutting a slug, id or name: rich takes 80
    columns where stdout is no terminal (a pipe, a log) and a narrow terminal's width
    otherwise, and cuts cells to fit."""
    Console(width=240).print(table)


def answer_json(value: object) -> None:
    """A command's answer for scripts: one JSON document on stdout, nothing else there."""
    import json

    typer.echo(json.dumps(value, ensure_ascii=False, default=str))


JSON = typer.Option("--json", help="Answer as JSON on stdout (for scripts)")
OPERATOR = typer.Option(help="Who is acting (recorded on the event)")
