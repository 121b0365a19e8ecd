"""The composition root: builds every part once from the settings, and tears it down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
import asyncpg
import structlog

from services.app.handlers import TenantService
from services.audit.checkpoints import Witness
from services.audit.signing import CheckpointSigner, load_signer
from services.http.auth import TokenVerifier
from services.metrics import POOLS
from services.platform.grants import GrantsCache
from services.platform.platform_log import Platform
from services.platform.tenants import Tenant, TenantRegistry
from services.projector import Projector
from services.settings import HOME_DATABASE, Settings
from services.store.database import ConnectionParams, resolve_database_url
from services.store.dbroles import take_clean
from services.store.eventstore import SharedPool, TenantApps
from services.store.outage import bounded_pool
from services.store.placement import Database, Directory, record_databases

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
    directory: Directory
    signer: CheckpointSigner  # the platform's key for checkpoints (services/audit/signing.py)
    projector: Projector | None = None
    feed: Any = None  # services.gql.subscriptions.ProjectedFeed, opened by the first subscriber
    grants: GrantsCache | None = None  # callers' grants while unchanged, made at bootstrap
    watched: tuple[int, ...] = ()  # keys of this runtime's pools in the metrics collector

    def service(self, tenant: Tenant) -> TenantService:
        return TenantService(self.apps.get(tenant.slug))

    def pool_of(self, tenant: Tenant | str) -> asyncpg.Pool:
        """The read pool of the database holding ``tenant``'s schema (the home pool unless
        the tenant was moved: no query, the directory is in memory)."""
        if self.directory.single:
            return self.pool
        return self.directory.database_of(
            tenant if isinstance(tenant, str) else tenant.slug).pool

    def keys_for(self, tenant: Tenant | str) -> asyncpg.Pool | None:
        """Where a projection of ``tenant`` reads personal-data keys: None (its own
        connection) in the home database, else the home pool."""
        return None if self.pool_of(tenant) is self.pool else self.pool

    async def written(self, tenant: Tenant) -> None:
        """After a write: wake the in-process projector at once (other projector processes
        are woken by the NOTIFY the recorder sends in the write's own transaction)."""
        if self.projector is not None:
            self.projector.poke(tenant.slug)


async def bootstrap(settings: Settings, *, projector: bool | None = None) -> Runtime:
    url = await anyio.to_thread.run_sync(resolve_database_url, settings)
    params = ConnectionParams.from_url(url)
    home = await _open(HOME_DATABASE, params, settings)
    databases = {HOME_DATABASE: home}
    for name, other_url in settings.databases:
        databases[name] = await _open(name, ConnectionParams.from_url(other_url), settings)
    directory = Directory(databases)
    pool, shared = home.pool, home.shared
    apps = TenantApps(shared, settings.tenant_cache_size, settings.aggregate_cache_size,
                      route=lambda slug: directory.database_of(slug).shared)
    registry = TenantRegistry(pool, apps)
    await registry.migrate()
    for db in databases.values():
        if db is not home:  # the per-database platform tables: log progress and fences
            await TenantRegistry(db.pool, apps).migrate(home=False)
    platform = Platform(shared, pool)
    await platform.migrate()
    await directory.load()
    if settings.databases:
        await record_databases(pool, databases)
        await directory.listen()
    signer = await anyio.to_thread.run_sync(load_signer, settings)
    rt = Runtime(settings, params, pool, shared, apps, registry, TokenVerifier(settings),
                 platform, directory, signer)
    rt.grants = GrantsCache()
    watched: list[int] = []
    for db in databases.values():
        watched += [POOLS.watch("read", _asyncpg_usage(db.pool)),
                    POOLS.watch("write", _write_usage(db.shared))]
    rt.watched = tuple(watched)
    if projector if projector is not None else settings.projector_in_process:
        rt.projector = Projector(directory, registry, witness=Witness(
            directory, platform, signer, settings.checkpoint_every_s))
        await rt.projector.start(listen=True)
    log.info("runtime_ready", max_connections=settings.max_connections,
             databases=sorted(databases))
    return rt


async def _open(name: str, params: ConnectionParams, settings: Settings) -> Database:
    # Bounded in time (services/store/outage.py): ``timeout`` to connect, ``command_timeout``
    # waited for by the client (a frozen server answers nothing, not even its own timeout),
    # ``statement_timeout`` kept by the server (a statement whose client gave up stops).
    statement = settings.db_statement_timeout_s
    pool = await bounded_pool(
        **params.asyncpg_kwargs(), min_size=1, max_size=settings.read_pool_max,
        reset=reset_session, timeout=settings.db_connect_timeout_s, command_timeout=statement,
        server_settings={"statement_timeout": str(int(statement * 1000))},
    )
    return Database(name, params, pool, SharedPool(
        params, settings.write_pool_max, connect_timeout_s=settings.db_connect_timeout_s,
        statement_timeout_s=statement))


async def reset_session(conn: asyncpg.Connection) -> None:
    """What the pool runs on a connection it takes back: asyncpg's own reset, and the role.

    ``RESET ALL`` leaves the role alone (PostgreSQL marks it so), and the projector's and
    platform projector's blocks set it for the session: if such a block is interrupted
    before its ``RESET ROLE`` (a cancelled task, a dropped statement), the next borrower
    would act as the projector. One round trip, as asyncpg's reset alone would be — and none
    after a committed tenant read (services/store/dbroles.py ``read_checkout``), whose role
    and settings ended with its transaction."""
    if take_clean(conn):
        return
    await conn.execute(f"{conn.get_reset_query()}\nRESET ROLE;")


def _asyncpg_usage(pool: asyncpg.Pool) -> Callable[[], tuple[int, int, int]]:
    return lambda: (pool.get_size() - pool.get_idle_size(), pool.get_idle_size(),
                    pool.get_max_size())


def _write_usage(shared: SharedPool) -> Callable[[], tuple[int, int, int]]:
    return lambda: _psycopg_usage(shared)


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
    await rt.directory.close()
    for db in rt.directory.databases.values():
        await db.pool.close()
        await anyio.to_thread.run_sync(db.shared.close)
    log.info("runtime_stopped")
