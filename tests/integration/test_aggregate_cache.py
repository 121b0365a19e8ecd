"""The aggregate cache never lets a stale aggregate decide.

Two ``TenantApps`` on the same database stand for two API processes, each with its own
cache: what one writes, the other's cached aggregates see on their next read (fast-forward
from the log), and under a race the unique (id, version) on save still refuses the loser.
"""

from __future__ import annotations

import threading

import anyio
import pytest

from domain.actor import Actor, acting_as
from domain.errors import DomainError, QuotaExceededError, StaleVersionError
from domain.ids import PeriodId, StaffId
from domain.levels import Level
from domain.period import EvaluationPeriod
from services.app.commands import DecideRating, OpenPeriod
from services.app.handlers import TenantService
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.store.eventstore import TenantApps
from tests.support.org import Org, StaffedTenant

pytestmark = pytest.mark.integration


def _process(runtime: Runtime, tenant: Tenant) -> TenantService:
    """A service as another API process holds it: its own application and aggregate cache."""
    apps = TenantApps(runtime.shared, max_size=4, aggregate_cache_size=64)
    return TenantService(apps.get(tenant.slug))


def _excellent(service: TenantService, org: Org, period: PeriodId, staff: StaffId) -> int:
    with acting_as(Actor(str(org.leader), "unit_leader")):
        return service.decide_rating(DecideRating(period, staff, Level.A, 95, "Xuất sắc",
                                                  str(org.leader)))


async def test_a_cached_period_sees_the_other_process_decisions_before_the_quota_check(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=9)  # 10 people to rate → at most 3 excellent
    first, second = _process(runtime, tenant), _process(runtime, tenant)
    assert first.app.repository.cache is not None

    def scenario() -> tuple[PeriodId, str]:
        with acting_as(Actor("hr", "hr_officer")):
            period_id, _ = first.open_period(OpenPeriod(org.unit, 2026, 6))
        period = PeriodId(period_id)
        # Both processes now hold the period, unit and parent in their caches.
        _excellent(second, org, period, org.members[0])
        _excellent(first, org, period, org.members[1])
        cached = second.app.repository.cache.get(period_id)  # type: ignore[union-attr]
        stored = first.app.repository.get(period_id)
        assert cached.version < stored.version  # behind the log: first decided since
        _excellent(first, org, period, org.members[2])  # the third and last slot
        try:
            _excellent(second, org, period, org.members[3])
        except QuotaExceededError as error:
            return period, error.code
        return period, "accepted"

    period, outcome = await anyio.to_thread.run_sync(scenario)
    assert outcome == "QUOTA_EXCEEDED"
    stored = runtime.service(tenant).app.repository.get(period)
    assert isinstance(stored, EvaluationPeriod)
    assert list(stored.decisions.values()).count("A") == 3


async def test_racing_processes_with_warm_caches_never_pass_the_quota(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=9)
    processes = [_process(runtime, tenant) for _ in range(3)]
    with acting_as(Actor("hr", "hr_officer")):
        period_id, _ = await anyio.to_thread.run_sync(
            processes[0].open_period, OpenPeriod(org.unit, 2026, 7))
    period = PeriodId(period_id)
    for service in processes:  # warm every cache with the empty period
        await anyio.to_thread.run_sync(service.app.repository.get, period_id)

    barrier = threading.Barrier(len(org.members))
    outcomes: list[str] = []

    def decide(index: int, staff: StaffId) -> None:
        barrier.wait()
        try:
            _excellent(processes[index % len(processes)], org, period, staff)
            outcomes.append("accepted")
        except (QuotaExceededError, StaleVersionError) as error:
            outcomes.append(error.code)
        except DomainError as error:  # pragma: no cover - would be a bug
            outcomes.append(f"unexpected {error.code}")
        except Exception as error:  # pragma: no cover - a racer that dies is counted too
            outcomes.append(f"unexpected {type(error).__name__}: {error}")

    threads = [threading.Thread(target=decide, args=(i, m)) for i, m in enumerate(org.members)]
    await anyio.to_thread.run_sync(lambda: [t.start() for t in threads])
    await anyio.to_thread.run_sync(lambda: [t.join() for t in threads])

    # One outcome per racer: a thread that died without one would otherwise drop out of
    # every count below, and the quota would look kept by fewer deciders.
    assert len(outcomes) == len(org.members), outcomes
    assert set(outcomes) <= {"accepted", "QUOTA_EXCEEDED", "STALE_VERSION"}, outcomes
    assert 1 <= outcomes.count("accepted") <= 3
    stored = runtime.service(tenant).app.repository.get(period_id)
    assert isinstance(stored, EvaluationPeriod)
    assert list(stored.decisions.values()).count("A") == outcomes.count("accepted")


def _state(aggregate: object) -> dict[str, object]:
    """An aggregate's fields, without what it memoises from them (a period's parsed policy
    and members, kept on the cached aggregate once a command has read them)."""
    return {k: v for k, v in vars(aggregate).items()
            if k not in {"_policy", "_member_set", "_member_names"}}


async def test_many_aggregates_in_one_read_equal_each_read_alone_and_see_other_writers(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=4)
    first, second = _process(runtime, tenant), _process(runtime, tenant)

    def scenario() -> None:
        with acting_as(Actor("hr", "hr_officer")):
            period_id, _ = first.open_period(OpenPeriod(org.unit, 2026, 6))
        period = PeriodId(period_id)
        ids = [period_id, org.unit, *org.members]
        warm = first.app.get_many(ids)  # fills the first process's cache
        assert set(warm) == set(ids)
        cached_before = first.app.repository.cache.get(period_id)  # type: ignore[union-attr]
        version_before = cached_before.version
        _excellent(second, org, period, org.members[0])  # the other process writes
        many = first.app.get_many([*ids, StaffId(org.root)])
        for aggregate_id in ids:
            alone = second.app.repository.get(aggregate_id)
            assert many[aggregate_id].version == alone.version, aggregate_id
            assert _state(many[aggregate_id]) == _state(alone), aggregate_id
        # Brought forward past the other process's decision, without touching the object
        # other threads may be reading: the cache now holds a new, up-to-date copy.
        assert many[period_id].version > version_before
        assert cached_before.version == version_before
        assert first.app.repository.cache.get(period_id).version == many[period_id].version  # type: ignore[union-attr]
        # What callers get are copies: changing one changes nothing cached.
        many[period_id].decisions.clear()  # type: ignore[attr-defined]
        assert first.app.get_many([period_id])[period_id].decisions  # type: ignore[attr-defined]

    await anyio.to_thread.run_sync(scenario)


async def test_a_warm_decision_reads_everything_it_checks_in_one_round_trip(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    # Period, unit, parent unit, evaluation, person and tenant record: one statement, not six.
    tenant, org = await staffed_tenant(members=9)
    service = _process(runtime, tenant)
    reads: list[str] = []
    single, many = service.app.repository.get, service.app.get_many

    def counted_get(*args: object, **kwargs: object) -> object:
        reads.append("get")
        return single(*args, **kwargs)  # type: ignore[arg-type]

    def counted_many(*args: object, **kwargs: object) -> object:
        reads.append("get_many")
        return many(*args, **kwargs)  # type: ignore[arg-type]

    def scenario() -> PeriodId:
        with acting_as(Actor("hr", "hr_officer")):
            period_id, _ = service.open_period(OpenPeriod(org.unit, 2026, 7))
        period = PeriodId(period_id)
        _excellent(service, org, period, org.members[0])  # warms the cache: unit, parent
        service.app.repository.get = counted_get  # type: ignore[method-assign]
        service.app.get_many = counted_many  # type: ignore[method-assign]
        _excellent(TenantService(service.app), org, period, org.members[1])
        return period

    period = await anyio.to_thread.run_sync(scenario)
    assert reads == ["get_many"]
    stored = runtime.service(tenant).app.repository.get(period)
    assert isinstance(stored, EvaluationPeriod)
    assert list(stored.decisions.values()).count("A") == 2
