"""Rate-limit buckets: decided in each process, kept in step through PostgreSQL.

Per-process buckets alone let N replicas accept N times the limit; a statement per request
on a shared row costs two round trips and a hot row on every request. So each process
decides from its own buckets (no statement on a request) and, every ``SYNC_S`` seconds,
sends what it took since the last sync to one ``UNLOGGED`` table (no WAL: a crash empties
it, which only refills every bucket) in one statement, ``SELECT platform.rate_sync(keys,
taken, limits)``: the shared bucket refills by the database server's clock (replicas with
drifting clocks agree), loses what every replica took, and its level comes back to set the
local bucket. What other replicas took is therefore seen within one sync.

A key a process has not seen, or has not synced for ``STALE_S``, is learnt from the shared
bucket before the request is decided (one statement, for that request only): a process
never decides on a level older than ``STALE_S`` plus what it took itself since.

The slack (deploy/README.md, "Rate limits across replicas"): between syncs a replica
decides alone, so N replicas hit at once may together admit up to N times what is left in
the shared bucket before they learn of each other (at most N buckets' worth of a burst).
What went over is kept as debt in the shared bucket (down to minus one bucket), which every
replica honours after its next sync; in steady load the excess is at most what the other
replicas admit within one sync period.

The function is ``SECURITY DEFINER``: the API's role may call it and has no privilege on the
table itself (services/store/dbroles.py). Buckets idle for two minutes are full again by
definition, so they are deleted now and then (one sync in a hundred) to bound the table.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg
import structlog

from storage.db import DbConn

log = structlog.get_logger()

SYNC_S = 1.0  # how often a process sends what it took and learns the shared levels
SYNC_WAIT_S = 1.0  # the longest one sync may wait for the database
STALE_S = 2 * SYNC_S  # a level older than this is learnt again before deciding on it

INSTALL_SQL = """
CREATE UNLOGGED TABLE IF NOT EXISTS platform.rate_buckets (
    key     text PRIMARY KEY,
    tokens  double precision NOT NULL,
    stamp   double precision NOT NULL,
    allowed boolean NOT NULL
);
DROP FUNCTION IF EXISTS platform.rate_take(text[], integer[]);
CREATE OR REPLACE FUNCTION platform.rate_sync(keys text[], taken integer[],
                                              per_minute integer[])
RETURNS double precision[] LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    now_s double precision := extract(epoch FROM clock_timestamp());
    cap double precision;
    level double precision;
    levels double precision[] := '{}';
BEGIN
    IF random() < 0.01 THEN
        DELETE FROM platform.rate_buckets WHERE stamp < now_s - 120;
    END IF;
    FOR i IN 1 .. coalesce(array_length(keys, 1), 0) LOOP
        cap := per_minute[i];
        -- The bucket refills at cap per minute up to cap, then loses what was taken;
        -- below zero is debt (at most one bucket), paid back by the refill.
        INSERT INTO platform.rate_buckets AS b (key, tokens, stamp, allowed)
        VALUES (keys[i], greatest(-cap, cap - taken[i]), now_s, taken[i] <= cap)
        ON CONFLICT (key) DO UPDATE SET
            tokens = greatest(-cap,
                              least(cap, b.tokens + (now_s - b.stamp) * cap / 60.0) - taken[i]),
            stamp = now_s,
            allowed = least(cap, b.tokens + (now_s - b.stamp) * cap / 60.0) >= taken[i]
        RETURNING b.tokens INTO level;
        levels := levels || level;
    END LOOP;
    RETURN levels;
END $$;
"""


async def sync(conn: DbConn, keys: Sequence[str], taken: Sequence[int],
               per_minute: Sequence[int]) -> list[float]:
    """Take ``taken[i]`` tokens from each shared bucket; the level each is left at."""
    levels: list[float] = await conn.fetchval(
        "SELECT platform.rate_sync($1::text[], $2::int[], $3::int[])",
        list(keys), list(taken), list(per_minute))
    return levels


@dataclass
class Bucket:
    tokens: float
    stamp: float
    per_minute: int
    taken: int = 0  # here, not yet sent to the shared bucket
    synced: float = float("-inf")  # when its level last came from the shared bucket


@dataclass
class SharedBuckets:
    """This process's buckets, decided locally and synced every ``SYNC_S`` seconds.

    A key this process has not seen, or not synced for ``STALE_S``, is first learnt from
    the shared bucket (one statement, on that request only), so a replica never decides on
    a level older than that plus what it took itself since."""

    pool: asyncpg.Pool | None = None  # None: buckets of this process only
    max_buckets: int = 100_000  # bounded memory whatever the number of callers
    _buckets: dict[str, Bucket] = field(default_factory=dict)
    _touched: set[str] = field(default_factory=set)  # keys to sync

    async def take(self, checks: Sequence[tuple[str, int]]) -> str | None:
        """One token from each bucket in order; the key of the first empty one, if any
        (those after it are not touched, so a caller refused by their own bucket does not
        drain their tenant's)."""
        now = time.monotonic()
        for key, per_minute in checks:
            bucket = self._buckets.get(key)
            if bucket is None or bucket.per_minute != per_minute:
                if len(self._buckets) >= self.max_buckets:
                    self._forget(now)
                self._buckets[key] = Bucket(float(per_minute), now, per_minute)
        if self.pool is not None:
            stale = [k for k, _ in checks if now - self._buckets[k].synced > STALE_S]
            if stale:
                await self.sync_once(self.pool, stale)
        now = time.monotonic()
        for key, per_minute in checks:
            bucket = self._buckets[key]
            bucket.tokens = min(float(per_minute),
                                bucket.tokens + (now - bucket.stamp) * per_minute / 60.0)
            bucket.stamp = now
            self._touched.add(key)
            if bucket.tokens < 1.0:
                return key
            bucket.tokens -= 1.0
            bucket.taken += 1
        return None

    def _forget(self, now: float) -> None:
        """Drop buckets idle for a minute (full again by now), or else the oldest half."""
        idle = [k for k, b in self._buckets.items() if now - b.stamp > 60.0]
        for key in idle or list(self._buckets)[: len(self._buckets) // 2]:
            self._buckets.pop(key, None)
            self._touched.discard(key)

    async def sync(self, conn: DbConn, only: Sequence[str] | None = None) -> None:
        """Send what was taken (of the keys touched since the last sync, or ``only``); set
        each bucket to its shared level less what was taken here while the statement ran."""
        if only is None:
            wanted = set(self._touched)
            self._touched.clear()
        else:
            wanted = set(only)
        keys = sorted(k for k in wanted if k in self._buckets)  # one order: no deadlock
        if not keys:
            return
        sent = [self._buckets[k] for k in keys]
        taken = [b.taken for b in sent]
        for bucket in sent:
            bucket.taken = 0
        try:
            levels = await sync(conn, keys, taken, [b.per_minute for b in sent])
        except BaseException:
            for bucket, count in zip(sent, taken, strict=True):
                bucket.taken += count  # sent again next time
            self._touched.update(keys)
            raise
        now = time.monotonic()
        for key, bucket, level in zip(keys, sent, levels, strict=True):
            if self._buckets.get(key) is bucket:
                bucket.tokens = min(float(bucket.per_minute), level) - bucket.taken
                bucket.stamp = bucket.synced = now

    async def run(self, pool: asyncpg.Pool) -> None:
        """Sync every ``SYNC_S`` seconds until cancelled; a database away leaves each
        process on its own buckets meanwhile (what it took is sent when it is back)."""
        self.pool = pool
        while True:
            await asyncio.sleep(SYNC_S)
            await self.sync_once(pool)

    async def sync_once(self, pool: asyncpg.Pool, only: Sequence[str] | None = None) -> None:
        try:
            async with asyncio.timeout(SYNC_WAIT_S), pool.acquire() as conn:
                await self.sync(conn, only)
        except Exception as error:  # a guard must not take the API down
            log.warning("rate_buckets_unsynced", error=type(error).__name__)
            now = time.monotonic()
            for key in only or ():
                bucket = self._buckets.get(key)
                if bucket is not None:
                    bucket.synced = now  # not again on every request while it is away
