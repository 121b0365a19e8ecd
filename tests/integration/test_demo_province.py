"""The demo's Hà Nội in the 2025 shape: the city sets policy and catalogue once, the 2018
districts are merged into 2025 successors under it (the lineage shows), each successor
applies the city's policy and catalogue with an allowed adjustment, and its read models
rebuilt from the log equal the live ones."""

from __future__ import annotations

import anyio
import pytest

from domain.actor import Actor, acting_as
from domain.work_errors import LockedByProvinceError
from projections.runner import catch_up
from services.app.commands import AdjustPolicy, AdoptPolicy
from services.demo.province import PROVINCE, SUCCESSORS, add_demo_province
from services.demo.tenants import _build_tenant
from services.runtime import Runtime
from tests.support.projection import assert_rebuild_equals_live, holding
from tests.support.province_day import PROVINCE_DAY

pytestmark = pytest.mark.integration


async def test_the_city_its_2025_wards_and_the_districts_merged_into_them(
        runtime: Runtime) -> None:
    today = PROVINCE_DAY
    for _, _, _, olds in SUCCESSORS:
        for old in olds:
            if old not in {t.slug for t in await runtime.registry.all()}:
                tenant = await runtime.registry.register(old, old, "district", None)
                await anyio.to_thread.run_sync(_build_tenant, runtime.service(tenant), old,
                                               today)
    # The province test of the web's people may have loaded some already (one database per
    # test process): what was missing is loaded, in order, and nothing else.
    present = {t.slug for t in await runtime.registry.all()}
    loaded = await add_demo_province(runtime, today)
    assert loaded == [s for s in (PROVINCE[0], *(s for s, *_ in SUCCESSORS)) if s not in present]
    assert {PROVINCE[0], *(s for s, *_ in SUCCESSORS)} <= {t.slug for t in
                                                           await runtime.registry.all()}
    assert await add_demo_province(runtime, today) == []  # idempotent
    slug, _, _, olds = SUCCESSORS[0]
    ward = await runtime.registry.get(slug)
    assert ward.parent_slug == PROVINCE[0]
    async with holding(runtime, ward) as conn:
        await catch_up(conn, ward.schema)
        s = ward.schema
        lineage = await conn.fetch(f"SELECT relation, other_tenant FROM {s}.rm_tenant_lineage")
        versions = [r["version"] for r in await conn.fetch(
            f"SELECT version FROM {s}.rm_work_catalogues ORDER BY position")]
        catalogue = await conn.fetchval(
            f"SELECT catalogue FROM {s}.rm_work_catalogues ORDER BY position DESC LIMIT 1")
        policy = await conn.fetchval(f"SELECT version FROM {s}.rm_policies "
                                     "WHERE cycle = 'monthly' ORDER BY revision DESC LIMIT 1")
        await assert_rebuild_equals_live(conn, s)
    assert {r["other_tenant"] for r in lineage} == set(olds)
    assert versions == ["catalogue/1 (hn catalogue/1)", "catalogue/2 (hn catalogue/1)"]
    assert '"dan-van"' in catalogue
    assert '"coefficient": 1.2' in catalogue
    assert policy.endswith("(hn monthly/2 (vn-monthly-2026.1))")
    # The ward's policy changes only through the city's rules: adjusting it directly, or
    # adopting another preset over it, is refused and writes nothing.
    service = runtime.service(ward)
    for change in (lambda: service.adjust_policy(AdjustPolicy(
                       "monthly", {"appeal_window_days": 20}, "Tự điều chỉnh")),
                   lambda: service.adopt_policy(AdoptPolicy("monthly", "hn-monthly-2018",
                                                            "Quay lại mẫu cũ"))):
        with acting_as(Actor("ward-hr", "hr_officer")), pytest.raises(LockedByProvinceError):
            await anyio.to_thread.run_sync(change)
