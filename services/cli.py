"""The ``congtam`` command: serve, demo, token, tenants, db-url, project, rebuild, verify,
grant/revoke/grants, history, replay, export, checkpoint, databases, tenant move, bench,
schema."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import ProgressColumn, Task
from rich.table import Table
from rich.text import Text

from services.settings import get_settings

if TYPE_CHECKING:
    from services.grants import Grant
    from services.runtime import Runtime
    from services.tenants import Tenant

app = typer.Typer(help="Công Tâm — đánh giá, xếp loại cán bộ (multi-tenant service).",
                  no_args_is_help=True, pretty_exceptions_show_locals=False)
console = Console(stderr=True, width=160)
T = TypeVar("T")


@app.callback()
def _every_argument_is_text_we_accept(ctx: typer.Context) -> None:
    """Options and arguments are text entering the system like any other: the same check
    as GraphQL's (domain/text.py), before any command runs."""
    from domain.errors import DomainError
    from domain.text import check_text

    for arg in sys.argv[1:]:
        try:
            check_text("argument", arg, limit=100_000)
        except DomainError as error:
            typer.echo(f"{error.code}: {error.message_vi} / {error.message_en}", err=True)
            raise typer.Exit(2) from None


class EventsPerSecond(ProgressColumn):
    """The rate of the last few seconds, as rich measures it for the ETA."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} events/s" if speed else "– events/s")


def _with_runtime(work: Callable[..., Awaitable[T]], *, projector: bool = False) -> T:
    from services.logging import configure_logging
    from services.runtime import bootstrap, shutdown

    settings = get_settings()
    configure_logging(settings)

    async def main() -> T:
        rt = await bootstrap(settings, projector=projector)
        try:
            return await work(rt)
        finally:
            await shutdown(rt)

    return asyncio.run(main())


@app.command()
def serve(demo: Annotated[bool, typer.Option(help="Load the demo tenants first")] = False) -> None:
    """Serve GraphQL (and, by default, run the projector in the same process)."""
    import uvicorn

    from services.api import create_app

    settings = get_settings()
    if demo:
        _load_demo()
    _print_welcome(settings.host, settings.port)
    # A keep-alive shorter than the idle timeout of whatever sits in front (an ingress, a
    # load balancer, a client pool) races it: the server closes a connection the other side
    # has just reused, and that request fails with a reset. So the server waits longer.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                log_level="warning", timeout_graceful_shutdown=20,
                timeout_keep_alive=int(settings.keep_alive_s))


def _load_demo() -> None:
    from services.demo import load_demo

    async def work(rt: object) -> list[str]:
        return await load_demo(rt)  # type: ignore[arg-type]

    loaded = _with_runtime(work, projector=False)
    console.print(f"[green]Demo tenants loaded:[/] {', '.join(loaded) or 'already present'}")


@app.command()
def demo() -> None:
    """Load the demo tenants (those not present yet)."""
    _load_demo()
    _print_users()


def _print_users() -> None:
    from services.demo import TENANTS, demo_users

    table = Table(title="Demo users (congtam token --tenant … --user … --role …)")
    for col in ("tenant", "user id", "who", "roles"):
        table.add_column(col, no_wrap=True)
    for slug, *_ in TENANTS[:2]:
        for u in demo_users(slug):
            table.add_row(u.tenant, u.user_id, u.name, ",".join(u.roles))
    console.print(table)


def _print_welcome(host: str, port: int) -> None:
    from services.demo import demo_users

    hr = demo_users("hn-long-bien-duc-giang")[0]
    console.print(f"\n[bold]Công Tâm[/] serving GraphQL at http://{host}:{port}/graphql\n")
    console.print(f"Web app: http://{host}:{port}/  (demo sign-in: http://{host}:{port}/login)\n")
    console.print("Get a token (HR officer of Phường Đức Giang):")
    console.print(f"  TOKEN=$(.venv/bin/congtam token --tenant hn-long-bien-duc-giang "
                  f"--user {hr.user_id} --role hr_officer)")
    console.print("First query:")
    console.print(f"  curl -s http://{host}:{port}/graphql -H \"Authorization: Bearer $TOKEN\" "
                  "-H 'Content-Type: application/json' "
                  "-d '{\"query\":\"{ me { tenantName roles } "
                  "units { edges { node { id name } } } }\"}'\n")
    _print_users()


@app.command()
def token(
    tenant: Annotated[str, typer.Option(help="Tenant slug, e.g. hn-long-bien-duc-giang")],
    user: Annotated[str, typer.Option(help="User id (a staff id for staff and leaders)")],
    role: Annotated[list[str], typer.Option(help="Role in that tenant (repeatable)")],
    name: Annotated[str, typer.Option(help="Display name")] = "",
    ttl: Annotated[int, typer.Option(help="Lifetime in seconds")] = 8 * 3600,
) -> None:
    """Mint a development JWT signed with the embedded mode's key."""
    from services.auth import ROLES, mint_token

    unknown = [r for r in role if r not in ROLES]
    if unknown:
        raise typer.BadParameter(f"unknown role(s) {unknown}; known: {', '.join(ROLES)}")
    typer.echo(mint_token(get_settings(), tenant=tenant, user=user, roles=role, name=name,
                          ttl_seconds=ttl))


@app.command()
def tenants() -> None:
    """List registered tenants."""
    async def work(rt: object) -> list[object]:
        return await rt.registry.all()  # type: ignore[attr-defined, no-any-return]

    table = Table("slug", "name", "kind", "parent", "schema", "status")
    for t in _with_runtime(work):
        table.add_row(t.slug, t.name, t.kind, t.parent_slug or "", t.schema, t.status)  # type: ignore[attr-defined]
    Console().print(table)


@app.command("db-url")
def db_url() -> None:
    """Print the URL of the database in use (open it with psql)."""
    from services.database import ConnectionParams, resolve_database_url

    typer.echo(ConnectionParams.from_url(resolve_database_url(get_settings())).url())


@app.command("db-stop")
def db_stop() -> None:
    """Stop the embedded PostgreSQL server."""
    from services.database import stop_embedded

    stopped = stop_embedded(get_settings().data_dir)
    console.print("stopped" if stopped else "not running")


@app.command()
def migrate() -> None:
    """Create or update the platform schema (run once per release, e.g. as a Kubernetes Job)."""
    async def work(rt: object) -> None:
        return None  # bootstrap itself migrates the platform schema

    _with_runtime(work)
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

    _with_runtime(work, projector=True)


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
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("rebuild", total=total)
            for t in tenants:
                progress.update(task, description=t.slug)
                async with rt.pool_of(t).acquire() as conn:
                    done = await swap_rebuild(
                        conn, t.schema, chosen, keys=rt.keys_for(t),
                        on_batch=lambda n: progress.advance(task, n))
                progress.console.print(
                    f"{t.slug}: {done.events} events → position {done.position} "
                    f"({', '.join(done.projections)}) swapped in")

    _with_runtime(work)


@app.command()
def verify(tenant: Annotated[str, typer.Option(help="Tenant slug")]) -> None:
    """Walk the tenant's hash chain and check every published checkpoint; exit 1 naming the
    first broken position."""
    from services.audit.checkpoints import Checkpoint, checkpoints, first_unkept
    from services.integrity import Verification
    from services.integrity import verify as verify_chain

    async def work(rt: Runtime) -> tuple[Verification, Checkpoint | None]:
        t = await rt.registry.get(tenant)
        result = await verify_chain(rt.pool_of(t), t.schema)
        published = await checkpoints(rt.pool, t.slug)  # the platform's: home database
        async with rt.pool_of(t).acquire() as conn:
            return result, await first_unkept(conn, t.schema, published)

    result, unkept = _with_runtime(work)
    if not result.ok:
        typer.echo(f"{tenant}: BROKEN at position {result.position}: {result.problem} "
                   f"({result.events} events verified before it)", err=True)
        raise typer.Exit(1)
    if unkept is not None:
        typer.echo(f"{tenant}: BROKEN at position {unkept.position}: the log no longer has "
                   f"the head published there at {unkept.published_at.isoformat()} "
                   f"({unkept.head})", err=True)
        raise typer.Exit(1)
    typer.echo(f"{tenant}: OK — {result.events} events, head {result.head.hex()} "
               f"at position {result.position}")


@app.command()
def history(
    tenant: Annotated[str, typer.Option(help="Tenant slug")],
    subject: Annotated[str, typer.Option(
        help="person | rating | appeal | unit | leader | aggregate")],
    id_: Annotated[str, typer.Option("--id", help="The subject's id (a leader: user id)")],
    until: Annotated[str | None, typer.Option(help="Up to a position or date-time")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table")] = False,
) -> None:
    """Every recorded event about a subject, in log order, read from the log itself."""
    import json

    from services.audit.history import HistoryEntry, Subject
    from services.audit.history import history as read_history
    from services.audit.positions import parse_point, resolve

    try:
        kind = Subject(subject)
    except ValueError:
        raise typer.BadParameter(f"subject must be one of {[s.value for s in Subject]}") from None

    async def work(rt: Runtime) -> list[HistoryEntry]:
        t = await rt.registry.get(tenant)
        async with rt.pool_of(t).acquire() as conn:
            stop = await resolve(conn, t.schema, parse_point(until), 2**62)
            return await read_history(conn, t.schema, kind, id_, until=stop,
                                      keys_from=rt.keys_for(t))

    entries = _domain_errors(work)
    if as_json:
        for e in entries:
            typer.echo(json.dumps({
                "position": e.position, "aggregate_id": str(e.aggregate_id),
                "aggregate_type": e.aggregate_type, "event": e.event, "version": e.version,
                "recorded_at": e.recorded_at.isoformat(), "actor": e.actor,
                "capacity": e.capacity, "policy_version": e.policy_version,
                "reasons": e.reasons, "data": e.data}, ensure_ascii=False))
        return
    table = Table("pos", "recorded at", "event", "actor", "capacity", "policy", "reasons",
                  "data", title=f"{tenant}: {subject} {id_}")
    for e in entries:
        table.add_row(str(e.position), e.recorded_at.isoformat(timespec="seconds"),
                      f"{e.aggregate_type}.{e.event}", e.actor, e.capacity,
                      e.policy_version or "", e.reasons or "",
                      json.dumps(e.data, ensure_ascii=False)[:80])
    Console(width=200).print(table)


@app.command()
def replay(
    tenant: Annotated[str, typer.Option(help="Tenant slug")],
    until: Annotated[str | None, typer.Option(
        help="Up to a position or date-time (default: what live reflects)")] = None,
) -> None:
    """Replay the log through the domain and the projections into a scratch schema; report
    that it equals live, or the first difference (exit 1)."""
    from services.audit.positions import parse_point, resolve
    from services.audit.replay import Comparison, DomainReplay, domain_replay, replay_tenant

    async def work(rt: Runtime) -> tuple[DomainReplay, Comparison]:
        t = await rt.registry.get(tenant)
        point = parse_point(until)
        async with rt.pool_of(t).acquire() as conn:
            stop = None if point is None else await resolve(conn, t.schema, point, 0)
        compared = await replay_tenant(rt.pool_of(t), t.schema, stop, rt.keys_for(t))
        async with rt.pool_of(t).acquire() as conn:
            rebuilt = await domain_replay(conn, t.schema, compared.position)
        return rebuilt, compared

    rebuilt, result = _domain_errors(work)
    typer.echo(f"{tenant}: domain rebuilt {rebuilt.aggregates} aggregates from "
               f"{rebuilt.events} events up to position {result.position}")
    if rebuilt.failure:
        typer.echo(f"{tenant}: the domain could not apply {rebuilt.failure}", err=True)
        raise typer.Exit(1)
    if not result.compared:
        typer.echo(f"{tenant}: replayed to position {result.position}: {result.rows} rows in "
                   f"{result.tables} read-model tables (live is further on; replay without "
                   "--until to compare with live)")
        return
    if result.difference is None:
        typer.echo(f"{tenant}: replay EQUALS live at position {result.position} "
                   f"({result.rows} rows in {result.tables} tables)")
        return
    d = result.difference
    typer.echo(f"{tenant}: replay DIFFERS from live at position {result.position}: first in "
               f"{d.table}, a row only in {d.only_in}: {d.row}", err=True)
    raise typer.Exit(1)


@app.command()
def export(
    tenant: Annotated[str, typer.Option(help="Tenant slug")],
    out: Annotated[str, typer.Option(help="Bundle directory to write")] = "audit-bundle",
    from_: Annotated[str | None, typer.Option(
        "--from", help="Start after this position or date-time (default: the beginning)")] = None,
    until: Annotated[str | None, typer.Option(
        help="Up to this position or date-time (default: now)")] = None,
) -> None:
    """Write an audit bundle (events JSON Lines + manifest + standalone verifier)."""
    from pathlib import Path

    from services.audit.export import Bundle
    from services.audit.export import export as export_bundle
    from services.audit.positions import parse_point, resolve

    async def work(rt: Runtime) -> Bundle:
        t = await rt.registry.get(tenant)
        async with rt.pool_of(t).acquire() as conn:
            start = await resolve(conn, t.schema, parse_point(from_), 0)
            stop = await resolve(conn, t.schema, parse_point(until), 2**62)
            return await export_bundle(conn, t, Path(out), from_position=start,
                                       until_position=stop, pool=rt.pool_of(t))

    bundle = _domain_errors(work)
    typer.echo(f"{tenant}: {bundle.events} events ({bundle.from_position}, "
               f"{bundle.until_position}] → {bundle.path}; head {bundle.head}\n"
               f"verify with: cd {bundle.path} && python3 -m auditverify .")


@app.command()
def checkpoint(
    tenant: Annotated[str | None, typer.Option(help="Tenant slug")] = None,
    all_tenants: Annotated[bool, typer.Option("--all", help="Every tenant")] = False,
    by: Annotated[str, typer.Option(help="Who is acting")] = "platform-operator",
) -> None:
    """Verify and publish the chain head of a tenant (or all) to the platform log; run it
    periodically (cron, a Kubernetes CronJob)."""
    from domain.actor import Actor
    from services.audit.checkpoints import publish

    if not tenant and not all_tenants:
        raise typer.BadParameter("give --tenant SLUG or --all")

    async def work(rt: Runtime) -> None:
        chosen = await rt.registry.all() if all_tenants else [await rt.registry.get(tenant or "")]
        for t in chosen:
            cp = await publish(rt, t, Actor(by, "platform_admin"))
            typer.echo(f"{t.slug}: checkpoint at position {cp.position} head {cp.head}")

    _domain_errors(work)


OPERATOR = typer.Option(help="Who is acting (recorded on the event)")


@app.command()
def grant(
    user: Annotated[str, typer.Option(help="User id (the token's sub)")],
    tenant: Annotated[str, typer.Option(help="Tenant slug")],
    role: Annotated[str, typer.Option(help="Role in that tenant, e.g. auditor")],
    unit: Annotated[str | None, typer.Option(help="Limit to one unit (its id)")] = None,
    include_children: Annotated[bool, typer.Option(
        help="Also every tenant below this one")] = False,
    name: Annotated[str, typer.Option(help="Display name (first grant only)")] = "",
    by: Annotated[str, OPERATOR] = "platform-operator",
) -> None:
    """Grant a role: recorded as an event of the platform log."""
    from uuid import UUID

    from domain.actor import Actor

    async def work(rt: Runtime) -> UUID:
        return await rt.platform.grant(
            Actor(by, "platform_admin"), user, tenant, role,
            UUID(unit) if unit else None, include_children, name)

    typer.echo(f"granted {role} in {tenant} to {user}: grant {_domain_errors(work)}")


@app.command()
def revoke(
    user: Annotated[str, typer.Option(help="User id")],
    grant_id: Annotated[str, typer.Option("--grant", help="The grant id to revoke")],
    reason: Annotated[str, typer.Option(help="Why (recorded)")],
    by: Annotated[str, OPERATOR] = "platform-operator",
) -> None:
    """Revoke a grant: recorded as an event of the platform log."""
    from uuid import UUID

    from domain.actor import Actor

    async def work(rt: Runtime) -> None:
        await rt.platform.revoke(
            Actor(by, "platform_admin"), user, UUID(grant_id), reason)

    _domain_errors(work)
    typer.echo(f"revoked grant {grant_id} of {user}")


@app.command()
def erase(
    tenant: Annotated[str, typer.Option(help="Tenant slug (the person's)")],
    staff: Annotated[str, typer.Option(help="The person's staff id")],
    basis: Annotated[str, typer.Option(help="On what basis (request, decision…; recorded)")],
    by: Annotated[str, OPERATOR] = "platform-operator",
) -> None:
    """Erase a person's personal data (their key): recorded in the platform log; names,
    reasons and opinions become unreadable everywhere, decisions and the chain stay."""
    from uuid import UUID

    from domain.actor import Actor
    from services.erasure import Erasure, erase_personal_data

    async def work(rt: Runtime) -> Erasure:
        return await erase_personal_data(rt, Actor(by, "platform_admin"),
                                         await rt.registry.get(tenant), UUID(staff), basis)

    done = _domain_errors(work)
    typer.echo(f"erased the personal data of {staff} (platform log position {done.position}); "
               f"read models rebuilt: {', '.join(done.tenants)}")


@app.command()
def grants(user: Annotated[str, typer.Option(help="User id")]) -> None:
    """List a user's active grants."""
    from services.grants import grants_for

    async def work(rt: Runtime) -> list[Grant]:
        return await grants_for(rt.pool, user)

    table = Table("grant", "tenant", "role", "unit scope", "children")
    for g in _with_runtime(work):
        table.add_row(str(g.grant_id), g.tenant, g.role, str(g.unit_scope or ""),
                      "yes" if g.include_children else "")
    Console().print(table)


tenant_app = typer.Typer(help="Tenants: register one (in a chosen database), move one to "
                              "another database.", no_args_is_help=True)
app.add_typer(tenant_app, name="tenant")


@tenant_app.command("add")
def tenant_add(
    slug: Annotated[str, typer.Argument(help="Tenant slug: lowercase letters, digits, hyphens")],
    name: Annotated[str, typer.Option(help="Official name, e.g. 'Phường Đức Giang'")],
    kind: Annotated[str, typer.Option(help="province, district, ward, commune, town or "
                                           "special_zone")],
    parent: Annotated[str | None, typer.Option(help="Parent tenant's slug (a district, a "
                                                    "city)")] = None,
    database: Annotated[str, typer.Option(help="Database to create it in (a "
                                               "CONGTAM_DATABASES name, or 'home')")] = "home",
    by: Annotated[str, OPERATOR] = "platform-operator",
) -> None:
    """Register a tenant: its schema (event log, read models, privileges) in the chosen
    database, its placement on record, then its registry row. Again with the same slug
    and database: renames it."""
    from domain.actor import Actor
    from services.onboarding import register_tenant

    async def work(rt: Runtime) -> Tenant:
        return await register_tenant(rt, Actor(by, "platform_admin"), slug, name, kind,
                                     parent, database)

    done = _domain_errors(work)
    typer.echo(f"{done.slug} registered in database {database}: schema {done.schema}, "
               f"kind {done.kind}" + (f", parent {done.parent_slug}" if done.parent_slug
                                      else ""))


@tenant_app.command("move")
def tenant_move(
    slug: Annotated[str, typer.Argument(help="Tenant slug")],
    to: Annotated[str, typer.Option("--to", help="Target database (a CONGTAM_DATABASES name "
                                                 "or 'home')")],
    by: Annotated[str, OPERATOR] = "platform-operator",
) -> None:
    """Move a tenant's log to another database: fence writes (TENANT_MOVING), copy the log,
    verify the target's hash chain, build its read models, switch. Any failure leaves the
    tenant where it was, unfenced."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from domain.actor import Actor
    from services.tenant_move import MoveReport, move_tenant

    async def work(rt: Runtime) -> MoveReport:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   EventsPerSecond(), TimeElapsedColumn())
        with Progress(*columns, console=console) as progress:
            copy = progress.add_task("copy", total=None, visible=False)
            build = progress.add_task("read models", total=None, visible=False)
            return await move_tenant(
                rt, Actor(by, "platform_admin"), slug, to,
                on_step=lambda text: progress.console.print(f"· {text}"),
                on_copied=lambda n, total: progress.update(
                    copy, completed=n, total=total, visible=True),
                on_built=lambda n, total: progress.update(
                    build, completed=n, total=total, visible=True))

    done = _domain_errors(work)
    table = Table("", "database", "events", "last position", "chain head")
    table.add_row("source (kept, fenced)", done.source, str(done.before.events),
                  str(done.before.last_position), done.before.head.hex())
    table.add_row("target (serving)", done.target, str(done.after.events),
                  str(done.after.last_position), done.after.head.hex())
    Console().print(table)
    typer.echo(f"{slug} moved to {done.target}: {done.after.events} events, counts and chain "
               f"head equal on both sides, target verified; {done.seconds:.2f} s "
               f"(writes refused for {done.fenced_seconds:.2f} s)")


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
    for name, reference, count in _with_runtime(work):
        table.add_row(name, reference, str(count))
    Console().print(table)


def _domain_errors(work: Callable[..., Awaitable[T]]) -> T:
    """Run ``work``; a refused rule exits 2 with its code and both messages."""
    from domain.errors import DomainError

    try:
        return _with_runtime(work)
    except DomainError as error:
        typer.echo(f"{error.code}: {error.message_vi} / {error.message_en}", err=True)
        raise typer.Exit(2) from None


@app.command()
def bench(
    scale: Annotated[str, typer.Option(
        help="tiny, small, district, city, hanoi or national (bench/README.md)")]
    = "small",
    only: Annotated[list[str] | None, typer.Option(
        help="Measure only this path (repeatable); its baseline comes along")] = None,
    out: Annotated[str | None, typer.Option(help="Directory for the JSON (default: "
                                                 "bench/results)")] = None,
) -> None:
    """Measure every path beside its raw baseline on a throw-away PostgreSQL (table + JSON)."""
    from bench.__main__ import main as bench_main

    argv = ["--scale", scale]
    for name in only or []:
        argv += ["--only", name]
    if out:
        argv += ["--out", out]
    raise typer.Exit(bench_main(argv))


@app.command()
def schema() -> None:
    """Print the GraphQL SDL (the contract kept in graphql/schema.graphql)."""
    from services.gql.schema import sdl

    typer.echo(sdl(), nl=False)


if __name__ == "__main__":
    app()
