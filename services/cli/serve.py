"""Running the service: serve, demo, token, bench, schema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from services.cli.base import app, console, with_runtime
from services.settings import get_settings

if TYPE_CHECKING:
    pass


@app.command()
def serve(demo: Annotated[bool, typer.Option(help="Load the demo tenants first")] = False) -> None:
    """Serve GraphQL (and, by default, run the projector in the same process)."""
    import uvicorn

    from services.http.api import create_app
    from services.http.server import with_header_deadline

    settings = get_settings()
    if demo:
        _load_demo()
    _print_welcome(settings.host, settings.port)
    # A keep-alive shorter than the idle timeout of whatever sits in front (an ingress, a
    # load balancer, a client pool) races it: the server closes a connection the other side
    # has just reused, and that request fails with a reset. So the server waits longer.
    # A connection that never finishes its headers is answered 408 and closed after
    # CONGTAM_HEADER_TIMEOUT_S (services/http/server.py); uvicorn alone would wait forever.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                log_level="warning", timeout_graceful_shutdown=20,
                timeout_keep_alive=int(settings.keep_alive_s),
                http=with_header_deadline(settings.header_timeout_s))


def _load_demo() -> None:
    from services.demo.tenants import load_demo

    async def work(rt: object) -> list[str]:
        return await load_demo(rt)  # type: ignore[arg-type]

    loaded = with_runtime(work, projector=False)
    console.print(f"[green]Demo tenants loaded:[/] {', '.join(loaded) or 'already present'}")


@app.command()
def demo() -> None:
    """Load the demo tenants (those not present yet)."""
    _load_demo()
    _print_users()


def _print_users() -> None:
    from services.demo.tenants import TENANTS, demo_users

    table = Table(title="Demo users (congtam token --tenant … --user … --role …)")
    for col in ("tenant", "user id", "who", "roles"):
        table.add_column(col, no_wrap=True)
    for slug, *_ in TENANTS[:2]:
        for u in demo_users(slug):
            table.add_row(u.tenant, u.user_id, u.name, ",".join(u.roles))
    console.print(table)


def _print_welcome(host: str, port: int) -> None:
    from services.demo.tenants import demo_users

    hr = demo_users("hn-long-bien-duc-giang")[0]
    console.print(f"\n[bold]Công Tâm[/] serving GraphQL at http://{host}:{port}/graphql\n")
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
    from services.http.auth import ROLES, mint_token

    unknown = [r for r in role if r not in ROLES]
    if unknown:
        raise typer.BadParameter(f"unknown role(s) {unknown}; known: {', '.join(ROLES)}")
    typer.echo(mint_token(get_settings(), tenant=tenant, user=user, roles=role, name=name,
                          ttl_seconds=ttl))


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
