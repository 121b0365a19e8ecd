"""The projector worker: keeps every tenant's read models caught up with its log.

One process serves all tenants over the shared read pool plus one LISTEN connection.
Wake-ups come from ``pg_notify('congtam_events', schema)`` after each write (and from the
in-process API directly); a periodic sweep catches anything a lost notification missed.
The sweep is one query over ``platform.log_progress`` (each tenant's head beside its
projected position), so it costs the same at 3 tenants or 3,321, and it refreshes the
per-tenant lag gauge exported at ``/metrics``.
Several projector processes may run: the per-tenant advisory lock in the runner means a
tenant is never applied twice at once.

With several databases (services/store/placement.py) there is one LISTEN connection and one
sweep query per database, and each tenant is projected on the database the directory
places it in, with personal-data keys read from the home database. The directory is
reloaded at each sweep, so a tenant moved by another process is served where it now is;
the copy a move leaves behind is never projected (it is not where the tenant is placed).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING

import asyncpg
import structlog
from prometheus_client import Counter, Gauge

from projections.progress import Lag, lags, progress_rows, record_stall
from projections.runner import (
    BACKLOG_BATCH_SIZE,
    BATCH_SIZE,
    ProjectionStalledError,
    catch_up,
)
from services.platform.tenants import TenantRegistry
from services.settings import HOME_DATABASE
from services.store.dbroles import projecting_as
from services.store.eventstore import NOTIFY_CHANNEL
from services.store.placement import Directory

if TYPE_CHECKING:
    from services.audit.checkpoints import Witness

log = structlog.get_logger()

CHANNEL = NOTIFY_CHANNEL
TURN_BATCHES = 2

LAG = Gauge("congtam_projection_lag_events",
            "Events appended to a tenant's log but not yet in its read models",
            ["tenant"])
STALLED = Gauge("congtam_projection_stalled",
                "1 while a tenant's projection cannot apply an event (see /healthz)",
                ["tenant", "projection"])
FAILURES = Counter("congtam_projection_failures_total",
                   "Batches of a tenant's events that failed to project", ["tenant"])


def slug_of_schema(schema: str) -> str:
    """t_hn_long_bien → hn-long-bien (slugs never contain underscores)."""
    return schema.removeprefix("t_").replace("_", "-")


class Projector:
    def __init__(self, directory: Directory, registry: TenantRegistry,
                 sweep_seconds: float = 2.0, witness: Witness | None = None):
        self.directory = directory
        self.pool = directory.home.pool
        self.registry = registry
        self.sweep_seconds = sweep_seconds
        self._dirty: set[str] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listeners: list[asyncpg.Connection] = []
        self.caught_up = asyncio.Condition()
        self._stopping = False
        self._swept_at = 0.0
        self.witness = witness  # signs each tenant's chain head now and then (checkpoints)
        # Tenants whose last batch failed, with the projection that failed: retried one
        # event at a time, so every good event before the bad one is applied and the bad
        # one is named exactly.
        self.stalled: dict[str, str] = {}

    def poke(self, slug: str) -> None:
        self._dirty.add(slug)
        self._wake.set()

    async def start(self, listen: bool = False) -> None:
        if listen:  # one wake-up connection per database holding tenants
            for db in self.directory.databases.values():
                listener = await asyncpg.connect(**db.params.asyncpg_kwargs())
                await listener.add_listener(CHANNEL, self._on_notify)
                self._listeners.append(listener)
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
        for listener in self._listeners:
            await listener.close()

    async def sweep(self) -> list[Lag]:
        """One query per database: every tenant's lag; refresh the gauge, mark the ones
        behind."""
        if len(self.directory.databases) > 1:
            await self.directory.load()
        found = await all_lags(self.directory)
        for lag in found:
            LAG.labels(tenant=lag.slug).set(lag.events)
            if lag.events:
                self._dirty.add(lag.slug)
        self._swept_at = time.monotonic()
        return found

    async def _run(self) -> None:
        await self.sweep()
        if self._dirty:  # a backlog found at start (a restart, a deploy) goes at once,
            self._wake.set()  # not after a whole sweep interval
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
                await self.project_safely(slug)
            async with self.caught_up:
                self.caught_up.notify_all()
            if self.witness is not None:
                await self.witness.tick()

    async def project_safely(self, slug: str) -> None:
        """``project_tenant``, with any failure counted, logged and recorded, never raised:
        one tenant's trouble must not stop the others."""
        try:
            await self.project_tenant(slug)
        except asyncio.CancelledError:
            raise
        except ProjectionStalledError as stall:
            await self._stalled(slug, stall)
        except Exception:
            FAILURES.labels(tenant=slug).inc()
            log.exception("projection_failed", tenant=slug)

    async def project_tenant(self, slug: str) -> int:
        tenant = await self.registry.get(slug)
        db = self.directory.database_of(slug)
        keys = None if db is self.directory.home else self.directory.home.pool
        stalled = self.stalled.get(slug)
        async with db.pool.acquire() as conn, projecting_as(conn):
            # Turns: a tenant with a long backlog (a restored or imported log) gets a few
            # batches, then every other dirty tenant gets its turn before it goes again.
            # A stalled tenant goes one event at a time, never in growing batches.
            result = await catch_up(
                conn, tenant.schema, max_batches=TURN_BATCHES, keys=keys,
                batch_size=1 if stalled else BATCH_SIZE,
                backlog_batch_size=None if stalled else BACKLOG_BATCH_SIZE)
        if stalled is not None and not result.skipped and not result.more:
            # Reached the end of the log: whatever stopped it is behind us.
            del self.stalled[slug]
            STALLED.labels(tenant=slug, projection=stalled).set(0)
            log.info("projection_resumed", tenant=slug, position=result.position)
        if result.more:
            self._dirty.add(slug)
            self._wake.set()
        if result.applied:
            log.info("projected", tenant=slug, events=result.applied, position=result.position)
        if not result.skipped:
            # It reached the end of the log as it stood; a write since then is the sweep's.
            LAG.labels(tenant=slug).set(0)
        return result.position


    async def _stalled(self, slug: str, stall: ProjectionStalledError) -> None:
        """Never silent: a metric, a log line naming tenant, projection and positions, and
        the platform row every process's /healthz reads. The tenant is retried at each
        sweep, one event at a time."""
        FAILURES.labels(tenant=slug).inc()
        STALLED.labels(tenant=slug, projection=stall.projection).set(1)
        self.stalled[slug] = stall.projection
        log.error("projection_stalled", tenant=slug, projection=stall.projection,
                  first_position=stall.first, last_position=stall.last, error=stall.cause)
        try:
            db = self.directory.database_of(slug)
            async with db.pool.acquire() as conn, projecting_as(conn):
                await record_stall(conn, stall.schema, stall.projection, stall.first,
                                   stall.last, stall.cause)
        except Exception:  # the database itself away: the log line and metric still stand
            log.warning("projection_stall_not_recorded", tenant=slug, exc_info=True)


async def all_lags(directory: Directory) -> list[Lag]:
    """Every tenant's head and projected position: one statement per database, each tenant
    read where it is placed (a copy left behind by a move is not counted)."""
    home = directory.home
    async with home.pool.acquire() as conn:
        found = await lags(conn)
    if len(directory.databases) == 1:
        return found
    away = {slug for name in directory.databases if name != HOME_DATABASE
            for slug in directory.placed_in(name)}
    found = [lag for lag in found if lag.slug not in away]
    for name, db in directory.databases.items():
        if name == HOME_DATABASE:
            continue
        placed = directory.placed_in(name)
        if not placed:
            continue
        async with db.pool.acquire() as conn:
            found += [lag for lag in await progress_rows(conn) if lag.slug in placed]
    return sorted(found, key=lambda lag: lag.slug)


async def refresh_lag(directory: Directory) -> list[Lag]:
    """Set the lag gauge of every tenant from the tracking tables (an API without its own
    projector, at scrape time: one statement per database)."""
    found = await all_lags(directory)
    for lag in found:
        LAG.labels(tenant=lag.slug).set(lag.events)
    return found
