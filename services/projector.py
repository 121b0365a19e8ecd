"""The projector worker: keeps every tenant's read models caught up with its log.

One process serves all tenants over the shared read pool plus one LISTEN connection.
Wake-ups come from ``pg_notify('congtam_events', schema)`` after each write (and from the
in-process API directly); a periodic sweep catches anything a lost notification missed.
The sweep is one query over ``platform.log_progress`` (each tenant's head beside its
projected position), so it costs the same at 3 tenants or 3,321, and it refreshes the
per-tenant lag gauge exported at ``/metrics``.
Several projector processes may run: the per-tenant advisory lock in the runner means a
tenant is never applied twice at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import asyncpg
import structlog
from prometheus_client import Gauge

from projections.progress import Lag, lags
from projections.runner import catch_up
from services.dbroles import projecting_as
from services.eventstore import NOTIFY_CHANNEL
from services.tenants import TenantRegistry

log = structlog.get_logger()

CHANNEL = NOTIFY_CHANNEL
TURN_BATCHES = 2

LAG = Gauge("congtam_projection_lag_events",
            "Events appended to a tenant's log but not yet in its read models",
            ["tenant"])


def slug_of_schema(schema: str) -> str:
    """t_hn_long_bien → hn-long-bien (slugs never contain underscores)."""
    return schema.removeprefix("t_").replace("_", "-")


class Projector:
    def __init__(self, pool: asyncpg.Pool, registry: TenantRegistry, sweep_seconds: float = 2.0):
        self.pool = pool
        self.registry = registry
        self.sweep_seconds = sweep_seconds
        self._dirty: set[str] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncpg.Connection | None = None
        self.caught_up = asyncio.Condition()
        self._stopping = False
        self._swept_at = 0.0

    def poke(self, slug: str) -> None:
        self._dirty.add(slug)
        self._wake.set()

    async def start(self, listen_kwargs: dict[str, Any] | None = None) -> None:
        if listen_kwargs is not None:
            self._listener = await asyncpg.connect(**listen_kwargs)
            await self._listener.add_listener(CHANNEL, self._on_notify)
        self._task = asyncio.create_task(self._run(), name="projector")

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        self.poke(slug_of_schema(str(payload)))

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Graceful: the tenant being projected finishes its batches, then the loop ends.

        Past the grace period the task is cancelled; that is still safe, because a batch is
        one transaction and an interrupted one simply rolls back.
        """
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), grace_seconds)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        if self._listener is not None:
            await self._listener.close()

    async def sweep(self) -> list[Lag]:
        """One query: every tenant's lag; refresh the gauge, mark the ones behind."""
        async with self.pool.acquire() as conn:
            found = await lags(conn)
        for lag in found:
            LAG.labels(tenant=lag.slug).set(lag.events)
            if lag.events:
                self._dirty.add(lag.slug)
        self._swept_at = time.monotonic()
        return found

    async def _run(self) -> None:
        await self.sweep()
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.sweep_seconds)
            self._wake.clear()
            # Also while busy: a tenant whose notification was lost must not wait for a
            # quiet moment that may never come.
            if not self._dirty or time.monotonic() - self._swept_at >= self.sweep_seconds:
                try:
                    await self.sweep()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("projection_sweep_failed")
            dirty, self._dirty = self._dirty, set()
            for slug in sorted(dirty):
                if self._stopping:
                    return
                try:
                    await self.project_tenant(slug)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("projection_failed", tenant=slug)
            async with self.caught_up:
                self.caught_up.notify_all()

    async def project_tenant(self, slug: str) -> int:
        tenant = await self.registry.get(slug)
        async with self.pool.acquire() as conn, projecting_as(conn):
            # Turns: a tenant with a long backlog (a restored or imported log) gets a few
            # batches, then every other dirty tenant gets its turn before it goes again.
            result = await catch_up(conn, tenant.schema, max_batches=TURN_BATCHES)
        if result.more:
            self._dirty.add(slug)
            self._wake.set()
        if result.applied:
            log.info("projected", tenant=slug, events=result.applied, position=result.position)
        if not result.skipped:
            # It reached the end of the log as it stood; a write since then is the sweep's.
            LAG.labels(tenant=slug).set(0)
        return result.position
