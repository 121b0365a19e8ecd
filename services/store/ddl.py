"""Schema scripts run at every start, changed only where the catalogue says they must be.

``ALTER TABLE … ADD COLUMN IF NOT EXISTS`` of a column that exists does nothing, but only
after taking the table's ACCESS EXCLUSIVE lock: on a live system it waits behind every
running query on the table, and every query after it waits behind it. So a start leaves
out each such statement whose column ``pg_attribute`` already lists.
"""

from __future__ import annotations

import re

from storage.db import DbConn

# One ``ALTER TABLE <table> ADD COLUMN IF NOT EXISTS <column> …;`` (one column per statement).
_ADD_COLUMN = re.compile(
    r"^ALTER TABLE\s+(?P<table>[\w.]+)\s+ADD COLUMN IF NOT EXISTS\s+(?P<column>\w+)[^;]*;\n?",
    re.MULTILINE | re.IGNORECASE)


async def _has_column(conn: DbConn, table: str, column: str) -> bool:
    return bool(await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) "
        "AND attname = $2 AND attnum > 0 AND NOT attisdropped)", table, column))


async def missing_columns(conn: DbConn, sql: str) -> list[str]:
    """The ``ADD COLUMN`` statements of ``sql`` that would add a column: what a start runs."""
    return [m.group(0).strip() for m in _ADD_COLUMN.finditer(sql)
            if not await _has_column(conn, m["table"], m["column"])]


async def without_present_columns(conn: DbConn, sql: str) -> str:
    """``sql`` without the ``ADD COLUMN`` statements of columns that exist (a table not
    created yet has none: the script creates it first, then adds them)."""
    kept = set(await missing_columns(conn, sql))
    return _ADD_COLUMN.sub(lambda m: m.group(0) if m.group(0).strip() in kept else "", sql)
