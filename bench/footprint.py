"""What the tenant count costs: memory and PostgreSQL connections of the API and projector.

Issue #8's anchors are 600 tenants (Hanoi's communes and wards before the 2025 merger) and
3,321 (every commune and ward of the country): each process must stay within 30 connections
and the API within 500 MB whatever the count. So every tenant is touched, through the real
processes: the API serves one decision (the write side: the tenant's application, its event
store, the aggregates) and one unit board (the read side) per tenant, and the projector then
projects every tenant's new event. Peak RSS is the kernel's high-water mark (VmHWM), so a
transient spike anywhere in the run counts.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import anyio
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench.http import Call, LaneClient, drive, graphql_call
from bench.people import BenchUnit, open_month
from bench.processes import (
    API_ROLE,
    PROJECTOR_ROLE,
    backend_memory_mb,
    connections,
    create_roles,
    running,
)
from bench.scales import month_at
from bench.stats import Measure
from domain.ids import PeriodId
from projections.runner import head_position, tracked_position
from services.http.auth import mint_token
from services.runtime import Runtime
from services.settings import Settings

CLIENTS = 8
TARGET_CONNECTIONS = 30  # per process (issue #8)
TARGET_API_RSS_MB = 500.0
RATINGS = """query Ratings($unit: ID!, $year: Int!, $month: Int!) {
  unitRatings(unitId: $unit, year: $year, month: $month, first: 100) {
    edges { node { staffId level score } } }
}"""
DECIDE = """mutation Decide($period: ID!, $staff: ID!) {
  decideRating(input: {periodId: $period, staffId: $staff, level: B, score: 80,
                       reasons: "Hoàn thành tốt nhiệm vụ."}) { position }
}"""


def one_unit_per_tenant(units: list[BenchUnit]) -> list[BenchUnit]:
    seen: set[str] = set()
    out: list[BenchUnit] = []
    for unit in units:
        if unit.tenant.schema not in seen:
            seen.add(unit.tenant.schema)
            out.append(unit)
    return out


async def _open_months(rt: Runtime, units: list[BenchUnit],
                       console: Console) -> list[PeriodId]:
    """Set-up, not measured: a fresh month per tenant for the chair to decide in."""
    periods: list[PeriodId] = []
    columns = (TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("open months", total=len(units))
        for unit in units:
            service = rt.service(unit.tenant)
            period = await anyio.to_thread.run_sync(
                open_month, service, unit, *month_at(unit.take_month()))
            periods.append(period)
            progress.advance(task)
    return periods


def _calls(http: LaneClient, settings: Settings, unit: BenchUnit,
           period: PeriodId) -> list[Call]:
    slug = unit.tenant.slug
    chair = mint_token(settings, tenant=slug, user=str(unit.chair),
                       roles=["unit_leader", "staff"])
    reader = mint_token(settings, tenant=slug, user=str(uuid.uuid4()), roles=["hr_officer"])
    year, month = month_at(0)
    return [graphql_call(http, chair, DECIDE, {"period": str(period),
                                               "staff": str(unit.leader)}),
            graphql_call(http, reader, RATINGS, {"unit": str(unit.unit_id), "year": year,
                                                 "month": month})]


async def _wait_projected(rt: Runtime, units: list[BenchUnit], within_s: float) -> float:
    """Seconds until the projector process has every tenant's log applied (bounded)."""
    started = time.perf_counter()
    pending = {u.tenant.schema for u in units}
    while pending and time.perf_counter() - started < within_s:
        async with rt.pool.acquire() as conn:
            for schema in list(pending):
                if await tracked_position(conn, schema) >= await head_position(conn, schema):
                    pending.discard(schema)
        if pending:
            await asyncio.sleep(0.5)
    if pending:
        raise RuntimeError(f"projector left {len(pending)} tenants behind after {within_s:.0f} s")
    return time.perf_counter() - started


async def tenant_footprint(rt: Runtime, settings: Settings, units: list[BenchUnit],
                           console: Console, budget_s: float) -> Measure:
    """Every tenant touched through a separate API and projector process; returns the rate of
    tenants served, with memory and connections in ``extra``."""
    targets = one_unit_per_tenant(units)
    periods = await _open_months(rt, targets, console)
    await create_roles(rt)
    async with running(settings, "projector", PROJECTOR_ROLE, serve=False) as projector, \
            running(settings, "api", API_ROLE, serve=True) as api:
        start_rss, _ = api.memory_mb()
        async with LaneClient(api.base_url or "", CLIENTS) as http:
            lanes: list[list[Call]] = [[] for _ in range(CLIENTS)]
            for i, (unit, period) in enumerate(zip(targets, periods, strict=True)):
                lanes[i % CLIENTS].extend(_calls(http, settings, unit, period))
            # The budget bounds a normal path; here every tenant must be touched, so the
            # bound is generous and a shortfall shows as an error.
            measure = await drive("tenant_footprint", lanes, max(budget_s, 1800.0))
        catch_up_s = await _wait_projected(rt, targets, within_s=600.0)
        by_role = await connections(rt)
        backends = await backend_memory_mb(rt)
        api_rss, api_peak = api.memory_mb()
        projector_rss, projector_peak = projector.memory_mb()
    served = len(measure.latencies_ms) // 2
    extra: dict[str, Any] = {
        "tenants": len(targets),
        "tenants_served": served,
        "api_start_rss_mb": round(start_rss, 1),
        "api_rss_mb": round(api_rss, 1),
        "api_peak_rss_mb": round(api_peak, 1),
        "projector_rss_mb": round(projector_rss, 1),
        "projector_peak_rss_mb": round(projector_peak, 1),
        "api_connections": by_role.get(API_ROLE, 0),
        "projector_connections": by_role.get(PROJECTOR_ROLE, 0),
        "projector_catch_up_s": round(catch_up_s, 2),
        # Server side: the private memory of each process's PostgreSQL backends.
        "api_backends_mb": round(backends.get(API_ROLE, (0.0, 0.0))[0], 1),
        "api_backend_max_mb": round(backends.get(API_ROLE, (0.0, 0.0))[1], 1),
        "projector_backends_mb": round(backends.get(PROJECTOR_ROLE, (0.0, 0.0))[0], 1),
        "projector_backend_max_mb": round(backends.get(PROJECTOR_ROLE, (0.0, 0.0))[1], 1),
        "target_connections_per_process": TARGET_CONNECTIONS,
        "target_api_rss_mb": TARGET_API_RSS_MB,
        **({"first_error": measure.extra["first_error"]} if "first_error" in measure.extra
           else {}),
    }
    missing = len(targets) - served
    return Measure("tenant_footprint", "tenants/s", served, measure.seconds,
                   latencies_ms=measure.latencies_ms, errors=measure.errors + missing,
                   concurrency=CLIENTS, extra=extra)
