"""Tenants and who may act in them: tenants, tenant add/move, grant, revoke, grants, erase."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from services.cli.base import (
    JSON,
    OPERATOR,
    EventsPerSecond,
    answer_json,
    app,
    console,
    domain_errors,
    show,
    with_runtime,
)

if TYPE_CHECKING:
    from services.platform.grants import Grant
    from services.platform.tenants import Tenant
    from services.runtime import Runtime


@app.command()
def tenants(as_json: Annotated[bool, JSON] = False) -> None:
    """List registered tenants."""
    async def work(rt: Runtime) -> list[Tenant]:
        return await rt.registry.all()

    found = with_runtime(work)
    if as_json:
        answer_json([{"slug": t.slug, "name": t.name, "kind": t.kind,
                      "parent": t.parent_slug, "schema": t.schema, "status": t.status}
                     for t in found])
        return
    table = Table("slug", "name", "kind", "parent", "schema", "status")
    for t in found:
        table.add_row(t.slug, t.name, t.kind, t.parent_slug or "", t.schema, t.status)
    show(table)


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
    from services.platform.onboarding import register_tenant

    async def work(rt: Runtime) -> Tenant:
        return await register_tenant(rt, Actor(by, "platform_admin"), slug, name, kind,
                                     parent, database)

    done = domain_errors(work)
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
    from services.platform.tenant_move import MoveReport, move_tenant

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

    done = domain_errors(work)
    table = Table("", "database", "events", "last position", "chain head")
    table.add_row("source (kept, fenced)", done.source, str(done.before.events),
                  str(done.before.last_position), done.before.head.hex())
    table.add_row("target (serving)", done.target, str(done.after.events),
                  str(done.after.last_position), done.after.head.hex())
    show(table)
    typer.echo(f"{slug} moved to {done.target}: {done.after.events} events, counts and chain "
               f"head equal on both sides, target verified; {done.seconds:.2f} s "
               f"(writes refused for {done.fenced_seconds:.2f} s)")


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

    typer.echo(f"granted {role} in {tenant} to {user}: grant {domain_errors(work)}")


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

    domain_errors(work)
    typer.echo(f"revoked grant {grant_id} of {user}")


@app.command()
def grants(user: Annotated[str, typer.Option(help="User id")]) -> None:
    """List a user's active grants."""
    from services.platform.grants import grants_for

    async def work(rt: Runtime) -> list[Grant]:
        return await grants_for(rt.pool, user)

    table = Table("grant", "tenant", "role", "unit scope", "children")
    for g in with_runtime(work):
        table.add_row(str(g.grant_id), g.tenant, g.role, str(g.unit_scope or ""),
                      "yes" if g.include_children else "")
    show(table)


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
    from services.platform.erasure import Erasure, erase_personal_data

    async def work(rt: Runtime) -> Erasure:
        return await erase_personal_data(rt, Actor(by, "platform_admin"),
                                         await rt.registry.get(tenant), UUID(staff), basis)

    done = domain_errors(work)
    typer.echo(f"erased the personal data of {staff} (platform log position {done.position}); "
               f"read models rebuilt: {', '.join(done.tenants)}")
