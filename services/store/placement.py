"""Where tenants live: several PostgreSQL databases, and a directory of tenant → database.

A deployment has a **home** database (``DATABASE_URL``, or the embedded one): the platform
schema with its log, the tenant registry, users, grants and every person's personal-data
key live there, and so does every tenant by default. ``CONGTAM_DATABASES=name=url,…``
adds further databases that can hold tenant schemas. Each of them carries a small
``platform`` schema of its own for what must sit beside the tenant tables in the same
transaction (each log's head and projected position, ``platform.log_progress``, and the
fence a move sets there); nothing authoritative about users or keys is ever kept there.

Which database holds a tenant is recorded in the platform log (``TenantPlacement``
events, projected into ``platform.placements``), so every move is auditable. Processes
keep the directory in memory: one query at start, reloaded when the home database
announces a change (``NOTIFY congtam_placement``) and at each projector sweep. A tenant
not in the directory is in the home database, so with one database nothing is asked per
request at all. A process with a stale directory cannot lose a write: the copy a move
leaves behind is fenced in its own database (the append trigger refuses), and the client
gets ``TENANT_MOVING`` and retries.

Connections: each database has its own read and write pools of the configured sizes and
one listener for projector wake-ups (``Settings.max_connections``).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import asyncpg
import structlog

from domain.errors import DomainError
from services.settings import HOME_DATABASE
from services.store.database import ConnectionParams

if TYPE_CHECKING:
    from services.store.eventstore import SharedPool

log = structlog.get_logger()

PLACEMENT_CHANNEL = "congtam_placement"


class UnknownDatabaseError(DomainError):
    code = "UNKNOWN_DATABASE"


class TenantMovingError(DomainError):
    """A write to a tenant while it moves between databases (or to the copy it left)."""

    code = "TENANT_MOVING"

    def __init__(self) -> None:
        super().__init__(
            "Đơn vị đang chuyển dữ liệu sang máy chủ khác, thử lại sau ít phút. "
            "Chưa có gì được ghi.",
            "The tenant's data is being moved to another database server; try again in a "
            "few minutes. Nothing was written.")


def redact(url: str) -> str:
    """Where a database is, without its credentials (safe to log and to store)."""
    p = ConnectionParams.from_url(url)
    if p.host.startswith("/"):
        return f"postgresql://{p.user}@/{p.dbname}?host={p.host}&port={p.port}"
    return f"postgresql://{p.user}@{p.host}:{p.port}/{p.dbname}"


@dataclass
class Database:
    """One PostgreSQL database and this process's pools on it."""

    name: str
    params: ConnectionParams
    pool: asyncpg.Pool  # asyncpg: reads, projections
    shared: SharedPool  # psycopg: appends through the event store

    @property
    def reference(self) -> str:
        return redact(self.params.url())


@dataclass
class Directory:
    """Tenant → database, cached in the process (see the module's doc)."""

    databases: dict[str, Database]
    _placed: dict[str, str] = field(default_factory=dict)
    _listener: asyncpg.Connection | None = None
    _reloading: set[asyncio.Task[None]] = field(default_factory=set)
    loads: int = 0  # how many times the directory was read (tests, logs)

    @property
    def home(self) -> Database:
        return self.databases[HOME_DATABASE]

    @property
    def single(self) -> bool:
        return len(self.databases) == 1 and not self._placed

    def name_of(self, slug: str) -> str:
        return self._placed.get(slug, HOME_DATABASE)

    def database_of(self, slug: str) -> Database:
        if not self._placed:
            return self.home
        name = self._placed.get(slug, HOME_DATABASE)
        found = self.databases.get(name)
        if found is None:
            raise UnknownDatabaseError(
                f"Dữ liệu của đơn vị '{slug}' nằm ở cơ sở dữ liệu '{name}' mà máy chủ này chưa "
                "được cấu hình (CONGTAM_DATABASES).",
                f"Tenant '{slug}' is placed in database '{name}', which this process is not "
                "configured with (CONGTAM_DATABASES).")
        return found

    def placed_in(self, name: str) -> set[str]:
        """The tenants whose schema is in database ``name`` (home: those not listed)."""
        return {slug for slug, db in self._placed.items() if db == name}

    async def load(self) -> None:
        rows = await self.home.pool.fetch("SELECT tenant, database FROM platform.placements")
        self._placed = {r["tenant"]: r["database"] for r in rows
                        if r["database"] != HOME_DATABASE}
        self.loads += 1

    async def listen(self) -> None:
        """Reload on every placement change announced by the home database."""
        self._listener = await asyncpg.connect(**self.home.params.asyncpg_kwargs())
        await self._listener.add_listener(PLACEMENT_CHANNEL, self._on_notify)

    def _on_notify(self, *_: object) -> None:
        task = asyncio.get_running_loop().create_task(self._reload())
        self._reloading.add(task)
        task.add_done_callback(self._reloading.discard)

    async def _reload(self) -> None:
        try:
            await self.load()
            log.info("placement_directory_reloaded", placed=len(self._placed))
        except Exception:
            log.exception("placement_directory_reload_failed")

    async def close(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
        for task in list(self._reloading):
            task.cancel()


async def record_databases(home: asyncpg.Pool, databases: dict[str, Database]) -> None:
    """Keep ``platform.databases`` as configured: names and where, never credentials."""
    await home.executemany(
        "INSERT INTO platform.databases (name, reference) VALUES ($1, $2) "
        "ON CONFLICT (name) DO UPDATE SET reference = EXCLUDED.reference, seen_at = now()",
        [(db.name, db.reference) for db in databases.values()])


def fenced_error(error: BaseException) -> bool:
    """Whether an append failed because the tenant's log is fenced (projections/progress)."""
    from storage.db import FENCED_SQLSTATE

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if getattr(current, "sqlstate", None) == FENCED_SQLSTATE:
            return True
        current = current.__cause__ or current.__context__
    return False


def listen_kwargs(db: Database) -> dict[str, Any]:
    return db.params.asyncpg_kwargs()
