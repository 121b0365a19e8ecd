"""The composition root: builds every part once from the settings, and tears it down."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio
import asyncpg
import structlog

from services.auth import TokenVerifier
from services.database import ConnectionParams, resolve_database_url
from services.eventstore import SharedPool, TenantApps
from services.handlers import TenantService
from services.metrics import POOLS
from services.platform_log import Platform
from services.projector import Projector
from services.settings import Settings
from services.tenants import Tenant, TenantRegistry

log = structlog.get_logger()


@dataclass
class Runtime:
    settings: Settings
    params: ConnectionParams
    pool: asyncpg.Pool
    shared: SharedPool
    apps: TenantApps
    registry: TenantRegistry
    verifier: TokenVerifier
    platform: Platform
    projector: Projector | None = None
    feed: Any = None  # services.gql.subscriptions.ProjectedFeed, opened by the first subscriber
    watched: tuple[int, ...] = ()  # keys of this runtime's pools in the metrics collector

    def service(self, tenant: Tenant) -> TenantService:
        return TenantService(self.apps.get(tenant.slug))

    async def written(self, tenant: Tenant) -> None:
        """After a write: wake the in-process projector at once (other projector processes
        are woken by the NOTIFY the recorder sends in the write's own transaction)."""
        if self.projector is not None:
            self.projector.poke(tenant.slug)


async def bootstrap(settings: Settings, *, projector: bool | None = None) -> Runtime:
    url = await anyio.to_thread.run_sync(resolve_database_url, settings)
    params = ConnectionParams.from_url(url)
    pool = await asyncpg.create_pool(
        **params.asyncpg_kwargs(), min_size=1, max_size=settings.read_pool_max
    )
    shared = SharedPool(params, settings.write_pool_max)
    apps = TenantApps(shared, settings.tenant_cache_size, settings.aggregate_cache_size)
    registry = TenantRegistry(pool, apps)
    await registry.migrate()
    platform = Platform(shared, pool)
    await platform.migrate()
    rt = Runtime(settings, params, pool, shared, apps, registry, TokenVerifier(settings),
                 platform)
    rt.watched = (
        POOLS.watch("read", lambda: (pool.get_size() - pool.get_idle_size(),
                                     pool.get_idle_size(), pool.get_max_size())),
        POOLS.watch("write", lambda: _psycopg_usage(shared)),
    )
    if projector if projector is not None else settings.projector_in_process:
        rt.projector = Projector(pool, registry)
        await rt.projector.start(params.asyncpg_kwargs())
    log.info("runtime_ready", max_connections=settings.max_connections)
    return rt


def _psycopg_usage(shared: SharedPool) -> tuple[int, int, int]:
    stats = shared.pool.get_stats()
    size, idle = stats.get("pool_size", 0), stats.get("pool_available", 0)
    return size - idle, idle, shared.pool.max_size


async def shutdown(rt: Runtime) -> None:
    for key in rt.watched:
        POOLS.forget(key)
    if rt.projector is not None:
        await rt.projector.stop()
    if rt.feed is not None:
        await rt.feed.close()
    await rt.pool.close()
    await anyio.to_thread.run_sync(rt.shared.close)
    log.info("runtime_stopped")
