"""The peer: PostGraphile 4 over the same read-model table, when node and npm are present.

Installed with npm into a cache outside the repository (``~/.cache/congtam-bench/``, or
``$CONGTAM_BENCH_CACHE``), one directory per pinned version, and started as its own node
process against the bench's embedded PostgreSQL: the tenant schema the board is read from,
the same pool size as the product's read pool, JWT verification with the bench's key (so
each request runs in a transaction that sets the token's claims, as PostGraphile does), no
query log, no GraphiQL, ``NODE_ENV=production``.

The board's 12 fields are ``rm_ratings`` columns except two: the staff name (the product
joins ``rm_staff``) and the level's label (the product maps the level in Python). For
PostGraphile they are computed columns, two ``STABLE`` SQL functions added to the tenant
schema for the measurement and dropped after it (``@sortable``, so the board is ordered by
name as the product orders it). PostGraphile inlines them into its one statement.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.http import _free_port
from bench.processes import Process, _spawn, _tail
from domain.levels import Level
from services.runtime import Runtime
from services.settings import Settings
from services.store.database import ConnectionParams

VERSION = "4.14.1"  # postgraphile on npm, pinned: a different version is a different peer
PEER_ROLE = "congtam_bench_peer"
INSTALL_TIMEOUT_S = 300.0

BOARD = """query Ratings($unit: UUID!, $year: Int!, $month: Int!) {
  allRmRatings(condition: {unitId: $unit, kind: "monthly", year: $year, number: $month},
               orderBy: [STAFF_NAME_ASC, PRIMARY_KEY_ASC], first: 100) {
    nodes {
      staffId staffName status selfScore selfLevel level levelLabel score reasons decidedBy
      decidedAt policyVersion
    }
  }
}"""


@dataclass
class PeerStatus:
    """What the JSON says about the peer: measured, or why not."""

    measured: bool
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": "postgraphile", "version": VERSION,
                               "measured": self.measured}
        if self.reason:
            out["reason"] = self.reason
        return out | self.details


def cache_dir() -> Path:
    root = os.environ.get("CONGTAM_BENCH_CACHE")
    base = Path(root) if root else Path.home() / ".cache" / "congtam-bench"
    return base / f"postgraphile-{VERSION}"


def cli_script() -> Path:
    return cache_dir() / "node_modules" / "postgraphile" / "cli.js"


def _node() -> str | None:
    return shutil.which("node")


async def ensure_installed() -> tuple[Path | None, str]:
    """The CLI script, installed on first use; or None and why not."""
    node, npm = _node(), shutil.which("npm")
    if node is None or npm is None:
        return None, "node/npm not found"
    script = cli_script()
    if script.exists():
        return script, ""
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    argv = [npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund",
            "--loglevel=error", f"postgraphile@{VERSION}"]
    try:
        done = await asyncio.wait_for(asyncio.to_thread(
            subprocess.run, argv, capture_output=True, text=True, check=False,
            timeout=INSTALL_TIMEOUT_S), INSTALL_TIMEOUT_S + 10)
    except (TimeoutError, subprocess.TimeoutExpired):
        return None, f"npm install postgraphile@{VERSION} timed out"
    if done.returncode != 0 or not script.exists():
        return None, (f"npm install postgraphile@{VERSION} failed: "
                      + (done.stderr or done.stdout).strip()[-300:])
    return script, ""


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _computed_columns_sql(schema: str) -> list[str]:
    labels = " ".join(f"WHEN {_quote(level.value)} THEN {_quote(level.label_vi)}"
                      for level in Level)
    return [
        f"CREATE OR REPLACE FUNCTION {schema}.rm_ratings_staff_name(r {schema}.rm_ratings) "
        f"RETURNS text LANGUAGE sql STABLE AS $$ SELECT full_name FROM {schema}.rm_staff "
        "WHERE staff_id = r.staff_id $$",
        f"COMMENT ON FUNCTION {schema}.rm_ratings_staff_name({schema}.rm_ratings) "
        "IS '@sortable'",
        f"CREATE OR REPLACE FUNCTION {schema}.rm_ratings_level_label(r {schema}.rm_ratings) "
        f"RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT CASE r.level {labels} END $$",
    ]


async def _prepare(rt: Runtime, schema: str) -> None:
    async with rt.pool.acquire() as conn:
        exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", PEER_ROLE)
        if not exists:
            await conn.execute(f'CREATE ROLE "{PEER_ROLE}" LOGIN SUPERUSER')
        for statement in _computed_columns_sql(schema):
            await conn.execute(statement)


async def _unprepare(rt: Runtime, schema: str) -> None:
    async with rt.pool.acquire() as conn:
        for name in ("rm_ratings_staff_name", "rm_ratings_level_label"):
            await conn.execute(f"DROP FUNCTION IF EXISTS {schema}.{name}({schema}.rm_ratings)")


def _argv(script: Path, settings: Settings, schema: str, port: int, secret: str) -> list[str]:
    params = ConnectionParams.from_url(settings.database_url or "")
    # The product's URL form, which node-postgres reads too: the embedded server's Unix
    # socket directory as ?host=, as for the product's processes; its own login role.
    own = ConnectionParams(params.host, params.port, PEER_ROLE, "", params.dbname)
    return [_node() or "node", str(script),
            "--connection", own.url(), "--schema", schema,
            "--host", "127.0.0.1", "--port", str(port),
            "--max-pool-size", str(settings.read_pool_max),
            "--disable-query-log", "--disable-graphiql", "--no-setof-functions-contain-nulls",
            "--jwt-secret", secret, "--jwt-verify-audience", settings.jwt_audience,
            "--jwt-verify-issuer", settings.jwt_issuer, "--jwt-verify-algorithms", "HS256"]


async def _wait_ready(process: Process, token: str, within_s: float = 60.0) -> None:
    """Ready once ``{ __typename }`` answers with the bench's token (schema introspected)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=process.base_url or "", timeout=2) as http:
        while loop.time() < deadline:
            if process.popen.poll() is not None:
                raise RuntimeError(f"postgraphile exited: {_head(process.log)}")
            try:
                answer = await http.post("/graphql", json={"query": "{ __typename }"},
                                         headers=headers)
                if answer.status_code == 200 and not answer.json().get("errors"):
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.25)
    raise RuntimeError(f"postgraphile not ready within {within_s:.0f} s: {_tail(process.log)}")


def _head(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[:1500]


@asynccontextmanager
async def postgraphile(rt: Runtime, settings: Settings, schema: str, secret: str,
                       token: str) -> AsyncIterator[tuple[Process | None, PeerStatus]]:
    """PostGraphile serving ``schema``, or (None, why not); stopped with SIGTERM."""
    script, why = await ensure_installed()
    if script is None:
        yield None, PeerStatus(False, why)
        return
    await _prepare(rt, schema)
    port = _free_port()
    log = settings.data_dir / "postgraphile.log"
    popen = _spawn(_argv(script, settings, schema, port, secret),
                   {**os.environ, "NODE_ENV": "production"}, log)
    process = Process("postgraphile", PEER_ROLE, popen, log, f"http://127.0.0.1:{port}")
    try:
        await _wait_ready(process, token)
        node = (await asyncio.to_thread(
            subprocess.run, [_node() or "node", "--version"], capture_output=True, text=True,
            check=False)).stdout.strip()
        yield process, PeerStatus(True, details={"node": node, "schema": schema,
                                                 "pool": settings.read_pool_max})
    finally:
        if popen.poll() is None:
            popen.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(popen.wait, 10)
            except subprocess.TimeoutExpired:
                popen.kill()
                await asyncio.to_thread(popen.wait)
        await _unprepare(rt, schema)
