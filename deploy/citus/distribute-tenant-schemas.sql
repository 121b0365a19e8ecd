-- Move Công Tâm onto Citus schema-based sharding (Citus 12+), on the coordinator, as the
-- database owner, after `congtam migrate` has created the platform schema.
--
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f deploy/citus/distribute-tenant-schemas.sql
--
-- Why this works without code changes: every tenant already lives in its own schema t_<slug>
-- (event table, tracking table, read models) and every query is qualified by that schema, so
-- each schema becomes one colocation group that Citus places on a single worker node. Queries
-- for one tenant are routed whole to that node; tenants spread across nodes.
--
-- The platform schema (tenant registry, users, grants, cross-tenant roll-ups) is NOT
-- distributed: it stays on the coordinator, where the API's connections land anyway.
-- Idempotent: schemas already distributed are skipped, so it can run after every release.

CREATE EXTENSION IF NOT EXISTS citus;

-- 1. Tenants registered from now on: `CREATE SCHEMA t_<slug>` (run by the API when a tenant is
--    registered) creates a distributed schema. Set on the database, not the session, because
--    the app's own connections create the schemas. The platform schema already exists, so it
--    is unaffected; had it been created after this setting, it would need
--    citus_schema_undistribute('platform').
ALTER DATABASE congtam SET citus.enable_schema_based_sharding TO on;

-- The tenant event tables carry row triggers (hash chain, append-only: services/store/integrity.py).
-- Citus refuses triggers on distributed tables unless this is on; they then run on the worker
-- holding the tenant, next to the only table they read.
ALTER DATABASE congtam SET citus.enable_unsafe_triggers TO on;
-- ALTER DATABASE ... SET applies to new sessions; this one distributes schemas below.
SET citus.enable_unsafe_triggers TO on;

-- 2. Tenants registered before: distribute each existing t_<slug> schema named in the
--    registry. citus_schema_distribute moves the schema's tables to a worker; it takes locks
--    on that tenant's tables, so run it in a quiet window.
DO $$
DECLARE
    tenant_schema text;
BEGIN
    FOR tenant_schema IN
        SELECT t.schema_name
        FROM platform.tenants AS t
        WHERE NOT EXISTS (
            SELECT 1 FROM citus_schemas AS cs WHERE cs.schema_name::text = t.schema_name
        )
        ORDER BY t.schema_name
    LOOP
        RAISE NOTICE 'distributing %', tenant_schema;
        PERFORM citus_schema_distribute(tenant_schema::regnamespace);
    END LOOP;
END
$$;

-- 3. Check: every tenant schema distributed, platform not.
SELECT cs.schema_name, cs.colocation_id, cs.schema_size
FROM citus_schemas AS cs
ORDER BY cs.schema_name;
