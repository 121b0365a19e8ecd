"""Rate-limit buckets shared by every API replica, kept in PostgreSQL.

Per-process buckets let N replicas accept N times the limit. Here the buckets live in one
``UNLOGGED`` table (no WAL: a crash empties it, which only refills every bucket) and one
request costs exactly one statement, ``SELECT platform.rate_take(keys, limits)``, whatever
the number of keys: the function takes a token from each key's bucket in order and stops at
the first one that is empty (a caller refused by their own bucket does not drain their
tenant's). The clock is the database server's, so replicas with drifting clocks agree.

The function is ``SECURITY DEFINER``: the API's role may call it and has no privilege on the
table itself (services/store/dbroles.py). Buckets idle for two minutes are full again by
definition, so they are deleted now and then (one call in a thousand) to bound the table.
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.db import DbConn

INSTALL_SQL = """
CREATE UNLOGGED TABLE IF NOT EXISTS platform.rate_buckets (
    key     text PRIMARY KEY,
    tokens  double precision NOT NULL,
    stamp   double precision NOT NULL,
    allowed boolean NOT NULL
);
CREATE OR REPLACE FUNCTION platform.rate_take(keys text[], per_minute integer[])
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    now_s double precision := extract(epoch FROM clock_timestamp());
    cap double precision;
    ok boolean;
BEGIN
    IF random() < 0.001 THEN
        DELETE FROM platform.rate_buckets WHERE stamp < now_s - 120;
    END IF;
    FOR i IN 1 .. coalesce(array_length(keys, 1), 0) LOOP
        cap := per_minute[i];
        -- The bucket refills at cap per minute up to cap; a request takes one token.
        INSERT INTO platform.rate_buckets AS b (key, tokens, stamp, allowed)
        VALUES (keys[i], cap - 1, now_s, cap >= 1)
        ON CONFLICT (key) DO UPDATE SET
            tokens = CASE
                WHEN least(cap, b.tokens + (now_s - b.stamp) * cap / 60.0) >= 1
                THEN least(cap, b.tokens + (now_s - b.stamp) * cap / 60.0) - 1
                ELSE least(cap, b.tokens + (now_s - b.stamp) * cap / 60.0) END,
            stamp = now_s,
            allowed = least(cap, b.tokens + (now_s - b.stamp) * cap / 60.0) >= 1
        RETURNING b.allowed INTO ok;
        IF NOT ok THEN
            RETURN i;
        END IF;
    END LOOP;
    RETURN 0;
END $$;
"""


async def take(conn: DbConn, keys: Sequence[str], per_minute: Sequence[int]) -> int:
    """Take one token from each bucket in order: 0 if every one had a token, else the
    1-based index of the first empty bucket (those after it are not touched)."""
    refused: int = await conn.fetchval("SELECT platform.rate_take($1::text[], $2::int[])",
                                       list(keys), list(per_minute))
    return refused
