-- Optional, after distribute-tenant-schemas.sql: make the platform tables Citus reference
-- tables (one copy on every node) instead of coordinator-local tables.
--
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f deploy/citus/platform-reference-tables.sql
--
-- Why: a tenant's append runs on the worker that holds its schema, and its statement trigger
-- raises the tenant's head in platform.log_progress (projections/progress.py); joins of a
-- tenant's read models with platform.tenants / platform.grants also run there. With reference
-- tables both stay on one node; with coordinator-local tables each becomes a cross-node step.
-- Cost: every write to a platform table is replicated to all nodes (two-phase commit). The
-- platform tables are small and written rarely, except log_progress (once per append).
--
-- Not run in `make test` (the test session has no Citus): try it on a staging cluster, then
-- run `congtam verify --all` and watch congtam_projection_lag_events before production.
-- Idempotent: tables that Citus already knows are skipped. Tables referenced by foreign keys
-- must become reference tables first, so this loops until nothing is left or no progress.

DO $$
DECLARE
    t regclass;
    pending int;
    done int;
BEGIN
    LOOP
        done := 0;
        pending := 0;
        FOR t IN
            SELECT c.oid::regclass
            FROM pg_class AS c
            JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname = 'platform' AND c.relkind IN ('r', 'p')
              AND NOT EXISTS (SELECT 1 FROM citus_tables AS ct WHERE ct.table_name = c.oid)
            ORDER BY c.relname
        LOOP
            pending := pending + 1;
            BEGIN
                PERFORM create_reference_table(t);
                done := done + 1;
                RAISE NOTICE 'reference table: %', t;
            EXCEPTION WHEN others THEN
                RAISE NOTICE 'later: % (%)', t, SQLERRM;
            END;
        END LOOP;
        EXIT WHEN pending = 0;
        IF done = 0 THEN
            RAISE EXCEPTION '% platform tables could not become reference tables', pending;
        END IF;
    END LOOP;
END
$$;

SELECT table_name, citus_table_type, shard_count FROM citus_tables
WHERE table_name::text LIKE 'platform.%' ORDER BY 1;
