"""Who may do what where: the grants of a user, read from the projected ``platform.grants``.

A grant is user × tenant × role, optionally narrowed to one unit (and that unit's
descendants) and optionally widened to every tenant below ``tenant`` in the registry
(``include_children``: a city inspector over all its wards). Grants are written only as
events of the platform log (services/platform/platform_log.py); revoked grants are never returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from storage.db import DbConn


@dataclass(frozen=True)
class Grant:
    grant_id: UUID
    tenant: str  # the tenant slug the grant names
    role: str
    unit_scope: UUID | None  # None: the whole tenant
    include_children: bool  # also every tenant below ``tenant``

    @classmethod
    def from_row(cls, row: Any) -> Grant:
        return cls(row["grant_id"], row["tenant"], row["role"], row["unit_scope"],
                   row["include_children"])


_ACTIVE = ("SELECT grant_id, tenant, role, unit_scope, include_children FROM platform.grants "
           "WHERE user_id = $1 AND revoked_at IS NULL")


async def grants_for(db: asyncpg.Pool | DbConn, user_id: str) -> list[Grant]:
    """Every active grant of ``user_id``, as granted (children not expanded)."""
    rows = await db.fetch(_ACTIVE + " ORDER BY tenant, role, grant_id", user_id)
    return [Grant.from_row(r) for r in rows]


async def grants_in(db: asyncpg.Pool | DbConn, user_id: str, tenant: str) -> list[Grant]:
    """The active grants of ``user_id`` that reach ``tenant``: granted on it, or on one of
    its ancestors with ``include_children``. The grant names the tenant it was given on."""
    rows = await db.fetch(
        "WITH RECURSIVE up(slug, depth) AS ("
        "  SELECT slug, 0 FROM platform.tenants WHERE slug = $2"
        "  UNION ALL SELECT t.parent_slug, up.depth + 1 FROM platform.tenants t"
        "  JOIN up ON t.slug = up.slug WHERE t.parent_slug IS NOT NULL AND up.depth < 16) "
        f"SELECT g.* FROM ({_ACTIVE}) g JOIN up ON up.slug = g.tenant "
        "WHERE up.depth = 0 OR g.include_children ORDER BY up.depth, g.role, g.grant_id",
        user_id, tenant)
    return [Grant.from_row(r) for r in rows]


async def grants_and_revoked_in(db: asyncpg.Pool | DbConn, user_id: str,
                                tenant: str) -> tuple[list[Grant], frozenset[str]]:
    """In one statement: the active grants of ``user_id`` reaching ``tenant`` (as
    ``grants_in``), and the roles whose grants reaching it were all revoked — a token still
    claiming one of those gets nothing from the claim."""
    rows = await db.fetch(
        "WITH RECURSIVE up(slug, depth) AS ("
        "  SELECT slug, 0 FROM platform.tenants WHERE slug = $2"
        "  UNION ALL SELECT t.parent_slug, up.depth + 1 FROM platform.tenants t"
        "  JOIN up ON t.slug = up.slug WHERE t.parent_slug IS NOT NULL AND up.depth < 16) "
        "SELECT g.grant_id, g.tenant, g.role, g.unit_scope, g.include_children, g.revoked_at "
        "FROM platform.grants g JOIN up ON up.slug = g.tenant "
        "WHERE g.user_id = $1 AND (up.depth = 0 OR g.include_children) "
        "ORDER BY up.depth, g.role, g.grant_id", user_id, tenant)
    active = [Grant.from_row(r) for r in rows if r["revoked_at"] is None]
    revoked = {r["role"] for r in rows if r["revoked_at"] is not None}
    return active, frozenset(revoked - {g.role for g in active})


async def roles_in(db: asyncpg.Pool | DbConn, user_id: str, tenant: str) -> frozenset[str]:
    return frozenset(g.role for g in await grants_in(db, user_id, tenant))
