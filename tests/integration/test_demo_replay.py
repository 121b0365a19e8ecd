"""The demo year replayed from the log gives the same read models as live."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import anyio
import pytest

from projections.runner import catch_up
from services.demo.tenants import _build_tenant
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.support.event_kinds import tenant_event_topics
from tests.support.projection import assert_rebuild_equals_live, holding

pytestmark = pytest.mark.integration

CROSS_TENANT = {
    "domain.organisation:StaffMember.LeftTenant",
    "domain.organisation:StaffMember.PriorResultsImported",
    "domain.evaluation:Evaluation.OutcomeImported",
    "domain.period:EvaluationPeriod.DecisionsImported",
    "domain.tenant_record:TenantRecord.Started",
    "domain.tenant_record:TenantRecord.MergedInto",
    "domain.tenant_record:TenantRecord.PredecessorAbsorbed",
    "domain.work_item:WorkItem.CarriedOver",
    # A ward adjusting its province's catalogue (services/demo/province.py).
    "domain.work_catalogue:WorkCatalogue.Adjusted",
}


async def test_a_demo_year_rebuilt_from_the_log_equals_the_live_read_models(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    tenant = await new_tenant()
    service = runtime.service(tenant)
    # The demo's own people (seed): its month decided from work has civil servants in it.
    await anyio.to_thread.run_sync(lambda: _build_tenant(service, tenant.slug, date(2026, 11, 23),
                                                         True, seed="hn-long-bien-duc-giang"))
    async with holding(runtime, tenant) as conn:
        await catch_up(conn, tenant.schema)
        s = tenant.schema
        months = await conn.fetchval(
            f"SELECT count(DISTINCT (year, number)) FROM {s}.rm_periods WHERE kind = 'monthly'")
        quarters = await conn.fetchval(
            f"SELECT count(*) FROM {s}.rm_periods WHERE kind = 'quarterly'")
        exceptions = await conn.fetchval(f"SELECT count(*) FROM {s}.rm_quota_exceptions")
        transfers = await conn.fetchval(f"SELECT count(*) FROM {s}.rm_transfers")
        collectives = await conn.fetchval(
            f"SELECT count(*) FROM {s}.rm_collective_ratings WHERE status = 'decided'")
        topics = {r["topic"] for r in await conn.fetch(
            f"SELECT DISTINCT topic FROM {s}.evaluations_events")}
        over = await conn.fetchval(
            f"SELECT count(*) FROM {s}.rm_periods p WHERE p.excellent_count > "
            f"floor(p.member_count * 0.3 + 1e-9) + coalesce((SELECT sum(extra) FROM "
            f"{s}.rm_quota_exceptions x WHERE x.period_id = p.period_id), 0) "
            # The 2018 Hanoi quota (A ≤ 30 %); months under the 2026 national policy keep
            # theirs (A ≤ 20 % of those rated B or better), checked by the domain.
            f"AND p.policy_version NOT LIKE '%vn-%'")
        await assert_rebuild_equals_live(conn, s)
    assert months == 13  # eleven closed months, last month, this month
    assert quarters >= 2
    assert exceptions >= 1
    assert transfers == 1
    assert over == 0  # no period holds more excellent ratings than quota and exceptions
    assert collectives == 4  # every unit below the People's Committee, rated as a collective
    # Every kind of event is in the demo: those of one tenant's year here, and those that
    # take two tenants (a transfer, a merge) in ``congtam demo``'s transfer and merge.
    missing = tenant_event_topics() - topics
    assert missing == CROSS_TENANT, "; ".join(sorted(missing ^ CROSS_TENANT))
