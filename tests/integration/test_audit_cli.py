"""The auditor's commands as an operator runs them: real processes, the test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import pytest

from projections.runner import catch_up, tracked_position
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.support.org import Org
from tests.support.readmodels import event_count

pytestmark = pytest.mark.integration


def congtam(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    # Generous: a command starts a runtime (pools, migrations) and a busy CI box with
    # parallel workers has been seen to take over two minutes for one.
    env = {**os.environ, "DATABASE_URL": settings.database_url or "",
           "CONGTAM_DATA_DIR": str(settings.data_dir), "CONGTAM_LOG_LEVEL": "warning",
           "CONGTAM_JWT_SECRET": "cli-test-" + "y" * 32}
    return subprocess.run([sys.executable, "-m", "services.cli", *args], env=env,
                          capture_output=True, text=True, timeout=300, check=False)


async def congtam_off_loop(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """``congtam`` in a thread, so that this event loop keeps running while the command
    does. The session's served app and its projector live in this loop: a projector batch
    caught between its log_progress update and its COMMIT would otherwise stay open, and
    hold the tenant's row that every append's head trigger upserts, until the command
    gave up (lock timeout) — or a migration's lock on a platform table (statement timeout)."""
    return await anyio.to_thread.run_sync(lambda: congtam(settings, *args))


cli = congtam_off_loop  # what every async test here calls


async def test_checkpoint_verify_history_and_export_from_the_command_line(
    runtime: Runtime, settings: Settings, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]], tmp_path: Path,
) -> None:
    tenant = await new_tenant()
    org = await org_in(tenant, members=2)

    published = await cli(settings, "checkpoint", "--tenant", tenant.slug, "--by", "ops-1")
    assert published.returncode == 0, published.stderr
    assert "checkpoint at position" in published.stdout

    verified = await cli(settings, "verify", "--tenant", tenant.slug)
    assert verified.returncode == 0, verified.stderr
    assert "OK" in verified.stdout

    told = await cli(settings, "history", "--tenant", tenant.slug, "--subject", "unit",
                   "--id", str(org.unit), "--json")
    assert told.returncode == 0, told.stderr
    events = [json.loads(line) for line in told.stdout.splitlines()]
    assert events[0]["aggregate_type"] == "Unit"
    assert events[0]["event"] == "Registered"

    exported = await cli(settings, "export", "--tenant", tenant.slug, "--out",
                       str(tmp_path / "b"), "--until", "6")
    assert exported.returncode == 0, exported.stderr
    checked = await anyio.run_process([sys.executable, "-S", "-E", "-m", "auditverify", "."],
                                      cwd=tmp_path / "b", check=False)
    assert checked.returncode == 0, checked.stderr
    assert "OK — 6 events" in checked.stdout.decode()

    # Replay compares with the live read models: let the live projection reach the log's head
    # first (the served projector runs beside this test; catch_up does the rest itself).
    async with runtime.pool.acquire() as conn:
        head = await event_count(conn, tenant.schema)
        for _ in range(200):
            await catch_up(conn, tenant.schema)
            if await tracked_position(conn, tenant.schema) >= head:
                break
            await anyio.sleep(0.05)
    replayed = await cli(settings, "replay", "--tenant", tenant.slug)
    assert replayed.returncode == 0, replayed.stderr
    assert "replay EQUALS live" in replayed.stdout

    # A superuser rewrites an event and recomputes nothing: verify names the position.
    async with runtime.pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute(f"UPDATE {tenant.schema}.evaluations_events SET originator_version "
                           "= originator_version + 100 WHERE notification_id = 2")
    broken = await cli(settings, "verify", "--tenant", tenant.slug)
    assert broken.returncode == 1
    assert "BROKEN at position 2" in broken.stderr


async def test_grant_and_revoke_from_the_command_line(
    runtime: Runtime, settings: Settings, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    tenant = await new_tenant()
    granted = await cli(settings, "grant", "--user", "insp-cli", "--tenant", tenant.slug,
                      "--role", "auditor", "--include-children")
    assert granted.returncode == 0, granted.stderr
    grant_id = granted.stdout.strip().rsplit(" ", 1)[-1]
    revoked = await cli(settings, "revoke", "--user", "insp-cli", "--grant", grant_id,
                      "--reason", "kết thúc đợt thanh tra")
    assert revoked.returncode == 0, revoked.stderr
    refused = await cli(settings, "grant", "--user", "insp-cli", "--tenant", tenant.slug,
                      "--role", "emperor")
    assert refused.returncode == 2
    assert "INVALID_INPUT" in refused.stderr


async def test_an_operator_erases_a_person_and_verify_still_passes(
    runtime: Runtime, settings: Settings, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]],
) -> None:
    tenant = await new_tenant()
    org = await org_in(tenant, members=2)
    person = str(org.members[0])

    refused = await cli(settings, "erase", "--tenant", tenant.slug, "--staff", person,
                      "--basis", " ")
    assert refused.returncode == 2
    assert "ERASURE_BASIS_REQUIRED" in refused.stderr

    # In a thread, so that this event loop keeps running: the served app's projector lives
    # in it and may hold the tenant's lock that the erasure's rebuild waits for.
    erased = await anyio.to_thread.run_sync(lambda: congtam(
        settings, "erase", "--tenant", tenant.slug, "--staff", person,
        "--basis", "Đơn yêu cầu ngày 20/11/2026", "--by", "ops-2"))
    assert erased.returncode == 0, erased.stderr
    assert f"read models rebuilt: {tenant.slug}" in erased.stdout
    assert await runtime.pool.fetchval(
        "SELECT erased_by FROM platform.personal_keys WHERE subject_id = $1",
        org.members[0]) == "ops-2"

    verified = await cli(settings, "verify", "--tenant", tenant.slug)
    assert verified.returncode == 0, verified.stderr
