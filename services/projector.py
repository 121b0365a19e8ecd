"""The projector worker: keeps every tenant's read models caught up with its log.

One process serves all tenants over the shared read pool plus one LISTEN connection.
Wake-ups come from ``pg_notify('congtam_events', slug)`` after each write (and from the
in-process API directly); a periodic sweep catches anything a lost notification missed.
Several projector processes may run: the per-tenant advisory lock in the runner means a
tenant is never applied twice at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import asyncpg
import structlog

from projections.runner import catch_up, head_position, tracked_position
from services.eventstore import NOTIFY_CHANNEL
from services.tenants import TenantRegistry

log = structlog.get_logger()

CHANNEL = NOTIFY_CHANNEL


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

    async def _run(self) -> None:
        for tenant in await self.registry.all():
            self._dirty.add(tenant.slug)
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.sweep_seconds)
            self._wake.clear()
            if not self._dirty:
                self._dirty.update(t.slug for t in await self.registry.all())
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
        async with self.pool.acquire() as conn:
            result = await catch_up(conn, tenant.schema)
        if result.applied:
            log.info("projected", tenant=slug, events=result.applied, position=result.position)
        return result.position

    async def lag(self, slug: str) -> int:
        tenant = await self.registry.get(slug)
        async with self.pool.acquire() as conn:
            return await head_position(conn, tenant.schema) - await tracked_position(
                conn, tenant.schema)
