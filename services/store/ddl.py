"""Schema scripts run at every start, changed only where the catalogue says they must be.

``ALTER TABLE … ADD COLUMN IF NOT EXISTS`` of a column that exists does nothing, but only
after taking the table's ACCESS EXCLUSIVE lock: on a live system it waits behind every
running query on the table, and every query after it waits behind it. ``CREATE INDEX IF
NOT EXISTS`` of an index that exists takes the table's SHARE lock first, which waits for
(and then holds up) its writers. So a start leaves out each such statement whose column
``pg_attribute`` or whose index ``pg_class`` already lists.
"""

from __future__ import annotations

import re

from storage.db import DbConn

# One ``ALTER TABLE <table> ADD COLUMN IF NOT EXISTS <column> …;`` (one column per statement).
_ADD_COLUMN = re.compile(
    r"^ALTER TABLE\s+(?P<table>[\w.]+)\s+ADD COLUMN IF NOT EXISTS\s+(?P<column>\w+)[^;]*;\n?",
    re.MULTILINE | re.IGNORECASE)


# One ``CREATE INDEX IF NOT EXISTS <name> ON <schema>.<table> …;`` (its schema: the table's).
_CREATE_INDEX = re.compile(
    r"^CREATE (?:UNIQUE )?INDEX IF NOT EXISTS\s+(?P<index>\w+)\s+ON\s+(?P<schema>\w+)\.\w+"
    r"[^;]*;\n?", re.MULTILINE | re.IGNORECASE)


async def _has_column(conn: DbConn, table: str, column: str) -> bool:
    return bool(await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) "
        "AND attname = $2 AND attnum > 0 AND NOT attisdropped)", table, column))


async def _has_index(conn: DbConn, schema: str, index: str) -> bool:
    return await conn.fetchval("SELECT to_regclass($1)", f"{schema}.{index}") is not None


async def missing_ddl(conn: DbConn, sql: str) -> list[str]:
    """The ``ADD COLUMN`` and ``CREATE INDEX`` statements of ``sql`` that would add a
    column or an index: what a start runs of them."""
    return ([m.group(0).strip() for m in _ADD_COLUMN.finditer(sql)
             if not await _has_column(conn, m["table"], m["column"])]
            + [m.group(0).strip() for m in _CREATE_INDEX.finditer(sql)
               if not await _has_index(conn, m["schema"], m["index"])])


async def without_present(conn: DbConn, sql: str) -> str:
    """``sql`` without the ``ADD COLUMN`` and ``CREATE INDEX`` statements of columns and
    indexes that exist (a table not created yet has none: the script creates it first)."""
    kept = set(await missing_ddl(conn, sql))

    def keep(m: re.Match[str]) -> str:
        return m.group(0) if m.group(0).strip() in kept else ""

    return _CREATE_INDEX.sub(keep, _ADD_COLUMN.sub(keep, sql))
