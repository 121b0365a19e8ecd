"""Statements run under one of the service's database roles, as the test session's owner."""

from __future__ import annotations

import asyncpg
import pytest

# What no role of the service may do to a tenant's log ({s}: the tenant's schema).
LOG_REWRITES = (
    "UPDATE {s}.evaluations_events SET topic = topic",
    "DELETE FROM {s}.evaluations_events",
    "TRUNCATE {s}.evaluations_events",
)


async def as_role(conn: asyncpg.pool.PoolConnectionProxy, role: str, sql: str) -> None:
    """``sql`` in a transaction of its own, under ``role``."""
    async with conn.transaction():
        await conn.execute(f"SET LOCAL ROLE {role}")
        await conn.execute(sql)


async def refused_to(conn: asyncpg.pool.PoolConnectionProxy, role: str, sql: str) -> None:
    """``role`` lacks the privilege ``sql`` needs."""
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await as_role(conn, role, sql)
