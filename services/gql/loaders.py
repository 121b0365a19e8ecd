"""Per-request reads: every dashboard statement goes through ``Reads``, which counts them,
and DataLoaders batch the per-item lookups of a page into one statement each.

A dashboard page of N boards therefore costs the same handful of statements whatever N is:
one for the page, one for all its units, one for all its distributions, one for all its
member lists (a window function keeps each board's own page).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg
from strawberry.dataloader import DataLoader

from services.platform.tenants import Tenant
from services.store.dbroles import read_checkout


class Reads:
    """The caller's tenant schema and the read pool, with a statement counter."""

    def __init__(self, pool: asyncpg.Pool, tenant: Tenant) -> None:
        self.pool = pool
        self.tenant = tenant
        self.schema = tenant.schema
        self.statements = 0
        self.units = DataLoader(self._units)
        self.staff = DataLoader(self._staff)
        self.cells = DataLoader(self._cells)
        self._members: dict[tuple[Any, ...], DataLoader[UUID, list[Any]]] = {}

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        self.statements += 1
        async with read_checkout(self.pool, self.schema) as conn:
            return list(await conn.fetch(sql, *args))

    async def fetch_across_tenants(self, sql: str, *args: Any,
                                   pool: asyncpg.Pool | None = None) -> list[Any]:
        """A statement reading several tenants' schemas at once (a parent's aggregated view of
        the children its caller was granted): no single tenant's reader role can run it, so
        it runs as the API's own role. The grant check comes first, in the resolver.
        ``pool``: the database those tenants are placed in, when not the caller's."""
        self.statements += 1
        return list(await (pool or self.pool).fetch(sql, *args))

    async def fetchrow(self, sql: str, *args: Any) -> Any:
        self.statements += 1
        async with read_checkout(self.pool, self.schema) as conn:
            return await conn.fetchrow(sql, *args)

    async def _by_id(self, table: str, column: str, ids: Sequence[UUID]) -> list[Any]:
        rows = await self.fetch(
            f"SELECT * FROM {self.schema}.{table} WHERE {column} = ANY($1::uuid[])", list(ids))
        found = {r[column]: r for r in rows}
        return [found.get(i) for i in ids]

    async def _units(self, ids: Sequence[UUID]) -> list[Any]:
        return await self._by_id("rm_units", "unit_id", ids)

    async def _staff(self, ids: Sequence[UUID]) -> list[Any]:
        return await self._by_id("rm_staff", "staff_id", ids)

    async def _cells(self, periods: Sequence[UUID]) -> list[list[Any]]:
        """Per board: counts by staff type, peer group and level (level NULL = undecided)."""
        rows = await self.fetch(
            f"SELECT period_id, staff_type, peer_group, level, count(*)::int AS n "
            f"FROM {self.schema}.rm_board_members WHERE period_id = ANY($1::uuid[]) "
            "GROUP BY period_id, staff_type, peer_group, level", list(periods))
        grouped: dict[UUID, list[Any]] = defaultdict(list)
        for r in rows:
            grouped[r["period_id"]].append(r)
        return [grouped.get(p, []) for p in periods]

    def members(self, size: int, after: Sequence[Any] | None, staff_type: str | None,
                peer_group: str | None, level: str | None) -> DataLoader[UUID, list[Any]]:
        """One loader per distinct page request; its batch reads every board's page at once."""
        key = (size, tuple(after) if after else None, staff_type, peer_group, level)
        loader = self._members.get(key)
        if loader is None:
            async def load(periods: Sequence[UUID]) -> list[list[Any]]:
                return await self._member_pages(periods, size, after, staff_type, peer_group,
                                                level)
            loader = self._members[key] = DataLoader(load)
        return loader

    async def _member_pages(self, periods: Sequence[UUID], size: int,
                            after: Sequence[Any] | None, staff_type: str | None,
                            peer_group: str | None, level: str | None) -> list[list[Any]]:
        s = self.schema
        args: list[Any] = [list(periods), staff_type, peer_group, level, size + 1]
        keyset = ""
        if after is not None:
            args += [after[0], UUID(str(after[1]))]
            keyset = "AND (st.full_name, m.staff_id) > ($6, $7)"
        rows = await self.fetch(
            "SELECT * FROM (SELECT m.*, st.full_name, row_number() OVER ("
            "PARTITION BY m.period_id ORDER BY st.full_name, m.staff_id) AS rn "
            f"FROM {s}.rm_board_members m JOIN {s}.rm_staff st ON st.staff_id = m.staff_id "
            "WHERE m.period_id = ANY($1::uuid[]) "
            "AND ($2::text IS NULL OR m.staff_type = $2) "
            "AND ($3::text IS NULL OR m.peer_group = $3) "
            "AND ($4::text IS NULL OR m.level = $4) "
            f"{keyset}) page WHERE rn <= $5 ORDER BY period_id, rn", *args)
        grouped: dict[UUID, list[Any]] = defaultdict(list)
        for r in rows:
            grouped[r["period_id"]].append(r)
        return [grouped.get(p, []) for p in periods]
