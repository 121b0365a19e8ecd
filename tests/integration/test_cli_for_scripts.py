"""The command line as a script uses it: stdout carries the answer alone (logs go to
stderr), ``--json`` parses, ``verify`` says what it checked in terms an auditor can check,
and ``token`` never makes a key the server does not know."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import anyio
import asyncpg
import jwt
import pytest

from domain.actor import Actor, acting_as
from domain.ids import UnitId
from services.app.commands import RegisterUnit
from services.runtime import Runtime
from services.settings import Settings
from tests.support.cli import cli_env, congtam
from tests.support.org import StaffedTenant

pytestmark = pytest.mark.integration

CLI_SECRET = "cli-scripts-" + "z" * 32


def env_of(settings: Settings) -> dict[str, str]:
    # Log level info: the commands' logs must still keep out of stdout.
    return cli_env(settings, CONGTAM_LOG_LEVEL="info", CONGTAM_JWT_SECRET=CLI_SECRET,
                   CONGTAM_CHECKPOINT_EVERY_S="0")


async def test_db_url_prints_the_url_alone_so_psql_can_open_it(settings: Settings) -> None:
    # The embedded mode (no DATABASE_URL), on the test session's own embedded server: the
    # command starts nothing new, it finds the running one and says where it is.
    host = parse_qs(urlparse(settings.database_url or "").query)["host"][0]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"CONGTAM_DATA_DIR": str(Path(host).parent), "CONGTAM_LOG_LEVEL": "info"}
    done = await congtam(env, "db-url")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, f"stdout must be the URL alone, got {done.stdout!r}"
    conn = await asyncpg.connect(lines[0])
    try:
        assert await conn.fetchval("SELECT 1") == 1
    finally:
        await conn.close()


async def test_verify_says_positions_gaps_and_events_not_yet_witnessed(
    runtime: Runtime, settings: Settings, staffed_tenant: StaffedTenant,
) -> None:
    tenant, _ = await staffed_tenant(members=1)
    # A write that rolled back used a position and left nothing: take one from the log's
    # sequence, as such a write does, then write on.
    async with runtime.pool.acquire() as conn:
        await conn.fetchval("SELECT nextval(pg_get_serial_sequence($1, 'notification_id'))",
                            f"{tenant.schema}.evaluations_events")
    service = runtime.service(tenant)

    def one_more() -> None:
        with acting_as(Actor("test-hr", "hr_officer")):
            service.register_unit(RegisterUnit(UnitId(uuid.uuid4()), "Hội Nông dân",
                                               "farmers_union"))

    await anyio.to_thread.run_sync(one_more)
    async with runtime.pool.acquire() as conn:
        events = await conn.fetchval(f"SELECT count(*) FROM {tenant.schema}.evaluations_events")
        last = await conn.fetchval(f"SELECT max(notification_id) FROM "
                                   f"{tenant.schema}.evaluations_events")
    env = env_of(settings)

    said = await congtam(env, "verify", "--tenant", tenant.slug, "--json")
    assert said.returncode == 0, said.stderr
    found = json.loads(said.stdout)
    assert (found["ok"], found["events"], found["last_position"]) == (True, events, last)
    assert found["unused_positions"] == last - events >= 1
    assert (found["checkpoints"], found["unwitnessed"]) == (0, events)

    text = await congtam(env, "verify", "--tenant", tenant.slug)
    assert text.returncode == 0, text.stderr
    assert f"all {events} events, positions 1 to {last}" in text.stdout
    assert "a write that rolled back" in text.stdout
    assert f"{events} events after the last checkpoint are not yet witnessed" in text.stdout

    published = await congtam(env, "checkpoint", "--tenant", tenant.slug, "--json")
    assert published.returncode == 0, published.stderr
    [checkpoint] = json.loads(published.stdout)
    assert (checkpoint["position"], checkpoint["events"]) == (last, events)

    await anyio.to_thread.run_sync(one_more)
    after = json.loads((await congtam(env, "verify", "--tenant", tenant.slug, "--json")).stdout)
    assert (after["checkpoints"], after["unwitnessed"]) == (1, 1)
    assert after["newest_checkpoint"]["position"] == last


async def test_tenants_and_export_answer_json_on_stdout(
    settings: Settings, staffed_tenant: StaffedTenant, tmp_path: Path,
) -> None:
    tenant, _ = await staffed_tenant(members=1)
    env = env_of(settings)

    listed = await congtam(env, "tenants", "--json")
    assert listed.returncode == 0, listed.stderr
    mine = [t for t in json.loads(listed.stdout) if t["slug"] == tenant.slug]
    assert mine == [{"slug": tenant.slug, "name": tenant.name, "kind": "ward", "parent": None,
                     "schema": tenant.schema, "status": tenant.status}]

    # The table for people names every slug and schema whole, whatever the terminal: a slug
    # cut to "test-0d3…" cannot be copied into the next command.
    table = await congtam(env, "tenants")
    assert table.returncode == 0, table.stderr
    row = next(line for line in table.stdout.splitlines() if tenant.slug in line)
    assert tenant.schema in row

    exported = await congtam(env, "export", "--tenant", tenant.slug, "--out", str(tmp_path / "b"),
                             "--json")
    assert exported.returncode == 0, exported.stderr
    bundle = json.loads(exported.stdout)
    assert bundle["path"] == str(tmp_path / "b")
    assert bundle["events"] == sum(1 for _ in (tmp_path / "b" / "events.jsonl").open())


async def test_token_outside_the_checkout_refuses_naming_the_key_file(tmp_path: Path) -> None:
    # A fresh directory, no key in the environment: the server started elsewhere has a key
    # this command cannot see. It must say which file it looked for, and make none.
    env = {k: v for k, v in os.environ.items()
           if k not in {"CONGTAM_JWT_SECRET", "CONGTAM_DATA_DIR", "CONGTAM_JWKS_URL"}}
    refused = await congtam(env, "token", "--tenant", "hn-long-bien", "--user", "u1", "--role",
                            "staff", cwd=tmp_path)
    key = tmp_path / ".data" / "dev-jwt-secret"
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert str(key) in refused.stderr
    assert not key.exists()

    # Pointed at the server's data directory, it signs with the server's key.
    server_data = tmp_path / "server-data"
    server_data.mkdir()
    (server_data / "dev-jwt-secret").write_text("the-servers-key-" + "k" * 32)
    minted = await congtam({**env, "CONGTAM_DATA_DIR": str(server_data)}, "token", "--tenant",
                           "hn-long-bien", "--user", "u1", "--role", "staff", cwd=tmp_path)
    assert minted.returncode == 0, minted.stderr
    claims = jwt.decode(minted.stdout.strip(), "the-servers-key-" + "k" * 32,
                        algorithms=["HS256"], audience="congtam")
    assert (claims["sub"], claims["tenant"]) == ("u1", "hn-long-bien")
