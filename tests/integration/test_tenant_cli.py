"""Registering a tenant as an operator does it: ``congtam tenant add``, a real process."""

from __future__ import annotations

import uuid

import pytest

from services.runtime import Runtime
from services.settings import Settings
from tests.support.cli import congtam

pytestmark = pytest.mark.integration


async def test_an_operator_registers_a_ward_under_its_district(
    runtime: Runtime, settings: Settings,
) -> None:
    district, ward = f"cli-d-{uuid.uuid4().hex[:8]}", f"cli-w-{uuid.uuid4().hex[:8]}"
    made = await congtam(settings, "tenant", "add", district, "--name", "Quận Thử", "--kind",
                         "district")
    assert made.returncode == 0, made.stderr
    made = await congtam(settings, "tenant", "add", ward, "--name", "Phường Thử", "--kind",
                         "ward", "--parent", district)
    assert made.returncode == 0, made.stderr
    assert f"{ward} registered in database home" in made.stdout
    row = await runtime.pool.fetchrow(
        "SELECT name, kind, parent_slug FROM platform.tenants WHERE slug = $1", ward)
    assert dict(row) == {"name": "Phường Thử", "kind": "ward", "parent_slug": district}


async def test_a_bad_registration_says_why_and_registers_nothing(
    runtime: Runtime, settings: Settings,
) -> None:
    slug = f"cli-x-{uuid.uuid4().hex[:8]}"
    for args, said in ((["--kind", "hamlet"], "hamlet"),
                       (["--kind", "ward", "--parent", "no-such-district"], "no-such-district"),
                       (["--kind", "ward", "--database", "db9"], "db9")):
        refused = await congtam(settings, "tenant", "add", slug, "--name", "Xã Thử", *args)
        assert refused.returncode == 2, refused.stdout
        assert said in refused.stderr
    assert await runtime.pool.fetchval(
        "SELECT count(*) FROM platform.tenants WHERE slug = $1", slug) == 0
