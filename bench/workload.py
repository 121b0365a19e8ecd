"""Generate a scale's tenants, organisations and months of history, with a progress bar.

All of it goes through the real registry and TenantService, so the log holds exactly what
production would: hash-chained rows, real topics, real state sizes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench.batched import rate_month_batched
from bench.people import BenchUnit, build_units
from bench.scales import Scale, TenantSpec, month_at
from bench.stats import stopwatch
from projections.runner import head_position
from services.platform.tenants import Tenant
from services.runtime import Runtime


@dataclass
class Workload:
    tenants: list[Tenant]
    units: list[BenchUnit]  # most members first, then spread across tenants
    events: int = 0
    seconds: float = 0.0
    unit_months: int = 0
    heads: dict[str, int] = field(default_factory=dict)  # schema → last position

    def biggest_tenant(self) -> Tenant:
        by_schema = {t.schema: t for t in self.tenants}
        return by_schema[max(self.heads, key=lambda s: self.heads[s])]

    async def refresh_heads(self, rt: Runtime) -> None:
        async with rt.pool.acquire() as conn:
            for tenant in self.tenants:
                self.heads[tenant.schema] = await head_position(conn, tenant.schema)
        self.events = sum(self.heads.values())


def _slug(spec_index: int, i: int) -> str:
    return f"bench-{spec_index}-{i:03d}"


async def _durable_commits(rt: Runtime, on: bool) -> None:
    """Generation is set-up, not a measured path: on the bench's own throw-away cluster its
    commits need not wait for the WAL flush. Every measured path runs with the default back."""
    async with rt.pool.acquire() as conn:
        if on:
            await conn.execute("ALTER SYSTEM RESET synchronous_commit")
        else:
            await conn.execute("ALTER SYSTEM SET synchronous_commit = off")
        await conn.execute("SELECT pg_reload_conf()")
    # The reload reaches each backend asynchronously; wait until a fresh session sees it.
    want = "on" if on else "off"
    for _ in range(100):
        if await rt.pool.fetchval("SHOW synchronous_commit") == want:
            return
        await anyio.sleep(0.05)


async def generate(rt: Runtime, scale: Scale, console: Console) -> Workload:
    await _durable_commits(rt, on=False)
    try:
        return await _generate(rt, scale, console)
    finally:
        await _durable_commits(rt, on=True)


async def _generate(rt: Runtime, scale: Scale, console: Console) -> Workload:
    tenants: list[Tenant] = []
    units: list[BenchUnit] = []
    months = sum(s.count * s.units * s.months for s in scale.tenants)
    columns = (TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with stopwatch() as watch, Progress(*columns, console=console, transient=False) as progress:
        t_task = progress.add_task("tenants", total=scale.tenant_count)
        m_task = progress.add_task("unit-months", total=months)
        for spec_index, spec in enumerate(scale.tenants):
            for i in range(spec.count):
                kind = "district" if spec.units > 1 else "ward"
                name = f"{'Quận' if kind == 'district' else 'Phường'} thử tải {spec_index}-{i:03d}"
                tenant = await rt.registry.register(_slug(spec_index, i), name, kind)
                tenants.append(tenant)

                def fill(tenant: Tenant = tenant, spec: TenantSpec = spec) -> list[BenchUnit]:
                    return _fill(rt, tenant, len(tenants) - 1, spec, scale.name,
                                 lambda: progress.advance(m_task))

                units.extend(await anyio.to_thread.run_sync(fill))
                progress.advance(t_task)
    # Paths take units from the front: the biggest units first, and within a size one unit
    # per tenant in turn, so parallel clients land on different tenants where there are any.
    units.sort(key=lambda u: (-len(u.members), u.index, u.tenant_index))
    workload = Workload(tenants, units, seconds=watch.seconds, unit_months=months)
    await workload.refresh_heads(rt)
    return workload


def _fill(rt: Runtime, tenant: Tenant, tenant_index: int, spec: TenantSpec, scale_name: str,
          advance: Callable[[], None]) -> list[BenchUnit]:
    # Seeded by scale and tenant: the same run generates the same people and scores.
    rng = random.Random(f"{scale_name}/{tenant.slug}")
    service = rt.service(tenant)
    units = build_units(service, tenant, tenant_index, spec.units, spec.members, rng)
    for index in range(spec.months):
        year, month = month_at(index)
        for unit in units:
            rate_month_batched(service, unit, year, month, rng, close=True)
            advance()
    for unit in units:
        unit.next_month = spec.months
    return units
