"""Who may do what where: the grants of a user, read from the projected ``platform.grants``.

A grant is user × tenant × role, optionally narrowed to one unit (and that unit's
descendants) and optionally widened to every tenant below ``tenant`` in the registry
(``include_children``: a city inspector over all its wards). Grants are written only as
events of the platform log (services/platform/platform_log.py); revoked grants are never returned.
"""

from __future__ import annotations

import time
import weakref
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



# The longest a cached answer is used by a process that did not make the change itself (a
# revocation made through another replica reaches this one within it). deploy/README.md.
GRANTS_TTL_S = 2.0
_caches: weakref.WeakSet[GrantsCache] = weakref.WeakSet()


def grants_changed() -> None:
    """This process changed the grants (services/platform/platform_log.py): every cache of
    the process forgets at once, before the write returns."""
    for cache in list(_caches):
        cache.clear()


class GrantsCache:
    """``grants_and_revoked_in`` answers, kept per user and tenant for ``GRANTS_TTL_S``.

    A change made in this process drops every answer at once (``grants_changed``); one
    made by another process is seen when the answer expires. No connection is held for
    it (the per-process connection budget, deploy/README.md, stays as it is)."""

    def __init__(self, max_answers: int = 10_000) -> None:
        self.max_answers = max_answers
        self._answers: dict[tuple[str, str], tuple[float, list[Grant], frozenset[str]]] = {}
        self._generation = 0  # bumped on every change: an answer read before one is not kept
        _caches.add(self)

    def clear(self) -> None:
        self._generation += 1
        self._answers.clear()

    async def get(self, db: asyncpg.Pool | DbConn, user_id: str,
                  tenant: str) -> tuple[list[Grant], frozenset[str]]:
        key = (user_id, tenant)
        found = self._answers.get(key)
        now = time.monotonic()
        if found is not None and now - found[0] < GRANTS_TTL_S:
            return list(found[1]), found[2]
        generation = self._generation
        granted, revoked = await grants_and_revoked_in(db, user_id, tenant)
        if generation == self._generation:
            if len(self._answers) >= self.max_answers:
                self._answers.clear()  # bounded; refilled by the next requests
            self._answers[key] = (now, list(granted), revoked)
        return granted, revoked
