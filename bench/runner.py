"""One bench run: fresh database, generated workload, every selected path beside its floor."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from bench.appeal_paths import appeal_cycle
from bench.audit_paths import (
    AUDIT_EVENTS,
    as_of_unit_month,
    baseline_read_audit,
    drop_audit_tenant,
    export_bundle,
    prepare_audit_tenant,
    verify_chain,
)
from bench.db_paths import (
    baseline_copy,
    baseline_insert_concurrent,
    baseline_insert_single,
    baseline_read,
    catch_up_all,
    catch_up_from_zero,
    mean_state_bytes,
    prepare_baseline_table,
    rebuild,
)
from bench.env import bench_env, server_version
from bench.footprint import tenant_footprint
from bench.http_paths import run_http_paths
from bench.import_paths import import_staff
from bench.month_end import month_end_burst
from bench.move_paths import tenant_move
from bench.report import build_record, write_record
from bench.scales import Scale
from bench.stats import Measure, stopwatch
from bench.workload import Workload, generate
from bench.write_paths import append_library, bulk_board, bulk_rating

PATHS = ("append_library", "bulk_rating", "bulk_board", "appeal_cycle", "decision_graphql",
         "dashboard_query", "floors", "commit_to_visible", "rebuild", "catch_up", "verify",
         "export", "as_of_unit_month", "tenant_footprint", "month_end_burst", "tenant_move",
         "import_staff")
CHOICES = (*PATHS, "baseline_insert_single", "baseline_insert_c32", "baseline_copy",
           "baseline_read",
           "baseline_read_audit")
AUDIT_PATHS = {"verify", "export", "as_of_unit_month"}
# Served over HTTP by one ``congtam serve``, beside the bare stack and the peer. ("floors":
# our { __typename } and board at 1/8/32 clients beside theirs, without the decisions.)
HTTP_PATHS = {"decision_graphql", "dashboard_query", "commit_to_visible", "floors"}
# A path is never reported without the floor it is read against. (The { __typename }
# floors are measured by the HTTP step itself, on the same server.)
NEEDS = {"append_library": "baseline_insert_single", "bulk_rating": "baseline_insert_single",
         "bulk_board": "baseline_copy",
         "appeal_cycle": "baseline_insert_single",
         "rebuild": "baseline_read", "catch_up": "baseline_read",
         "verify": "baseline_read_audit", "as_of_unit_month": "baseline_read_audit",
         "export": "baseline_read_audit", "tenant_move": "baseline_copy",
         "import_staff": "baseline_copy"}


def selected(only: list[str] | None) -> set[str]:
    if not only:
        return set(CHOICES)
    wanted = set(only) | {NEEDS[name] for name in only if name in NEEDS}
    if "decision_graphql" in wanted:  # read against raw INSERTs at 1 and 32 clients
        wanted |= {"baseline_insert_single", "baseline_insert_c32"}
    return wanted


def _generated(workload: Workload, state_bytes: int) -> dict[str, Any]:
    return {
        "tenants": len(workload.tenants),
        "units": len(workload.units),
        "staff": sum(len(u.members) + 1 for u in workload.units) + len(workload.tenants),
        "unit_months": workload.unit_months,
        "events": workload.events,
        "seconds": round(workload.seconds, 2),
        "events_per_s": round(workload.events / workload.seconds, 1) if workload.seconds else 0,
        "mean_state_bytes": state_bytes,
    }


async def _measure(scale: Scale, wanted: set[str], console: Console, audit_events: int | None
                   ) -> tuple[list[Measure], dict[str, Any], str, dict[str, Any]]:
    measures: list[Measure] = []
    peer: dict[str, Any] = {"name": "postgraphile", "measured": False,
                            "reason": "no GraphQL path in this run"}
    budget = scale.budget_s
    async with bench_env() as env:
        rt = env.runtime
        console.print(f"[bold]Generating[/] scale [cyan]{scale.name}[/] "
                      f"(embedded PostgreSQL in {env.data_dir})")
        workload = await generate(rt, scale, console)
        state_bytes = await mean_state_bytes(rt, workload.biggest_tenant())
        generated = _generated(workload, state_bytes)
        generated["synchronous_commit_measured"] = await rt.pool.fetchval(
            "SHOW synchronous_commit")
        console.print("[bold]Measuring[/] …")
        if wanted & {"baseline_insert_single", "baseline_insert_c32", "baseline_copy"}:
            await prepare_baseline_table(rt)
        if "baseline_insert_single" in wanted:
            measures.append(await baseline_insert_single(rt, scale.insert_rows, state_bytes,
                                                         budget))
        if "baseline_insert_c32" in wanted:
            measures.append(await baseline_insert_concurrent(rt, scale.insert_rows, state_bytes,
                                                             32, budget))
        if "baseline_copy" in wanted:
            measures.append(await baseline_copy(rt, scale.copy_rows, state_bytes))
        units = workload.units
        if "append_library" in wanted:
            measures.append(await append_library(rt, units[0], scale.append_people, budget))
        if "bulk_rating" in wanted:
            measures.append(await bulk_rating(rt, units[1 if len(units) > 1 else 0], budget))
        if "bulk_board" in wanted:
            measures.append(await bulk_board(rt, units[3 if len(units) > 3 else 0], budget))
        if "appeal_cycle" in wanted:
            measures.append(await appeal_cycle(rt, units[2 if len(units) > 2 else 0], budget))
        await workload.refresh_heads(rt)
        big = workload.biggest_tenant()
        if "baseline_read" in wanted:
            measures.append(await baseline_read(rt, big))
        if "rebuild" in wanted:
            measures.append(await rebuild(rt, big))
        if "catch_up" in wanted:
            measures.append(await catch_up_from_zero(rt, big))
        if wanted & AUDIT_PATHS:
            audit = await prepare_audit_tenant(rt, big, audit_events or AUDIT_EVENTS[scale.name])
            measures.append(await baseline_read_audit(rt, audit))
            if "verify" in wanted:
                measures.append(await verify_chain(rt, audit))
            if "export" in wanted:
                measures.append(await export_bundle(rt, audit))
            if "as_of_unit_month" in wanted:
                measures.append(await as_of_unit_month(rt, audit))
            # Out of the served app's way: its projector would otherwise spend the HTTP
            # paths catching up a log that exists only for the audit paths.
            await drop_audit_tenant(rt, audit)
        if wanted & HTTP_PATHS:
            await catch_up_all(rt, workload.tenants)
            served, status = await run_http_paths(rt, env.settings, scale, units, wanted)
            measures += served
            peer = status.to_json()
            if not status.measured:
                console.print(f"[yellow]peer not measured[/]: {status.reason}")
        # Each of these starts its own API and projector processes (memory and connections
        # are per process); the GraphQL paths' processes above have stopped.
        if "month_end_burst" in wanted:
            measures += await month_end_burst(rt, env.settings, units, console,
                                              scale.month_end_window_s, scale.month_end_people)
        if "tenant_footprint" in wanted:
            measures.append(await tenant_footprint(rt, env.settings, workload.units, console,
                                                   budget))
        if "tenant_move" in wanted:
            measures.append(await tenant_move(rt, env.settings, big))
        if "import_staff" in wanted:  # a fresh tenant of its own: 2,000 rows, one file
            measures.append(await import_staff(rt))
        postgres = await server_version(rt)
    return measures, generated, postgres, peer


async def run(scale: Scale, wanted: set[str], out_dir: Path, console: Console,
              audit_events: int | None = None) -> tuple[dict[str, Any], Path]:
    started_at = datetime.now().astimezone()
    with stopwatch() as total:
        measures, generated, postgres, peer = await _measure(scale, wanted, console,
                                                             audit_events)
    record = build_record(scale, measures, started_at=started_at, total_seconds=total.seconds,
                          generated=generated, postgres=postgres, peer=peer)
    return record, write_record(record, out_dir, started_at)
