"""Child-tenant figures: a parent tenant reads its children's aggregated figures.

Two things must both hold for a parent's reader to see a child: the registry says the child
is the parent's child (``parent_slug``), and the reader holds an explicit grant on the
parent that reaches its children (``include_children`` in the platform log's grants) in a
reading role. What is read is the children's ``rm_trend_months`` — counts per unit and
month, a table with no person in it — summed per child and month in one statement, so no
row naming a person is ever read.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from services.platform.grants import grants_for
from services.platform.tenants import Tenant


async def granted_children(pool: asyncpg.Pool, parent: Tenant, user_id: str,
                           roles: tuple[str, ...]) -> list[Tenant]:
    """The children of ``parent`` whose aggregates ``user_id`` may read (maybe none)."""
    grants = await grants_for(pool, user_id)
    if not any(g.tenant == parent.slug and g.include_children and g.role in roles
               and g.unit_scope is None for g in grants):
        return []
    rows = await pool.fetch(
        "SELECT slug, name, kind, parent_slug, schema_name, status FROM platform.tenants "
        "WHERE parent_slug = $1 AND status = 'active' ORDER BY slug", parent.slug)
    return [Tenant(r["slug"], r["name"], r["kind"], r["parent_slug"], r["schema_name"],
                   r["status"]) for r in rows]


def children_trend_sql(children: list[Tenant]) -> str:
    """One statement over every granted child's month counts; schema names come from the
    registry, never from the client. Parameters: $1/$2 the month range as year*100+month,
    $3/$4 the keyset (tenant slug, year*100+month) to start after, $5 the row limit."""
    parts = [
        f"SELECT {_literal(t.slug)}::text AS tenant, {_literal(t.name)}::text AS tenant_name, "
        "year, number, count(*)::int AS units, sum(members)::int AS members, "
        "sum(decided)::int AS decided, sum(level_a)::int AS level_a, "
        "sum(level_b)::int AS level_b, sum(level_c)::int AS level_c, "
        f"sum(level_d)::int AS level_d FROM {t.schema}.rm_trend_months "
        "WHERE kind = 'monthly' AND year * 100 + number BETWEEN $1 AND $2 GROUP BY year, number"
        for t in children
    ]
    # Slugs compare byte-wise (COLLATE "C"), as the resolver merges the pages of children
    # placed in several databases, whatever each database's default collation is.
    return (f"SELECT * FROM ({' UNION ALL '.join(parts)}) c "
            "WHERE (tenant COLLATE \"C\", year * 100 + number) > ($3, $4) "
            "ORDER BY tenant COLLATE \"C\", year, number LIMIT $5")


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def month_key(year: int, month: int) -> int:
    return year * 100 + month


def trend_args(first: int, last: int, after: list[Any] | None, limit: int) -> list[Any]:
    return [first, last, after[0] if after else "", int(after[1]) if after else 0, limit]
