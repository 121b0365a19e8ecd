"""Starting a replica beside running ones changes no platform table that is already as it
should be: an ``ALTER TABLE`` (even ``ADD COLUMN IF NOT EXISTS`` of a column that exists)
or a ``DROP TRIGGER`` takes an ACCESS EXCLUSIVE lock, which waits behind every query and
stops every query behind it, on a live system; a ``CREATE INDEX`` (even ``IF NOT EXISTS``)
or ``CREATE TRIGGER`` waits for the writers and holds up the ones after it."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from services.runtime import Runtime, bootstrap, shutdown
from services.settings import Settings
from services.store.ddl import missing_ddl, without_present

pytestmark = pytest.mark.integration


async def test_a_second_start_waits_for_no_lock_on_the_platform_tables(
    runtime: Runtime, settings: Settings,
) -> None:
    # A writer holds every platform table (ROW EXCLUSIVE, as any INSERT or UPDATE does)
    # while another replica starts: any lock that would hold up writers waits for it.
    tables = [r["t"] for r in await runtime.pool.fetch(
        "SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables "
        "WHERE schemaname = 'platform'")]
    waited: list[str] = []
    async with runtime.pool.acquire() as writer:
        held = writer.transaction()
        await held.start()
        await writer.execute(f"LOCK TABLE {', '.join(tables)} IN ROW EXCLUSIVE MODE")
        start = asyncio.create_task(bootstrap(settings, projector=False))
        try:
            while not start.done() and not waited:
                waited = [f"{r['t']} ({r['mode']})" for r in await runtime.pool.fetch(
                    "SELECT relation::regclass::text AS t, mode FROM pg_locks "
                    "WHERE NOT granted AND relation::regclass::text = ANY($1::text[])",
                    tables)]
                await asyncio.sleep(0.01)
        finally:
            await held.rollback()
            await shutdown(await start)
    assert waited == []


async def test_a_column_or_an_index_is_added_only_when_the_catalogue_lacks_it(
        runtime: Runtime) -> None:
    schema = f"ddl_{uuid.uuid4().hex[:8]}"
    sql = (f"CREATE TABLE IF NOT EXISTS {schema}.t (a int);\n"
           f"ALTER TABLE {schema}.t ADD COLUMN IF NOT EXISTS b int;\n"
           f"ALTER TABLE {schema}.t\n    ADD COLUMN IF NOT EXISTS c text NOT NULL DEFAULT '';\n"
           f"CREATE INDEX IF NOT EXISTS t_b_idx ON {schema}.t (b);\n")
    async with runtime.pool.acquire() as conn:
        await conn.execute(f"CREATE SCHEMA {schema}")
        try:
            # A table not there yet: the script creates it, then adds its columns.
            assert len(await missing_ddl(conn, sql)) == 3
            await conn.execute(await without_present(conn, sql))
            assert await missing_ddl(conn, sql) == []
            assert await without_present(conn, sql) == (
                f"CREATE TABLE IF NOT EXISTS {schema}.t (a int);\n")
            await conn.execute(f"ALTER TABLE {schema}.t DROP COLUMN c")
            await conn.execute(f"DROP INDEX {schema}.t_b_idx")
            assert await missing_ddl(conn, sql) == [
                f"ALTER TABLE {schema}.t\n    ADD COLUMN IF NOT EXISTS c text NOT NULL DEFAULT '';",
                f"CREATE INDEX IF NOT EXISTS t_b_idx ON {schema}.t (b);"]
        finally:
            await conn.execute(f"DROP SCHEMA {schema} CASCADE")
