"""Every tenant's log head and projected position in one platform table.

Which tenants need projecting, and by how much they lag, must be answerable with one
query however many tenants exist (3,321 communes): asking each schema for ``max()`` and
its tracking rows would be two queries per tenant every sweep. So:

- an ``AFTER INSERT … FOR EACH STATEMENT`` trigger on each tenant's event table raises
  ``head`` in the appending transaction itself (no extra round trip for the writer; the
  writer already holds the table's EXCLUSIVE lock, so the row is never contended by
  another writer of the same tenant);
- the runner sets ``tracked`` in the same transaction as the read models and the tracking
  rows, so ``head - tracked`` is exactly what the projector still has to apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.db import DbConn

EVENTS_TABLE = "evaluations_events"

PLATFORM_SQL = """
CREATE TABLE IF NOT EXISTS platform.log_progress (
    schema_name text PRIMARY KEY,
    head        bigint NOT NULL DEFAULT 0,
    tracked     bigint NOT NULL DEFAULT 0
);

-- A fenced log refuses appends (a tenant being moved to another database, or the copy left
-- behind by a move): checked on the row every append already upserts, so it costs nothing.
-- (Altered only when missing: ALTER TABLE locks out every append and projector batch, and
-- this runs at every process start.)
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'platform.log_progress'::regclass
                   AND attname = 'fenced' AND NOT attisdropped) THEN
        ALTER TABLE platform.log_progress ADD COLUMN fenced boolean NOT NULL DEFAULT false;
    END IF;
    -- A projection that cannot apply an event says so here (projector: which projection,
    -- which position, why, since when), so every process's /healthz and /metrics see it;
    -- cleared by the next batch that commits.
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'platform.log_progress'::regclass
                   AND attname = 'stalled' AND NOT attisdropped) THEN
        ALTER TABLE platform.log_progress ADD COLUMN stalled jsonb;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION platform.raise_log_head() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE is_fenced boolean;
BEGIN
    INSERT INTO platform.log_progress AS p (schema_name, head)
    SELECT TG_TABLE_SCHEMA, max(notification_id) FROM inserted
    HAVING max(notification_id) IS NOT NULL
    ON CONFLICT (schema_name) DO UPDATE SET head = greatest(p.head, EXCLUDED.head)
    RETURNING p.fenced INTO is_fenced;
    IF is_fenced THEN
        RAISE EXCEPTION 'the event log of % is fenced: the tenant is moving or has moved',
            TG_TABLE_SCHEMA USING ERRCODE = 'CTMOV';
    END IF;
    RETURN NULL;
END $$;
"""

# The trigger's ERRCODE 'CTMOV' is storage.db.FENCED_SQLSTATE, which the event store watches for.


def install_sql(schema: str, table: str = EVENTS_TABLE) -> str:
    """The head trigger of one tenant, and its row (idempotent; backfills an existing log)."""
    t = f"{schema}.{table}"
    return f"""
DROP TRIGGER IF EXISTS raise_log_head ON {t};
CREATE TRIGGER raise_log_head AFTER INSERT ON {t}
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION platform.raise_log_head();
INSERT INTO platform.log_progress AS p (schema_name, head, tracked)
SELECT '{schema}',
       (SELECT coalesce(max(notification_id), 0) FROM {t}),
       (SELECT coalesce(min(position), 0) FROM {schema}.projection_tracking)
ON CONFLICT (schema_name) DO UPDATE SET head = greatest(p.head, EXCLUDED.head);
"""


async def install_missing(conn: DbConn) -> int:
    """Install the trigger for tenants registered before this table existed (a migration)."""
    # Only schemas in this database: a tenant registered straight into another database
    # has its registry row here and its schema there (services/platform/onboarding.py).
    rows = await conn.fetch(
        "SELECT schema_name FROM platform.tenants t WHERE NOT EXISTS "
        "(SELECT 1 FROM platform.log_progress p WHERE p.schema_name = t.schema_name) "
        "AND EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = t.schema_name)")
    for row in rows:
        async with conn.transaction():
            await conn.execute(install_sql(row["schema_name"]))
    return len(rows)


async def record_tracked(conn: DbConn, schema: str, names: Sequence[str]) -> None:
    """Inside the batch's transaction: the slowest of the tenant's projections."""
    await conn.execute(
        f"""INSERT INTO platform.log_progress AS p (schema_name, tracked)
            SELECT $1, coalesce(min(position), 0) FROM {schema}.projection_tracking
             WHERE projection = ANY($2::text[])
            ON CONFLICT (schema_name) DO UPDATE SET tracked = EXCLUDED.tracked,
                stalled = CASE WHEN EXCLUDED.tracked >= (p.stalled->>'last')::bigint
                               THEN NULL ELSE p.stalled END""",
        schema, list(names))


@dataclass(frozen=True)
class Lag:
    slug: str
    schema: str
    head: int
    tracked: int
    stalled: str | None = None  # JSON: projection, first, last, error, since

    @property
    def events(self) -> int:
        return max(0, self.head - self.tracked)


async def lags(conn: DbConn, *, behind_only: bool = False) -> list[Lag]:
    """Every active tenant's head and projected position, in one query (a fenced log, the
    copy a move left behind or one being moved, is not projected and not counted)."""
    rows = await conn.fetch(
        "SELECT t.slug, t.schema_name, p.head, p.tracked, p.stalled::text AS stalled "
        "FROM platform.tenants t "
        "JOIN platform.log_progress p ON p.schema_name = t.schema_name WHERE NOT p.fenced"
        + (" AND p.head > p.tracked" if behind_only else "")
        + " ORDER BY t.slug")
    return [Lag(r["slug"], r["schema_name"], r["head"], r["tracked"], r["stalled"])
            for r in rows]


async def progress_rows(conn: DbConn) -> list[Lag]:
    """Every log's head and projected position in a database holding tenants away from home
    (no registry there: the slug is read from the schema name, which never has ``_``s in a
    slug's place). Fenced logs — copies a move left behind — are left out."""
    rows = await conn.fetch(
        "SELECT schema_name, head, tracked, stalled::text AS stalled FROM platform.log_progress "
        "WHERE NOT fenced AND schema_name LIKE 't\\_%' ORDER BY schema_name")
    return [Lag(r["schema_name"].removeprefix("t_").replace("_", "-"), r["schema_name"],
                r["head"], r["tracked"], r["stalled"]) for r in rows]


async def record_stall(conn: DbConn, schema: str, projection: str, first: int, last: int,
                       error: str) -> None:
    """Outside any batch (which rolled back): a tenant's projection is stopped at an event."""
    await conn.execute(
        "UPDATE platform.log_progress SET stalled = jsonb_build_object("
        "'projection', $2::text, 'first', $3::bigint, 'last', $4::bigint, 'error', $5::text, "
        "'since', coalesce(stalled->>'since', now()::text)) WHERE schema_name = $1",
        schema, projection, first, last, error)
