"""The tenant registry (platform.tenants) and tenant provisioning.

A tenant is a district, ward or commune. Registering one creates its schema ``t_<slug>``,
its event table and its read models, then makes it visible in the registry — in that
order, so a half-provisioned tenant is never served.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import anyio
import asyncpg
import structlog

from domain.errors import NotFoundError, ValidationFailedError
from projections import progress
from projections.registry import platform_ddl, tenant_ddl
from projections.runner import ensure_tracking
from services.http import rate_buckets
from services.settings import HOME_DATABASE
from services.store.dbroles import (
    AWAY_ROLES_SQL,
    away_schemas_needing_roles,
    install_platform_roles,
    install_tenant_roles,
    mark_away_roles_installed,
    mark_roles_installed,
    tenants_needing_roles,
)
from services.store.ddl import without_present
from services.store.eventstore import TenantApps, tenant_schema
from services.store.integrity import install_sql
from storage.db import DbConn

if TYPE_CHECKING:
    from services.store.placement import Database

log = structlog.get_logger()

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_SLUG = 48  # keeps t_<slug> and its index names under PostgreSQL's 63-byte limit


@dataclass(frozen=True)
class Tenant:
    slug: str
    name: str
    kind: str
    parent_slug: str | None
    schema: str
    status: str


class UnknownTenantError(NotFoundError):
    code = "UNKNOWN_TENANT"


# Administrative levels a tenant may be (Vietnamese names for messages). Before the 2025
# reform: province/city, district (quận, huyện, thị xã, thành phố thuộc tỉnh), ward,
# commune and town (thị trấn); after it: province/city, ward, commune and special zone.
KINDS: dict[str, str] = {
    "province": "tỉnh/thành phố trực thuộc trung ương",
    "district": "quận/huyện/thị xã/thành phố thuộc tỉnh",
    "ward": "phường",
    "commune": "xã",
    "town": "thị trấn",
    "special_zone": "đặc khu",
}


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationFailedError(
            f"Loại đơn vị hành chính '{kind}' không hợp lệ; dùng một trong: "
            + ", ".join(f"{k} ({v})" for k, v in KINDS.items()) + ".",
            f"Unknown tenant kind '{kind}'; use one of: {', '.join(KINDS)}.")


def check_slug(slug: str) -> None:
    if not SLUG.match(slug) or len(slug) > MAX_SLUG:
        raise ValidationFailedError(
            "Mã đơn vị hành chính không hợp lệ (chỉ gồm chữ thường, số và dấu gạch ngang).",
            "Invalid tenant slug (lowercase letters, digits and single hyphens only).",
        )


class TenantRegistry:
    def __init__(self, pool: asyncpg.Pool, apps: TenantApps) -> None:
        self.pool = pool
        self.apps = apps
        self._cache: dict[str, Tenant] = {}

    async def migrate(self, *, home: bool = True) -> None:
        """The platform tables and every tenant's privileges where they changed. ``home``:
        this is the registry's database; any other holds tenants placed away from home,
        known by their logs there."""
        async with self.pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock(7310)")
            try:
                await conn.execute(await without_present(conn, platform_ddl()))
                await conn.execute(rate_buckets.INSTALL_SQL)
                await conn.execute(progress.PLATFORM_SQL)
                await conn.execute(AWAY_ROLES_SQL)
                await progress.install_missing(conn)
                await install_platform_roles(conn)
                needing, mark = ((tenants_needing_roles, mark_roles_installed) if home else
                                 (away_schemas_needing_roles, mark_away_roles_installed))
                for schema in await needing(conn):
                    await install_tenant_roles(conn, schema)
                    await mark(conn, schema)
            finally:
                await conn.execute("SELECT pg_advisory_unlock(7310)")

    async def register(
        self, slug: str, name: str, kind: str, parent_slug: str | None = None, *,
        at: Database | None = None,
    ) -> Tenant:
        """Register a tenant (idempotent: a second call renames it). ``at``: a database other
        than home to create its schema in; the caller records that placement first
        (services/platform/onboarding.py), since the registry row makes the tenant visible."""
        check_slug(slug)
        check_kind(kind)
        if parent_slug is not None:
            await self.get(parent_slug)
        schema = tenant_schema(slug)
        away = at if at is not None and at.name != HOME_DATABASE else None
        async with (away.pool if away else self.pool).acquire() as conn:
            await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        await anyio.to_thread.run_sync(self.apps.create_tables, slug,
                                       away.shared if away else None)
        if away:
            async with away.pool.acquire() as conn, conn.transaction():
                await provision(conn, schema)
                await mark_away_roles_installed(conn, schema)
        async with self.pool.acquire() as conn, conn.transaction():
            if not away:
                await provision(conn, schema)
            await conn.execute(
                "INSERT INTO platform.tenants (slug, name, kind, parent_slug, schema_name) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (slug) DO UPDATE SET name = $2",
                slug, name, kind, parent_slug, schema,
            )
            await mark_roles_installed(conn, schema)
        self._cache.pop(slug, None)
        log.info("tenant_registered", tenant=slug, schema=schema,
                 database=at.name if at is not None else HOME_DATABASE)
        return await self.get(slug)

    async def get(self, slug: str) -> Tenant:
        tenant = self._cache.get(slug)
        if tenant is not None:
            return tenant
        row = await self.pool.fetchrow(
            "SELECT slug, name, kind, parent_slug, schema_name, status FROM platform.tenants "
            "WHERE slug = $1",
            slug,
        )
        if row is None:
            raise UnknownTenantError(
                f"Không tìm thấy đơn vị hành chính '{slug}'.", f"Unknown tenant '{slug}'."
            )
        tenant = Tenant(row["slug"], row["name"], row["kind"], row["parent_slug"],
                        row["schema_name"], row["status"])
        self._cache[slug] = tenant
        return tenant

    async def province_above(self, tenant: Tenant) -> Tenant | None:
        """The province above ``tenant`` (a ward's parent since 2025; through a former
        district before): what it sets, the tenant inherits. None: no province above."""
        current = tenant
        while current.parent_slug is not None:
            current = await self.get(current.parent_slug)
            if current.kind == "province":
                return current
        return None

    async def all(self) -> list[Tenant]:
        rows = await self.pool.fetch(
            "SELECT slug, name, kind, parent_slug, schema_name, status FROM platform.tenants "
            "ORDER BY slug"
        )
        return [Tenant(r["slug"], r["name"], r["kind"], r["parent_slug"], r["schema_name"],
                       r["status"]) for r in rows]


async def mark_provisioned(conn: DbConn, schema: str, database: str) -> None:
    """Record the privileges just installed for ``schema`` in ``database``: in the registry
    at home, in ``platform.schema_roles`` in a database away from home."""
    if database == HOME_DATABASE:
        await mark_roles_installed(conn, schema)
    else:
        await mark_away_roles_installed(conn, schema)


async def provision(conn: DbConn, schema: str) -> None:
    """Everything of a tenant's schema around its event table (which the event store
    creates): the chain and append-only triggers, the read models and their tracking, the
    head trigger and the roles. Used at registration and in the target of a move."""
    await conn.execute(install_sql(schema))
    await conn.execute(tenant_ddl(schema))
    await ensure_tracking(conn, schema)
    await conn.execute(progress.install_sql(schema))
    await install_tenant_roles(conn, schema)
