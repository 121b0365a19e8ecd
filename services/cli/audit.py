"""What auditors run: verify, history, replay, export, checkpoint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from services.cli.base import JSON, answer_json, app, domain_errors, with_runtime

if TYPE_CHECKING:
    from services.audit.checkpoints import Checkpoint
    from services.runtime import Runtime
    from services.store.integrity import Verification


@app.command()
def verify(tenant: Annotated[str, typer.Option(help="Tenant slug")],
           as_json: Annotated[bool, JSON] = False) -> None:
    """Walk the tenant's hash chain and check every published checkpoint; exit 1 naming the
    first broken position."""
    from services.audit.checkpoints import checkpoints, first_unkept, unwitnessed
    from services.store.integrity import verify as verify_chain

    async def work(rt: Runtime) -> Verified:
        t = await rt.registry.get(tenant)
        result = await verify_chain(rt.pool_of(t), t.schema)
        published = await checkpoints(rt.pool, t.slug)  # the platform's: home database
        async with rt.pool_of(t).acquire() as conn:
            unkept = await first_unkept(conn, t.schema, published)
            waiting = await unwitnessed(conn, t.schema, published)
        return Verified(tenant, result, published, unkept, waiting)

    verified = with_runtime(work)
    if as_json:
        answer_json(verified.as_json())
    else:
        for line in verified.lines():
            typer.echo(line, err=not verified.ok)
    if not verified.ok:
        raise typer.Exit(1)


@dataclass(frozen=True)
class Verified:
    """What ``verify`` found, said in terms an auditor can check against the rows."""

    tenant: str
    chain: Verification
    published: list[Checkpoint]
    unkept: Checkpoint | None
    unwitnessed: int

    @property
    def ok(self) -> bool:
        return self.chain.ok and self.unkept is None

    @property
    def unused_positions(self) -> int:
        """Positions up to the last one checked that hold no event. The log numbers events
        from a sequence: a write that rolled back (a refused concurrent decision, a conflict
        retried) used a number and left nothing, so the positions are increasing, not
        contiguous. A removed event would break the chain, so a gap is never a deletion."""
        last = self.chain.position - 1 if not self.chain.ok else self.chain.position
        return max(last - self.chain.events, 0)

    def lines(self) -> list[str]:
        c = self.chain
        if not c.ok:
            return [f"{self.tenant}: BROKEN at position {c.position}: {c.problem} "
                    f"({c.events} events verified before it)"]
        if self.unkept is not None:
            u = self.unkept
            return [f"{self.tenant}: BROKEN at position {u.position}: the log no longer has "
                    f"the head published there at {u.published_at.isoformat()} ({u.head})"]
        said = [f"{self.tenant}: OK — the hash chain holds for all {c.events} events, "
                f"positions 1 to {c.position}; head {c.head.hex()} at position {c.position}"]
        if self.unused_positions:
            said.append(f"  {self.unused_positions} positions hold no event: the log numbers "
                        "events from a sequence, and a write that rolled back (a refused or "
                        "retried concurrent write) used its number and left nothing; a "
                        "removed event would have broken the chain")
        if self.published:
            newest = self.published[0]
            said.append(f"  {len(self.published)} published checkpoints still held, the "
                        f"newest at position {newest.position} "
                        f"({newest.published_at.isoformat(timespec='seconds')})")
        else:
            said.append("  no checkpoint published yet")
        said.append(f"  {self.unwitnessed} events after the last checkpoint are not yet "
                    "witnessed")
        return said

    def as_json(self) -> dict[str, object]:
        c = self.chain
        newest = self.published[0] if self.published else None
        return {
            "tenant": self.tenant, "ok": self.ok, "events": c.events,
            "last_position": c.position if c.ok else None,
            "broken_at": (c.position if not c.ok
                          else self.unkept.position if self.unkept else None),
            "problem": c.problem or ("the log no longer has the published head"
                                     if self.unkept else None),
            "head": c.head.hex(), "unused_positions": self.unused_positions,
            "checkpoints": len(self.published),
            "newest_checkpoint": newest.as_json() if newest else None,
            "unwitnessed": self.unwitnessed,
        }


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

    entries = domain_errors(work)
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

    rebuilt, result = domain_errors(work)
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
    as_json: Annotated[bool, JSON] = False,
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

    bundle = domain_errors(work)
    if as_json:
        answer_json({"tenant": tenant, "events": bundle.events,
                     "from_position": bundle.from_position,
                     "until_position": bundle.until_position, "path": str(bundle.path),
                     "head": bundle.head})
        return
    typer.echo(f"{tenant}: {bundle.events} events ({bundle.from_position}, "
               f"{bundle.until_position}] → {bundle.path}; head {bundle.head}\n"
               f"verify with: cd {bundle.path} && python3 -m auditverify .")


@app.command()
def checkpoint(
    tenant: Annotated[str | None, typer.Option(help="Tenant slug")] = None,
    all_tenants: Annotated[bool, typer.Option("--all", help="Every tenant")] = False,
    by: Annotated[str, typer.Option(help="Who is acting")] = "platform-operator",
    as_json: Annotated[bool, JSON] = False,
) -> None:
    """Verify and publish the chain head of a tenant (or all) to the platform log; run it
    periodically (cron, a Kubernetes CronJob)."""
    from domain.actor import Actor
    from services.audit.checkpoints import publish

    if not tenant and not all_tenants:
        raise typer.BadParameter("give --tenant SLUG or --all")

    async def work(rt: Runtime) -> list[Checkpoint]:
        chosen = await rt.registry.all() if all_tenants else [await rt.registry.get(tenant or "")]
        done = []
        for t in chosen:
            cp = await publish(rt, t, Actor(by, "platform_admin"))
            if not as_json:
                typer.echo(f"{t.slug}: checkpoint at position {cp.position} head {cp.head}")
            done.append(cp)
        return done

    published = domain_errors(work)
    if as_json:
        answer_json([cp.as_json() for cp in published])
