"""Database roles: tenant isolation enforced by PostgreSQL itself, as a second line.

The first line is the code: every read names the caller's tenant schema, taken from the
verified token. Should that ever go wrong (a bug, a schema name from the wrong place), the
database must still refuse. Options weighed:

- *Row-level security on shared tables*: not our shape; each tenant has its own schema.
- *search_path per request*: only changes name resolution; a fully qualified
  ``t_other.rm_ratings`` still reads. Not a security boundary.
- *A role per tenant, switched per request* (chosen): ``ct_read_<schema>`` may read its own
  schema and nothing else. Every API read runs in a read-only transaction that first does
  ``SET LOCAL ROLE ct_read_<schema>``; the role ends with the transaction, so a pooled
  connection never carries one tenant's role into another request. Dashboards (``Reads``)
  and the other resolvers (``Context.fetcher``/``fetchrow``) read this way, one statement per
  transaction. Two reads run as the login role, after their grant checks: a parent's
  aggregate over the children it was granted (one statement across their schemas), and the
  auditor's paths (history, as-of and replay read the log and build scratch schemas).
  This holds even when the session user is a superuser (the embedded development mode),
  because privileges are those of the current role. Role count grows with tenants (a few
  hundred), which PostgreSQL handles without cost; connections stay bounded.

Other roles (all ``NOLOGIN`` group roles; operators give them LOGIN in production):

- ``congtam_api``: ``NOINHERIT`` member of every tenant reader role — it holds no tenant
  privilege itself and reaches a tenant only by ``SET ROLE``; it may read the platform
  registry and grants.
- ``congtam_projector``: reads every tenant's events, writes read models and tracking; the
  projector's transactions run as it (services/projector.py).
- ``congtam_writer``: appends events and nothing else — ``SELECT`` and ``INSERT`` on the
  event tables, plus ``MAINTAIN`` (PostgreSQL 17+) for the table lock that keeps
  notification ids in commit order (``LOCK … IN EXCLUSIVE MODE`` otherwise needs ``UPDATE``).
  No read model, no other table. Every append of the API runs as it
  (``SET LOCAL ROLE``, services/store/eventstore.py); ``congtam_api`` may switch to it.
- The platform's own tables take the same shape (nothing of them is writable by
  ``congtam_api`` itself, which only reads the registry and the grants):
  ``congtam_platform_writer`` appends to the platform log (``platform.platform_events``:
  grants, revocations, erasures, checkpoints, access records) and does nothing else;
  ``congtam_platform_projector`` keeps the platform log's read models (users, grants,
  checkpoints, access log, key tombstones) and reads the log; ``congtam_keys`` creates a
  person's key (insert and read ``platform.personal_keys``, never change or delete one —
  only the erasure's projection does). Each path switches to its role for its own
  transaction (services/platform/platform_log.py, services/store/personal_keys.py);
  ``congtam_api`` may take them, as it takes ``congtam_writer``. The shared rate-limit
  buckets are reached only through ``platform.rate_sync`` (``SECURITY DEFINER``), not the
  table.
- Event tables (``*_events``) are append-only for everyone: ``UPDATE``, ``DELETE`` and
  ``TRUNCATE`` are revoked from every role here (and refused by triggers,
  services/store/integrity.py).

Creating roles needs ``CREATEROLE``; without it the second line is reported off at start-up
(``db_roles_unavailable``) and reads run as the session user.
"""

from __future__ import annotations

import contextlib
import hashlib
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import structlog

from storage.db import DbConn

log = structlog.get_logger()

API_ROLE = "congtam_api"
PROJECTOR_ROLE = "congtam_projector"
WRITER_ROLE = "congtam_writer"
PLATFORM_WRITER_ROLE = "congtam_platform_writer"
PLATFORM_PROJECTOR_ROLE = "congtam_platform_projector"
KEYS_ROLE = "congtam_keys"
# The platform log's read models, written by its projection only.
PLATFORM_READ_MODELS = ("users", "grants", "checkpoints", "access_log", "placements",
                        "projection_tracking")
_enabled = True  # cleared when the server refuses us CREATEROLE


def reader_role(schema: str) -> str:
    return f"ct_read_{schema}"


def roles_enabled() -> bool:
    return _enabled


def _create_role(name: str, attributes: str) -> str:
    # CREATE ROLE has no IF NOT EXISTS; two processes may race, so swallow the duplicate.
    return (f"DO $$ BEGIN CREATE ROLE {name} {attributes}; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;")


async def install_platform_roles(conn: DbConn) -> None:
    """The shared roles and their platform privileges (idempotent)."""
    global _enabled
    try:
        await conn.execute(_create_role(API_ROLE, "NOLOGIN NOINHERIT"))
        await conn.execute(_create_role(PROJECTOR_ROLE, "NOLOGIN"))
        await conn.execute(_create_role(WRITER_ROLE, "NOLOGIN"))
        for role in (PLATFORM_WRITER_ROLE, PLATFORM_PROJECTOR_ROLE, KEYS_ROLE):
            await conn.execute(_create_role(role, "NOLOGIN"))
    except asyncpg.InsufficientPrivilegeError:
        _enabled = False
        log.error("db_roles_unavailable", reason="no CREATEROLE: tenant roles are not enforced")
        return
    await conn.execute(
        f"GRANT USAGE ON SCHEMA platform TO {API_ROLE}, {PROJECTOR_ROLE};"
        f"GRANT SELECT ON platform.tenants TO {API_ROLE}, {PROJECTOR_ROLE};"
        f"GRANT SELECT ON platform.grants, platform.users TO {API_ROLE};"
        f"GRANT {WRITER_ROLE} TO {API_ROLE};"
        f"GRANT USAGE ON SCHEMA platform TO {PLATFORM_WRITER_ROLE}, {PLATFORM_PROJECTOR_ROLE}, "
        f"{KEYS_ROLE};"
        f"GRANT {PLATFORM_WRITER_ROLE}, {PLATFORM_PROJECTOR_ROLE}, {KEYS_ROLE} TO {API_ROLE};"
        f"GRANT SELECT ON platform.tenants TO {PLATFORM_PROJECTOR_ROLE};"
        # Nobody writes a platform read model but its projection: not the API, not PUBLIC.
        + "".join(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON platform.{t} "
                  f"FROM PUBLIC, {API_ROLE}, {WRITER_ROLE}, {PLATFORM_WRITER_ROLE}, {KEYS_ROLE};"
                  f"GRANT SELECT, INSERT, UPDATE, DELETE ON platform.{t} "
                  f"TO {PLATFORM_PROJECTOR_ROLE};" for t in PLATFORM_READ_MODELS)
    )
    sync = "platform.rate_sync(text[], integer[], integer[])"
    if await conn.fetchval(f"SELECT to_regprocedure('{sync}') IS NOT NULL"):
        await conn.execute(
            "REVOKE ALL ON platform.rate_buckets FROM PUBLIC;"
            f"REVOKE ALL ON FUNCTION {sync} FROM PUBLIC;"
            f"GRANT EXECUTE ON FUNCTION {sync} TO {API_ROLE}")
    if await conn.fetchval("SELECT to_regclass('platform.personal_keys') IS NOT NULL"):
        # Projections open sealed personal data with the keys not erased
        # (storage/sealing.py); the API's tenant readers never see a key.
        await conn.execute(f"GRANT SELECT ON platform.personal_keys TO {PROJECTOR_ROLE}")
        # A key is made once (insert, then read back) and never changed but by the erasure's
        # projection, which leaves the tombstone.
        await conn.execute(
            "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON platform.personal_keys, "
            f"platform.personal_key_tenants FROM PUBLIC, {API_ROLE}, {WRITER_ROLE}, "
            f"{PLATFORM_WRITER_ROLE};"
            f"REVOKE UPDATE, DELETE, TRUNCATE ON platform.personal_keys, "
            f"platform.personal_key_tenants FROM {KEYS_ROLE};"
            "GRANT SELECT, INSERT ON platform.personal_keys, platform.personal_key_tenants "
            f"TO {KEYS_ROLE};"
            "GRANT SELECT, INSERT, UPDATE ON platform.personal_keys, "
            f"platform.personal_key_tenants TO {PLATFORM_PROJECTOR_ROLE}")
    if await conn.fetchval("SELECT to_regclass('platform.log_progress') IS NOT NULL"):
        # The runner records each tenant's projected position there, in the batch's own
        # transaction (projections/progress.py).
        await conn.execute(f"GRANT SELECT, INSERT, UPDATE ON platform.log_progress "
                           f"TO {PROJECTOR_ROLE}")
        # An append raises the tenant's log head there too, in its own statement trigger
        # (projections/progress.py): the writer does exactly that, and no more.
        await conn.execute(f"GRANT USAGE ON SCHEMA platform TO {WRITER_ROLE};"
                           f"GRANT SELECT, INSERT, UPDATE ON platform.log_progress "
                           f"TO {WRITER_ROLE}, {PLATFORM_WRITER_ROLE}, "
                           f"{PLATFORM_PROJECTOR_ROLE}")


async def install_platform_log_roles(conn: DbConn, events: str) -> None:
    """The platform log's table (``events``, qualified): appended by the platform writer,
    read by its projection, changed by nobody (run once the table exists)."""
    if not _enabled:
        return
    statements = [
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {events} FROM PUBLIC, {API_ROLE}, {WRITER_ROLE}, "
        f"{PLATFORM_WRITER_ROLE}, {PLATFORM_PROJECTOR_ROLE}, {KEYS_ROLE}",
        f"REVOKE INSERT ON {events} FROM PUBLIC, {API_ROLE}, {WRITER_ROLE}, "
        f"{PLATFORM_PROJECTOR_ROLE}, {KEYS_ROLE}",
        f"GRANT SELECT ON {events} TO {PLATFORM_PROJECTOR_ROLE}",
    ]
    if await _has_maintain(conn):
        statements += await _appending(conn, events, PLATFORM_WRITER_ROLE)
    await conn.execute(";\n".join(statements))


async def _has_maintain(conn: DbConn) -> bool:
    """PostgreSQL 17 or later: the MAINTAIN privilege (a table lock without UPDATE)."""
    return int(await conn.fetchval("SELECT current_setting('server_version_num')")) >= 170000


async def _appending(conn: DbConn, table: str, role: str) -> list[str]:
    """What ``role`` needs to append to the event table ``table``: the rows, the table lock
    and the table's sequence."""
    statements = [f"GRANT SELECT, INSERT, MAINTAIN ON {table} TO {role}"]
    sequence = await conn.fetchval("SELECT pg_get_serial_sequence($1, 'notification_id')",
                                   table)
    if sequence:
        statements.append(f"GRANT USAGE ON SEQUENCE {sequence} TO {role}")
    return statements


@asynccontextmanager
async def projecting_platform_as(conn: DbConn) -> AsyncIterator[None]:
    """Run the block as the platform log's projector (session-level, reset after)."""
    if not _enabled:
        yield
        return
    await conn.execute(f"SET ROLE {PLATFORM_PROJECTOR_ROLE}")
    try:
        yield
    finally:
        await conn.execute("RESET ROLE")


# What a tenant's privileges were last installed from: this module's code and the schema's
# tables. Every process start checks all tenants against it in one statement and installs
# roles only where it changed (a new read-model table, a change here), so starting an API
# or projector costs the same with 3,321 tenants as with three — instead of thousands of
# GRANTs under the migration lock at every start.
ROLES_SOURCE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
# A schema's tables are found through pg_depend (each relation depends on its namespace;
# indexed by the namespace), never by filtering pg_class or pg_tables on the schema: those
# have no index on the namespace, so every such lookup reads the whole catalog — ~130 ms
# per lookup at 3,321 tenants, three per registration, and the start-up check used to do
# one per tenant (minutes). The start-up check reads the catalog once, grouped.
_TABLES_OF = ("FROM pg_depend d JOIN pg_class c ON c.oid = d.objid "
              "WHERE d.classid = 'pg_class'::regclass "
              "AND d.refclassid = 'pg_namespace'::regclass "
              "AND d.refobjid = to_regnamespace({schema}) AND c.relkind IN ('r', 'p')")
_FINGERPRINT = ("(SELECT md5($1 || coalesce(string_agg(c.relname::text, ',' "
                "ORDER BY c.relname), '')) " + _TABLES_OF.format(schema="t.schema_name") + ")")
# Every schema's fingerprint in one pass over the catalog (the same value as _FINGERPRINT).
_ALL_FINGERPRINTS = (
    "WITH f AS (SELECT n.nspname::text AS schema_name, "
    "md5($1 || string_agg(c.relname::text, ',' ORDER BY c.relname)) AS fingerprint "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p') AND n.nspname LIKE 't\\_%' GROUP BY n.nspname) ")


async def tenants_needing_roles(conn: DbConn) -> list[str]:
    """Tenant schemas whose privileges are not installed for their current tables."""
    if not _enabled:
        return []
    rows = await conn.fetch(
        _ALL_FINGERPRINTS + "SELECT t.schema_name FROM platform.tenants t "
        "LEFT JOIN f ON f.schema_name = t.schema_name "
        "WHERE t.roles_fingerprint IS DISTINCT FROM coalesce(f.fingerprint, md5($1)) "
        "ORDER BY 1", ROLES_SOURCE)
    return [str(r["schema_name"]) for r in rows]


async def mark_roles_installed(conn: DbConn, schema: str) -> None:
    await conn.execute(
        f"UPDATE platform.tenants t SET roles_fingerprint = {_FINGERPRINT} "
        "WHERE t.schema_name = $2", ROLES_SOURCE, schema)


# A database away from home has no registry: its tenant schemas are the logs it serves
# (platform.log_progress, fenced copies left out), and their fingerprints are kept here.
AWAY_ROLES_SQL = """
CREATE TABLE IF NOT EXISTS platform.schema_roles (
    schema_name text PRIMARY KEY,
    fingerprint text NOT NULL
);
"""


async def away_schemas_needing_roles(conn: DbConn) -> list[str]:
    """In a database away from home: the tenant schemas it serves whose privileges are not
    installed for their current tables."""
    if not _enabled:
        return []
    rows = await conn.fetch(
        _ALL_FINGERPRINTS + "SELECT t.schema_name FROM platform.log_progress t "
        "LEFT JOIN platform.schema_roles r ON r.schema_name = t.schema_name "
        "LEFT JOIN f ON f.schema_name = t.schema_name "
        "WHERE NOT t.fenced AND t.schema_name LIKE 't\\_%' "
        "AND r.fingerprint IS DISTINCT FROM coalesce(f.fingerprint, md5($1)) ORDER BY 1",
        ROLES_SOURCE)
    return [str(r["schema_name"]) for r in rows]


async def mark_away_roles_installed(conn: DbConn, schema: str) -> None:
    await conn.execute(
        "INSERT INTO platform.schema_roles AS r (schema_name, fingerprint) "
        f"SELECT t.schema_name, {_FINGERPRINT} FROM (SELECT $2::text AS schema_name) t "
        "ON CONFLICT (schema_name) DO UPDATE SET fingerprint = EXCLUDED.fingerprint",
        ROLES_SOURCE, schema)


async def install_tenant_roles(conn: DbConn, schema: str) -> None:
    """The tenant's reader role, and the projector's and append-only privileges on its tables.

    Run after every DDL change of the schema (registration, migration): privileges on
    tables are granted table by table, so a read model added later is covered next time.
    """
    if not _enabled or not await conn.fetchval(
            "SELECT 1 FROM pg_namespace WHERE nspname = $1", schema):
        return  # a registry row without its schema serves nothing: nothing to grant
    reader = reader_role(schema)
    await conn.execute(_create_role(reader, "NOLOGIN"))
    tables = await conn.fetch(
        "SELECT quote_ident(c.relname) AS t, c.relname LIKE '%\\_events' AS events "
        + _TABLES_OF.format(schema="$1"), schema)
    events = [row for row in tables if row["events"]]
    others = [row for row in tables if not row["events"]]
    statements = [
        f"REVOKE ALL ON SCHEMA {schema} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {schema} TO {reader}, {PROJECTOR_ROLE}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {reader}",
        f"GRANT {reader} TO {API_ROLE}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {PROJECTOR_ROLE}",
    ]
    for row in others:
        statements.append(f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE "
                          f"ON {schema}.{row['t']} TO {PROJECTOR_ROLE}")
    maintain = await _has_maintain(conn)
    statements.append(f"GRANT USAGE ON SCHEMA {schema} TO {WRITER_ROLE}")
    for row in events:
        table = f"{schema}.{row['t']}"
        statements.append(f"GRANT SELECT ON {table} TO {PROJECTOR_ROLE}")
        statements.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} "
                          f"FROM PUBLIC, {reader}, {PROJECTOR_ROLE}, {API_ROLE}, {WRITER_ROLE}")
        if maintain:  # before 17 the table lock would need UPDATE: appends stay as they were
            statements += await _appending(conn, table, WRITER_ROLE)
    await conn.execute(";\n".join(statements))


@asynccontextmanager
async def reading_as(conn: DbConn, schema: str) -> AsyncIterator[None]:
    """A read-only transaction in which only ``schema`` is visible."""
    async with conn.transaction(readonly=True):
        if _enabled:
            await conn.execute(f"SET LOCAL ROLE {reader_role(schema)}")
        yield


# Raw connections whose last checkout was only a committed ``read_checkout``: nothing of
# that checkout outlives its transaction, so the pool's reset is skipped (``take_clean``).
_clean: weakref.WeakSet[Any] = weakref.WeakSet()


@asynccontextmanager
async def read_checkout(pool: Any, schema: str) -> AsyncIterator[DbConn]:
    """A pooled connection in a read-only transaction as ``schema``'s reader role.

    As ``reading_as``, in fewer round trips: ``BEGIN READ ONLY`` and ``SET LOCAL ROLE`` go
    in one (the simple protocol runs both), the statements, then ``COMMIT`` — and the pool
    does not reset the connection when it comes back, since the role and every setting of
    the checkout ended with its transaction (``take_clean``). Two transactions never share
    the checkout, so nothing set here can reach the next borrower."""
    async with pool.acquire() as conn:
        setup = "BEGIN READ ONLY"
        if _enabled:
            setup += f"; SET LOCAL ROLE {reader_role(schema)}"
        try:
            await conn.execute(setup)
            yield conn
        except BaseException:
            with contextlib.suppress(Exception):  # the pool's reset rolls back otherwise
                if conn.is_in_transaction():
                    await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")
        _clean.add(getattr(conn, "_con", conn))  # the proxy's connection, as the pool sees it


def take_clean(conn: Any) -> bool:
    """Whether ``conn`` comes back from a committed ``read_checkout`` (asked once, by the
    pool's reset): then it carries no role, setting, cursor, lock or listener to reset."""
    if conn in _clean:
        _clean.discard(conn)
        return not conn.is_in_transaction()
    return False


@asynccontextmanager
async def projecting_as(conn: DbConn) -> AsyncIterator[None]:
    """Run the block as the projector role (session-level; reset before the connection
    returns to the pool, since ``RESET ALL`` does not reset the role)."""
    if not _enabled:
        yield
        return
    await conn.execute(f"SET ROLE {PROJECTOR_ROLE}")
    try:
        yield
    finally:
        await conn.execute("RESET ROLE")
