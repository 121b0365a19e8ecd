"""The appeal path through the library: file, accept, decide (upheld → an amendment).

One unit's month is rated first (not timed); then, person after person, the appeal's three
commands are timed inside one worker thread. Deciding upheld saves four aggregates at once
(appeal, docket, evaluation, period), and the period's history grows by one amendment each
time, so this is where appeals cost more than a decision.
"""

from __future__ import annotations

import random
import time
import uuid

import anyio

from bench.people import HR, BenchUnit, decide, open_month, plan_scores, self_assess, self_score_for
from bench.scales import month_at
from bench.stats import Measure
from domain.actor import Actor, acting_as
from domain.appeal import Outcome
from domain.ids import StaffId, evaluation_id_for
from domain.levels import Level
from services.app.appeal_commands import AcceptAppeal, DecideAppeal, FileAppeal
from services.app.commands import PublishPeriod
from services.app.handlers import AppealService
from services.runtime import Runtime

CEILING = {Level.A: 100.0, Level.B: 89.9, Level.C: 69.9, Level.D: 49.9}


async def appeal_cycle(rt: Runtime, unit: BenchUnit, budget_s: float) -> Measure:
    service = AppealService(rt.apps.get(unit.tenant.slug))
    rng = random.Random(f"appeal/{unit.unit_id}")
    members = list(unit.members)

    def prepare() -> list[tuple[StaffId, float, uuid.UUID]]:
        period = open_month(service, unit, *month_at(unit.take_month()))
        scores = plan_scores(rng, len(members))
        out: list[tuple[StaffId, float, uuid.UUID]] = []
        for person, score in zip(members, scores, strict=True):
            own = self_score_for(rng, score)
            self_assess(service, period, person, own, rng)
            decide(service, unit, period, person, score, own)
            out.append((person, score, evaluation_id_for(period, person, "official")))
        with acting_as(HR):
            service.publish_period(PublishPeriod(period))
        return out

    cases = await anyio.to_thread.run_sync(prepare)
    leader = str(unit.leader)

    def run() -> tuple[float, list[float]]:
        latencies: list[float] = []
        started = time.perf_counter()
        for person, score, evaluation in cases:
            appeal = uuid.uuid4()
            # A few points more within the same level, so the quota is never in the way.
            level = service.policy.bands.level_for(score)
            new_score = min(round(score + 0.5, 1), CEILING[level])
            if new_score == score:
                new_score = round(score - 0.5, 1)
            t0 = time.perf_counter()
            with acting_as(Actor(str(person), "staff")):
                service.file(FileAppeal(appeal, evaluation, str(person), "Đề nghị xem xét."))
            t1 = time.perf_counter()
            with acting_as(Actor(leader, "unit_leader")):
                service.accept(AcceptAppeal(appeal, leader))
                t2 = time.perf_counter()
                service.decide(DecideAppeal(appeal, leader, Outcome.UPHELD, "Đủ căn cứ.",
                                            level, new_score))
            t3 = time.perf_counter()
            latencies += [(t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000]
            if t3 - started > budget_s:
                break
        return time.perf_counter() - started, latencies

    seconds, latencies = await anyio.to_thread.run_sync(run)
    return Measure("appeal_cycle", "appeals/s", len(latencies) // 3, seconds,
                   baseline="baseline_insert_single", latencies_ms=latencies,
                   extra={"commands": len(latencies), "unit_size": len(members),
                          "tenant": unit.tenant.slug})
