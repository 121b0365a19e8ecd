"""The auditor's commands as an operator runs them: real processes, the test database."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.support.cli import congtam, run_auditverify
from tests.support.org import StaffedTenant
from tests.support.projection import projected

pytestmark = pytest.mark.integration


async def test_checkpoint_verify_history_and_export_from_the_command_line(
    runtime: Runtime, settings: Settings, staffed_tenant: StaffedTenant, tmp_path: Path,
) -> None:
    tenant, org = await staffed_tenant(members=2)

    published = await congtam(settings, "checkpoint", "--tenant", tenant.slug, "--by", "ops-1")
    assert published.returncode == 0, published.stderr
    assert "checkpoint at position" in published.stdout

    verified = await congtam(settings, "verify", "--tenant", tenant.slug)
    assert verified.returncode == 0, verified.stderr
    assert "OK" in verified.stdout

    told = await congtam(settings, "history", "--tenant", tenant.slug, "--subject", "unit",
                         "--id", str(org.unit), "--json")
    assert told.returncode == 0, told.stderr
    events = [json.loads(line) for line in told.stdout.splitlines()]
    assert events[0]["aggregate_type"] == "Unit"
    assert events[0]["event"] == "Registered"

    exported = await congtam(settings, "export", "--tenant", tenant.slug, "--out",
                             str(tmp_path / "b"), "--until", "6")
    assert exported.returncode == 0, exported.stderr
    checked = await run_auditverify(tmp_path / "b")
    assert checked.returncode == 0, checked.stderr
    assert "OK — 6 events" in checked.stdout

    # Replay compares with the live read models: let the live projection reach the log's head
    # first (the served projector runs beside this test; catch_up does the rest itself).
    await projected(runtime, tenant, drive=True)
    replayed = await congtam(settings, "replay", "--tenant", tenant.slug)
    assert replayed.returncode == 0, replayed.stderr
    assert "replay EQUALS live" in replayed.stdout

    # A superuser rewrites an event and recomputes nothing: verify names the position.
    async with runtime.pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute(f"UPDATE {tenant.schema}.evaluations_events SET originator_version "
                           "= originator_version + 100 WHERE notification_id = 2")
    broken = await congtam(settings, "verify", "--tenant", tenant.slug)
    assert broken.returncode == 1
    assert "BROKEN at position 2" in broken.stderr


async def test_grant_and_revoke_from_the_command_line(
    runtime: Runtime, settings: Settings, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    tenant = await new_tenant()
    granted = await congtam(settings, "grant", "--user", "insp-cli", "--tenant", tenant.slug,
                            "--role", "auditor", "--include-children")
    assert granted.returncode == 0, granted.stderr
    grant_id = granted.stdout.strip().rsplit(" ", 1)[-1]
    revoked = await congtam(settings, "revoke", "--user", "insp-cli", "--grant", grant_id,
                            "--reason", "kết thúc đợt thanh tra")
    assert revoked.returncode == 0, revoked.stderr
    refused = await congtam(settings, "grant", "--user", "insp-cli", "--tenant", tenant.slug,
                            "--role", "emperor")
    assert refused.returncode == 2
    assert "INVALID_INPUT" in refused.stderr


async def test_an_operator_erases_a_person_and_verify_still_passes(
    runtime: Runtime, settings: Settings, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=2)
    person = str(org.members[0])

    refused = await congtam(settings, "erase", "--tenant", tenant.slug, "--staff", person,
                            "--basis", " ")
    assert refused.returncode == 2
    assert "ERASURE_BASIS_REQUIRED" in refused.stderr

    # Off the event loop, as every command here: the served app's projector lives in it and
    # may hold the tenant's lock that the erasure's rebuild waits for.
    erased = await congtam(settings, "erase", "--tenant", tenant.slug, "--staff", person,
                           "--basis", "Đơn yêu cầu ngày 20/11/2026", "--by", "ops-2")
    assert erased.returncode == 0, erased.stderr
    assert f"read models rebuilt: {tenant.slug}" in erased.stdout
    assert await runtime.pool.fetchval(
        "SELECT erased_by FROM platform.personal_keys WHERE subject_id = $1",
        org.members[0]) == "ops-2"

    verified = await congtam(settings, "verify", "--tenant", tenant.slug)
    assert verified.returncode == 0, verified.stderr
