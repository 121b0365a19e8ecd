"""SIGTERM to the process the container image runs: in-flight writes finish and are kept.

The server is started with the image's own command (``CMD`` of deploy/Dockerfile, after
tini), against the test database. A burst of writes is running when SIGTERM arrives:
uvicorn stops accepting, lets the requests in flight finish (``timeout_graceful_shutdown``),
then the lifespan stops the projector after its current batch. Every write that was
acknowledged must be in the tenant's log, and the read models must take each one exactly
once when projection resumes.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from domain.actor import Actor
from projections.runner import catch_up, head_position, lock_key, tracked_position
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.support.keyserver import KeyServer, key_server, provider_token
from tests.support.projection import hold
from tests.support.servers import free_port

pytestmark = pytest.mark.integration

DOCKERFILE = Path(__file__).parents[2] / "deploy" / "Dockerfile"
UNIT = """mutation RegisterBurstUnit($name: String!) { registerUnit(input: {name: $name,
  kind: "youth_union"}) { id position } }"""
WRITERS = 12


def image_command() -> list[str]:
    """The image's CMD (exec form), the command tini starts in the container."""
    cmds = [line for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
            if line.startswith("CMD ")]
    argv: list[str] = json.loads(cmds[-1].removeprefix("CMD "))
    return argv


async def _until_ready(base: str, proc: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 90
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:
        while time.monotonic() < deadline:
            assert proc.returncode is None, "the server exited before it was ready"
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("the server never became ready")


async def test_sigterm_during_a_burst_of_writes_loses_no_acknowledged_event(
    runtime: Runtime, settings: Settings, new_tenant: Callable[..., Awaitable[Tenant]],
    tmp_path: Path,
) -> None:
    # Production mode, as the image runs: tokens from an identity provider (a loopback one
    # over https, its certificate trusted by the server through SSL_CERT_FILE).
    with key_server() as idp:
        await _burst_then_sigterm(runtime, settings, new_tenant, tmp_path, idp)


async def _burst_then_sigterm(
    runtime: Runtime, settings: Settings, new_tenant: Callable[..., Awaitable[Tenant]],
    tmp_path: Path, idp: KeyServer,
) -> None:
    tenant = await new_tenant()
    argv = image_command()
    assert argv[0] == "congtam"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": settings.database_url or "",
           "CONGTAM_DATA_DIR": str(tmp_path), **idp.env(), "CONGTAM_HOST": "127.0.0.1",
           "CONGTAM_PORT": str(port), "CONGTAM_LOG_FORMAT": "json",
           "CONGTAM_LOG_LEVEL": "info", "CONGTAM_PROJECTOR_IN_PROCESS": "true"}
    executable = str(Path(sys.executable).parent / argv[0])
    log_path = tmp_path / "server.log"  # a file, not a pipe: a full pipe would stall it
    log_file = log_path.open("wb")
    proc = await asyncio.create_subprocess_exec(executable, *argv[1:], env=env,
                                                stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        await _until_ready(base, proc)
        # Production mode: the token's role counts only through a recorded grant.
        await runtime.platform.grant(Actor("platform-admin", "platform_admin"), "hr-1",
                                     tenant.slug, "hr_officer")
        token = provider_token(settings, tenant.slug, "hr-1", "hr_officer")
        acknowledged: list[tuple[str, float]] = []  # (unit id, when its answer came)
        stop = asyncio.Event()

        async def writer(n: int) -> None:
            async with httpx.AsyncClient(base_url=base, timeout=60) as client:
                i = 0
                while not stop.is_set():
                    try:
                        response = await client.post(
                            "/graphql", headers={"Authorization": f"Bearer {token}"},
                            json={"query": UNIT, "variables": {"name": f"Chi đoàn {n}-{i}"}})
                    except httpx.TransportError:
                        return  # refused or closed: never acknowledged, may or may not exist
                    if response.status_code != 200:
                        return
                    body = response.json()
                    if body.get("errors") or not body.get("data"):
                        return
                    acknowledged.append((body["data"]["registerUnit"]["id"], time.monotonic()))
                    i += 1

        writers = [asyncio.create_task(writer(n)) for n in range(WRITERS)]
        while len(acknowledged) < 3 * WRITERS:  # the burst is under way
            await asyncio.sleep(0.02)
            assert not all(w.done() for w in writers), "every writer stopped before SIGTERM"
        proc.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        exit_code = await asyncio.wait_for(proc.wait(), 60)
        stop.set()
        await asyncio.gather(*writers)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        log_file.close()
    output = log_path.read_text(encoding="utf-8", errors="replace")
    # uvicorn re-raises the signal once it has shut down (so tini reports 143): a clean end
    # is the lifespan's last line, after the projector's batch and both pools are closed.
    assert exit_code in (0, -signal.SIGTERM), output
    assert '"event": "runtime_stopped"' in output, output
    # Requests in flight when the signal came were answered, not cut off.
    assert any(when > signalled for _, when in acknowledged), output

    ids = {unit for unit, _ in acknowledged}
    async with runtime.pool.acquire() as conn:
        logged = {str(r["originator_id"]) for r in await conn.fetch(
            f"SELECT originator_id FROM {tenant.schema}.evaluations_events")}
        assert ids <= logged, f"acknowledged but not in the log: {ids - logged}"
        # The projector stopped between batches: what it tracked is a whole prefix of the
        # log, and resuming projects the rest exactly once.
        assert await tracked_position(conn, tenant.schema) <= await head_position(
            conn, tenant.schema)
        await hold(conn, tenant)
        try:
            await catch_up(conn, tenant.schema)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", lock_key(tenant.schema))
        projected = [str(r["unit_id"]) for r in await conn.fetch(
            f"SELECT unit_id FROM {tenant.schema}.rm_units")]
    assert len(projected) == len(set(projected)) == len(logged)
    assert ids <= set(projected)
