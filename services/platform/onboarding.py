"""Registering a tenant, in the home database or straight into another one.

A ward or commune joining the service gets its schema (event log, read models, privileges)
and a row in the registry. With several databases (``CONGTAM_DATABASES``) an operator
places a new tenant where it will live instead of registering it at home and moving it:
the placement is recorded first — a ``TenantPlacement`` event of the platform log, as a
move's end is — and the registry row, which makes the tenant visible, last. A failure in
between leaves a schema no process routes to and a placement with no tenant; running the
same command again completes it (every step is idempotent).
"""

from __future__ import annotations

import structlog

from domain.actor import Actor
from domain.errors import ValidationFailedError
from services.platform.tenants import Tenant, UnknownTenantError, check_kind, check_slug
from services.runtime import Runtime
from services.settings import HOME_DATABASE
from services.store.placement import PLACEMENT_CHANNEL, UnknownDatabaseError

log = structlog.get_logger()


async def register_tenant(rt: Runtime, actor: Actor, slug: str, name: str, kind: str,
                          parent_slug: str | None = None,
                          database: str = HOME_DATABASE) -> Tenant:
    """Register ``slug`` in ``database``; a second call with the same database renames it."""
    check_slug(slug)
    check_kind(kind)
    if not name.strip():
        raise ValidationFailedError("Tên đơn vị hành chính không được để trống.",
                                    "The tenant's name must not be empty.")
    if database not in rt.directory.databases:
        known = ", ".join(sorted(rt.directory.databases))
        raise UnknownDatabaseError(
            f"Không có cơ sở dữ liệu '{database}' (có: {known}).",
            f"No database '{database}' is configured (known: {known}).")
    await rt.directory.load()
    try:
        await rt.registry.get(slug)
        where = rt.directory.name_of(slug)
    except UnknownTenantError:
        where = None
    if where is not None and where != database:
        raise ValidationFailedError(
            f"Đơn vị '{slug}' đã có, ở cơ sở dữ liệu '{where}'; dùng 'congtam tenant move' "
            "để chuyển.",
            f"Tenant '{slug}' already exists, in database '{where}'; use 'congtam tenant "
            "move' to move it.")
    if database == HOME_DATABASE:
        return await rt.registry.register(slug, name.strip(), kind, parent_slug)
    if parent_slug is not None:
        await rt.registry.get(parent_slug)  # refuse before anything is created
    await rt.platform.place(actor, slug, database)
    await rt.pool.execute("SELECT pg_notify($1, $2)", PLACEMENT_CHANNEL, slug)
    await rt.directory.load()
    tenant = await rt.registry.register(slug, name.strip(), kind, parent_slug,
                                        at=rt.directory.databases[database])
    log.info("tenant_placed", tenant=slug, database=database)
    return tenant
