"""The excellent quota holds under concurrent deciders (it is a cross-aggregate invariant)."""

from __future__ import annotations

import threading

import anyio
import pytest

from domain.actor import Actor, acting_as
from domain.errors import DomainError, QuotaExceededError, StaleVersionError
from domain.ids import PeriodId
from domain.levels import Level
from domain.period import EvaluationPeriod
from services.app.commands import DecideRating
from services.runtime import Runtime
from tests.support.org import StaffedTenant, month_open

pytestmark = pytest.mark.integration


async def test_parallel_deciders_cannot_pass_the_last_excellent_slot(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    # 10 people to rate → at most 3 excellent
    _, org, service, period_id = await month_open(runtime, staffed_tenant, 9, 5)
    barrier = threading.Barrier(len(org.members))
    outcomes: list[str] = []

    def decide(staff: object) -> None:
        barrier.wait()
        with acting_as(Actor(str(org.leader), "unit_leader")):
            try:
                service.decide_rating(DecideRating(PeriodId(period_id), staff,  # type: ignore[arg-type]
                                                   Level.A, 95, "Xuất sắc", str(org.leader)))
                outcomes.append("accepted")
            except (QuotaExceededError, StaleVersionError) as error:
                outcomes.append(error.code)
            except DomainError as error:  # pragma: no cover - would be a bug
                outcomes.append(f"unexpected {error.code}")

    threads = [threading.Thread(target=decide, args=(m,)) for m in org.members]
    await anyio.to_thread.run_sync(lambda: [t.start() for t in threads])
    await anyio.to_thread.run_sync(lambda: [t.join() for t in threads])

    assert len(outcomes) == len(org.members)
    assert set(outcomes) <= {"accepted", "QUOTA_EXCEEDED", "STALE_VERSION"}
    assert outcomes.count("accepted") <= 3
    period = service.app.repository.get(period_id)
    assert isinstance(period, EvaluationPeriod)
    assert list(period.decisions.values()).count("A") == outcomes.count("accepted")
    assert outcomes.count("accepted") >= 1  # contention never starves everyone
