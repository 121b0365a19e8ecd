"""One entry for every kind of import sheet: the HTTP upload, the web import page and
``congtam import …`` all go through ``import_file``, so a kind is added in one place."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from domain.actor import Actor
from services.office.catalogue_import import CatalogueReport, import_catalogue_file
from services.office.staff_import import ImportReport, import_staff_file, import_units_file
from services.platform.tenants import Tenant
from services.runtime import Runtime

KINDS = ("staff", "units", "catalogue")
Report = ImportReport | CatalogueReport


async def import_file(rt: Runtime, tenant: Tenant, kind: str, data: bytes, actor: Actor, *,
                      commit: bool, scope: Collection[UUID] | None = None) -> Report:
    """Check ``data`` as a sheet of ``kind`` and plan (``commit=False``) or write it, all
    rows or none. ``scope``: the units a unit-scoped officer may import staff into (units
    and the catalogue are the whole tenant's: the caller refuses a scoped officer first)."""
    if kind == "staff":
        return await import_staff_file(rt, tenant, data, actor, commit=commit, scope=scope)
    if kind == "units":
        return await import_units_file(rt, tenant, data, actor, commit=commit)
    if kind == "catalogue":
        return await import_catalogue_file(rt, tenant, data, actor, commit=commit)
    raise ValueError(f"no import of {kind!r} sheets (known: {', '.join(KINDS)})")
