"""The databases and read models: migrate, project, rebuild, databases, db-url, db-stop."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from services.cli.base import (
    EventsPerSecond,
    app,
    console,
    settings_or_exit,
    show,
    with_runtime,
)

if TYPE_CHECKING:
    from services.platform.tenants import Tenant
    from services.runtime import Runtime


@app.command()
def migrate() -> None:
    """Create or update the platform schema (run once per release, e.g. as a Kubernetes Job)."""
    async def work(rt: object) -> None:
        return None  # bootstrap itself migrates the platform schema

    with_runtime(work)
    console.print("platform schema up to date")


@app.command()
def project() -> None:
    """Run the projector worker for every tenant until interrupted."""
    import signal

    async def work(rt: object) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):  # Kubernetes sends SIGTERM
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        console.print("stopping: finishing the current batch")

    with_runtime(work, projector=True)


@app.command()
def rebuild(
    tenant: Annotated[str | None, typer.Option(help="Tenant slug")] = None,
    all_tenants: Annotated[bool, typer.Option("--all", help="Every tenant")] = False,
    projection: Annotated[list[str] | None, typer.Option(
        help="Only this projection (repeatable); default: all")] = None,
) -> None:
    """Rebuild read models from the event log beside the live ones, then swap them in
    atomically (dashboards keep serving the old tables meanwhile)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from projections.rebuild import log_head, swap_rebuild
    from projections.registry import PROJECTIONS

    if bool(tenant) == all_tenants:
        raise typer.BadParameter("give exactly one of --tenant SLUG or --all")
    by_name = {p.name: p for p in PROJECTIONS}
    unknown = [n for n in projection or [] if n not in by_name]
    if unknown:
        raise typer.BadParameter(f"unknown projection(s) {unknown}; known: {', '.join(by_name)}")
    chosen = [by_name[n] for n in projection] if projection else list(PROJECTIONS)

    async def work(rt: Runtime) -> None:
        slugs = [t.slug for t in await rt.registry.all()] if all_tenants else [str(tenant)]
        tenants = [await rt.registry.get(slug) for slug in slugs]
        total = 0
        for t in tenants:  # each tenant where it is placed
            async with rt.pool_of(t).acquire() as conn:
                total += await log_head(conn, t.schema)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("events"), EventsPerSecond(), TimeElapsedColumn(),
                   TextColumn("ETA"), TimeRemainingColumn())
        # Tenants in parallel within the connection budget: each tenant's rebuild holds one
        # connection of its database's pool and swaps in on its own.
        budget = asyncio.Semaphore(max(1, min(rt.settings.rebuild_connections,
                                              rt.settings.read_pool_max)))
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("rebuild", total=total)
            running: list[str] = []

            async def one(t: Tenant) -> None:
                async with budget, rt.pool_of(t).acquire() as conn:
                    running.append(t.slug)
                    progress.update(task, description=", ".join(running))
                    try:
                        done = await swap_rebuild(
                            conn, t.schema, chosen, keys=rt.keys_for(t),
                            on_batch=lambda n: progress.advance(task, n))
                    finally:
                        running.remove(t.slug)
                        progress.update(task, description=", ".join(running) or "rebuild")
                progress.console.print(
                    f"{t.slug}: {done.events} events → position {done.position} "
                    f"({', '.join(done.projections)}) swapped in")

            async with asyncio.TaskGroup() as group:
                for t in tenants:
                    group.create_task(one(t))

    with_runtime(work)


@app.command()
def databases() -> None:
    """List the databases tenants may be placed in, and how many tenants each holds."""
    async def work(rt: Runtime) -> list[tuple[str, str, int]]:
        await rt.directory.load()
        every = {t.slug for t in await rt.registry.all()}
        away = {name: rt.directory.placed_in(name) for name in rt.directory.databases}
        rows = []
        for name, db in sorted(rt.directory.databases.items()):
            count = (len(every - set().union(*away.values())) if name == "home"
                     else len(away[name]))
            rows.append((name, db.reference, count))
        return rows

    table = Table("database", "where (no credentials)", "tenants")
    for name, reference, count in with_runtime(work):
        table.add_row(name, reference, str(count))
    show(table)


@app.command("db-url")
def db_url() -> None:
    """Print the URL of the database in use (open it with psql)."""
    from services.store.database import ConnectionParams, resolve_database_url

    typer.echo(ConnectionParams.from_url(resolve_database_url(settings_or_exit())).url())


@app.command("db-stop")
def db_stop() -> None:
    """Stop the embedded PostgreSQL server."""
    from services.store.database import stop_embedded

    stopped = stop_embedded(settings_or_exit().data_dir)
    console.print("stopped" if stopped else "not running")
