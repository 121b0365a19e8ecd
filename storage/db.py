"""Connection types both sides pass around, and what the database's triggers answer with."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

# A connection, whether taken from a pool or opened on its own.
DbConn: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"
# Where a batch's personal-data keys are read: the batch's own connection, or the home
# database's pool for a tenant placed in another database (services/store/placement.py).
KeySource: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any] | asyncpg.Pool"

# Raised by an append to a fenced log (the head trigger of projections/progress.py) while a
# tenant moves between databases (services/platform/tenant_move.py).
FENCED_SQLSTATE = "CTMOV"


@asynccontextmanager
async def index_order(conn: DbConn) -> AsyncIterator[None]:
    """Within: a read of a log's range "ORDER BY notification_id" walks the position index.

    The log is appended in position order, so that walk reads the heap in order and streams
    from the first row. A log freshly loaded or grown has no statistics saying so, and the
    planner then sorts the whole range first (a bitmap scan and a sort: twice the server's
    time an event, and nothing sent until the sort is done). Sorting is switched off for the
    session and switched back as it was, whatever happens inside."""
    was = await conn.fetchval("SELECT current_setting('enable_sort')")
    await conn.execute("SET enable_sort = off")
    try:
        yield
    finally:
        # In a transaction the read failed: its rollback takes the setting back anyway.
        with suppress(asyncpg.InFailedSQLTransactionError):
            await conn.execute(f"SET enable_sort = {'on' if was == 'on' else 'off'}")


# A binary COPY stream opens with this signature, a 4-byte flags field and the length of a
# header extension (then the extension itself), as the COPY file format defines it.
COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_HEADER_FIXED = len(COPY_SIGNATURE) + 8


def past_copy_header(chunk: bytes) -> int:
    """Where a binary COPY stream's first row starts in ``chunk`` (its first bytes), or -1
    when the header is not all there yet (wait for more); ``ValueError`` if it is not one."""
    if len(chunk) < _HEADER_FIXED:
        return -1
    if not chunk.startswith(COPY_SIGNATURE):
        raise ValueError("not a binary COPY stream")
    end = _HEADER_FIXED + int.from_bytes(chunk[_HEADER_FIXED - 4:_HEADER_FIXED], "big")
    return end if len(chunk) >= end else -1
