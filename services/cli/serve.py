"""Running the service: serve, demo, token, bench, schema."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from services.cli.base import JSON, answer_json, app, console, settings_or_exit, with_runtime

if TYPE_CHECKING:
    from services.demo.tenants import DemoUser


@app.command()
def serve(demo: Annotated[bool, typer.Option(help="Load the demo tenants first")] = False) -> None:
    """Serve GraphQL (and, by default, run the projector in the same process)."""
    import uvicorn

    from services.http.api import create_app
    from services.http.server import (
        freeze_start_up_heap,
        uvloop_or_asyncio,
        with_header_deadline,
    )

    settings = settings_or_exit()
    # The embedded PostgreSQL outlives the commands that share it (services/store/
    # database.py); the one this command starts, it stops again on Ctrl-C, data kept.
    started_here = settings.database_url is None and not _embedded_running(settings.data_dir)
    try:
        if demo:
            _load_demo()
        _print_welcome(settings.host, settings.port)
        # A keep-alive shorter than the idle timeout of whatever sits in front (an ingress,
        # a load balancer, a client pool) races it: the server closes a connection the
        # other side has just reused, and that request fails with a reset. So the server
        # waits longer. A connection that never finishes its headers is answered 408 and
        # closed after CONGTAM_HEADER_TIMEOUT_S (services/http/server.py); uvicorn alone
        # would wait forever.
        served = create_app(settings)
        # After the lifespan's start-up (the runtime is built), before the first request.
        served.on_startup.append(freeze_start_up_heap)
        uvicorn.run(served, host=settings.host, port=settings.port,
                    log_level="warning", timeout_graceful_shutdown=20,
                    timeout_keep_alive=int(settings.keep_alive_s),
                    # uvloop and httptools (uvicorn[standard]): the loop and the HTTP parser
                    # in C, measured faster than asyncio and h11 on the read paths (bench/).
                    loop=uvloop_or_asyncio(),
                    http=with_header_deadline(settings.header_timeout_s))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None  # uvicorn re-raises the Ctrl-C it handled
    finally:
        if started_here:
            _stop_embedded(settings.data_dir)


def _embedded_running(data_dir: Path) -> bool:
    """Whether an embedded PostgreSQL already runs on this data directory (another
    command's, or one left from an earlier run): never this command's to stop."""
    return (data_dir / "pg" / "postmaster.pid").exists()


def _stop_embedded(data_dir: Path) -> None:
    from services.store.database import stop_embedded

    if stop_embedded(data_dir):
        typer.echo(f"Stopped the embedded PostgreSQL this command started; its data stays in "
                   f"{data_dir / 'pg'} (`make run` starts it again).", err=True)


def _load_demo() -> None:
    from services.demo.tenants import load_demo

    async def work(rt: object) -> list[str]:
        return await load_demo(rt)  # type: ignore[arg-type]

    loaded = with_runtime(work, projector=False)
    typer.echo(f"Demo tenants loaded: {', '.join(loaded) or 'already present'}", err=True)


@app.command()
def demo(as_json: Annotated[bool, JSON] = False) -> None:
    """Load the demo tenants (those not present yet) and list the demo users of each."""
    _load_demo()
    if as_json:
        answer_json([asdict(u) for u in _demo_users()])
        return
    _print_users(Console(width=200))


def _demo_users() -> list[DemoUser]:
    from services.demo.tenants import demo_users, sign_in_tenants

    return [u for slug in sign_in_tenants() for u in demo_users(slug)]


def _print_users(out: Console) -> None:
    table = Table(title="Demo users (congtam token --tenant … --user … --role …)")
    for col in ("tenant", "user id", "who", "roles"):
        table.add_column(col, no_wrap=True)
    for u in _demo_users():
        table.add_row(u.tenant, u.user_id, u.name, ",".join(u.roles))
    out.print(table)


def welcome(host: str, port: int) -> list[str]:
    """What ``serve`` says first: where, a token, a first query — each command on one line,
    so it can be copied as it is."""
    from services.demo.tenants import demo_users

    hr = demo_users("hn-long-bien-duc-giang")[0]
    query = "{ me { name tenantName roles } units { edges { node { id name leaderId } } } }"
    return [
        "", f"Công Tâm serving GraphQL at http://{host}:{port}/graphql", "",
        f"Web app: http://{host}:{port}/  (demo sign-in: http://{host}:{port}/login)", "",
        "Get a token (HR officer of Phường Đức Giang):",
        f"  TOKEN=$(.venv/bin/congtam token --tenant hn-long-bien-duc-giang "
        f"--user {hr.user_id} --role hr_officer)",
        "First query:",
        f"  curl -s http://{host}:{port}/graphql -H \"Authorization: Bearer $TOKEN\" "
        f"-H 'Content-Type: application/json' -d '{{\"query\":\"{query}\"}}'", "",
    ]


def _print_welcome(host: str, port: int) -> None:
    # Plain lines, not rich: rich wraps at the console's width and would break a command.
    for line in welcome(host, port):
        typer.echo(line, err=True)
    _print_users(console)


@app.command()
def token(
    tenant: Annotated[str, typer.Option(help="Tenant slug, e.g. hn-long-bien-duc-giang")],
    user: Annotated[str, typer.Option(help="User id (a staff id for staff and leaders)")],
    role: Annotated[list[str], typer.Option(help="Role in that tenant (repeatable)")],
    name: Annotated[str, typer.Option(help="Display name")] = "",
    ttl: Annotated[int, typer.Option(help="Lifetime in seconds")] = 8 * 3600,
) -> None:
    """Mint a development JWT signed with the key the server uses (CONGTAM_JWT_SECRET, or
    the one the server generated in CONGTAM_DATA_DIR)."""
    from services.http.auth import ROLES, dev_key_path, mint_token

    unknown = [r for r in role if r not in ROLES]
    if unknown:
        raise typer.BadParameter(f"unknown role(s) {unknown}; known: {', '.join(ROLES)}")
    settings = settings_or_exit()
    if settings.jwks_url:
        _refuse("Máy chủ chỉ nhận mã xác thực của nhà cung cấp định danh (CONGTAM_JWKS_URL); "
                "mã phát triển sẽ bị từ chối.",
                f"The server accepts only tokens of the identity provider at "
                f"{settings.jwks_url} (CONGTAM_JWKS_URL); a development token would be "
                "refused.")
    key = dev_key_path(settings)
    if not settings.jwt_secret and not key.exists():
        # Never make a key here: the server would not know it, and would refuse every token
        # signed with it ("The token is invalid") with nothing to say why.
        _refuse(f"Không có khoá phát triển tại {key}. Máy chủ tạo khoá này khi khởi động "
                "lần đầu: chạy lệnh trong thư mục nơi chạy `make run`, hoặc đặt "
                "CONGTAM_DATA_DIR (hoặc CONGTAM_JWT_SECRET) như của máy chủ.",
                f"No development key at {key}. The server creates it when it first starts: "
                "run this where `make run` runs (the checkout), or set CONGTAM_DATA_DIR (or "
                "CONGTAM_JWT_SECRET) to the server's.")
    typer.echo(mint_token(settings, tenant=tenant, user=user, roles=role, name=name,
                          ttl_seconds=ttl))


def _refuse(vi: str, en: str) -> None:
    typer.echo(f"{vi}\n{en}", err=True)
    raise typer.Exit(2)


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
