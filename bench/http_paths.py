"""GraphQL paths: a decision at 1, 8 and 32 clients, the unit dashboard, and ``{ __typename }``.

``{ __typename }`` is the floor of the same server: HTTP, JWT verification, the rate guard,
context, GraphQL parse/validate/execute, JSON — everything except the resolver's own work.
It is measured at the same concurrency as the path it stands beside. The server is a
separate ``congtam serve`` process, with its projector a separate ``congtam project``.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx

from bench.env import quiet_loggers
from bench.http import Call, client, drive, graphql_call, split
from bench.lag_paths import LANES, RATE, lag_under_load
from bench.people import POLICY, BenchUnit, open_month, self_assess, self_score_for
from bench.processes import API_ROLE, PROJECTOR_ROLE, Process, create_roles, running
from bench.scales import Scale, month_at
from bench.stats import Measure
from domain.ids import PeriodId, StaffId
from services.http.auth import mint_token
from services.runtime import Runtime
from services.settings import Settings

OPERATIONS = Path(__file__).resolve().parents[1] / "graphql" / "operations"
TYPENAME = "{ __typename }"
# The dashboard's own field only (the UnitBoard document also asks for the period).
RATINGS = """query Ratings($unit: ID!, $year: Int!, $month: Int!) {
  unitRatings(unitId: $unit, year: $year, month: $month, first: 100) {
    edges { node {
      staffId staffName status selfScore selfLevel level levelLabel score reasons decidedBy
      decidedAt policyVersion
    } }
  }
}"""


@dataclass
class Lane:
    """One leader's queue: a unit's freshly opened month and the people still to decide."""

    unit: BenchUnit
    period: PeriodId
    staff: list[StaffId]
    self_scores: list[float]


def _decision_doc() -> str:
    return (OPERATIONS / "DecideRating.graphql").read_text(encoding="utf-8")


def _token(settings: Settings, unit: BenchUnit, user: object, *roles: str) -> str:
    return mint_token(settings, tenant=unit.tenant.slug, user=str(user), roles=list(roles))


async def prepare_lanes(rt: Runtime, units: list[BenchUnit], sizes: list[int]) -> list[Lane]:
    """Open one month per lane and let its people self-assess (set-up, not measured)."""
    pool = units[2:] or units  # the first two units served append_library and bulk_rating
    rng = random.Random("lanes")

    def make(index: int, size: int) -> Lane:
        unit = pool[index % len(pool)]
        service = rt.service(unit.tenant)
        period = open_month(service, unit, *month_at(unit.take_month()))
        staff = unit.members[:size]
        scores = [self_score_for(rng, 80.0) for _ in staff]
        for person, score in zip(staff, scores, strict=True):
            self_assess(service, period, person, score, rng)
        return Lane(unit, period, staff, scores)

    lanes: list[Lane] = []
    for index, size in enumerate(sizes):
        lanes.append(await anyio.to_thread.run_sync(make, index, size))
    return lanes


def decision_requests(settings: Settings, lane: Lane) -> list[tuple[str, dict[str, Any]]]:
    """The lane leader's token and the DecideRating variables, one per person of the lane."""
    token = _token(settings, lane.unit, lane.unit.leader, "unit_leader", "staff")
    out: list[tuple[str, dict[str, Any]]] = []
    for staff, own in zip(lane.staff, lane.self_scores, strict=True):
        score = 80.0
        departs = POLICY.bands.level_for(own) != POLICY.bands.level_for(score)
        out.append((token, {
            "period": str(lane.period), "staff": str(staff), "level": "B", "score": score,
            "reasons": "Còn chậm tiến độ một số nhiệm vụ." if departs else ""}))
    return out


def _decision_calls(http: httpx.AsyncClient, settings: Settings, lane: Lane,
                    doc: str) -> list[Call]:
    return [graphql_call(http, token, doc, variables)
            for token, variables in decision_requests(settings, lane)]


async def _warm_up(http: httpx.AsyncClient, settings: Settings, lanes: list[Lane], doc: str,
                   reader: str) -> None:
    """First requests build caches (schema, tenant apps, prepared statements); each lane's
    chair decides the lane's leader, so no measured decision is a tenant's first."""
    for _ in range(5):
        await graphql_call(http, reader, TYPENAME)()
    for lane in lanes:
        token = _token(settings, lane.unit, lane.unit.chair, "unit_leader", "staff")
        error = await graphql_call(http, token, doc, {
            "period": str(lane.period), "staff": str(lane.unit.leader), "level": "B",
            "score": 80.0, "reasons": "Khởi động."})()
        if error is not None:
            raise RuntimeError(f"warm-up decision failed: {error}")


async def _drive_on(api: Process, name: str, lanes: list[list[Call]], budget: float,
                    baseline: str | None = None) -> Measure:
    """``drive``, with the API process's CPU per request beside the wall-clock figures."""
    before = api.cpu_seconds()
    measure = await drive(name, lanes, budget, baseline=baseline)
    served = max(len(measure.latencies_ms), 1)
    measure.extra["server_cpu_ms"] = round((api.cpu_seconds() - before) * 1000 / served, 3)
    return measure


async def run_http_paths(rt: Runtime, settings: Settings, scale: Scale, units: list[BenchUnit],
                         wanted: set[str]) -> list[Measure]:
    """Everything served by one app instance; returns paths and their baselines."""
    per_lane = max(1, scale.decisions_c8 // 8)
    per_lane_32 = max(1, scale.decisions_c8 // 32)
    lanes = []
    if "decision_graphql" in wanted:
        lanes = await prepare_lanes(
            rt, units, [scale.decisions_c1] + [per_lane] * 8 + [per_lane_32] * 32)
    lag_lanes = []
    if "commit_to_visible" in wanted:
        lag_lanes = await prepare_lanes(rt, units, [scale.decisions_c8 // 4] * LANES)
    board = units[0]  # its first month is closed and fully decided
    reader = _token(settings, board, uuid.uuid4(), "hr_officer")
    doc = _decision_doc()
    out: list[Measure] = []
    budget = scale.budget_s
    # The API and the projector as a deployment runs them: separate processes, so the
    # clients' own CPU (httpx in this process) is not charged to the server's interpreter.
    await create_roles(rt)
    async with running(settings, "projector", PROJECTOR_ROLE, serve=False), \
            running(settings, "api", API_ROLE, serve=True) as api, \
            client(api.base_url or "", 32) as http:
        quiet_loggers()
        await _warm_up(http, settings, lanes + lag_lanes, doc, reader)
        typename = [graphql_call(http, reader, TYPENAME)] * max(
            scale.decisions_c1, scale.decisions_c8, 32, scale.dashboard_requests)
        c1 = max(scale.decisions_c1, scale.dashboard_requests)
        out.append(await _drive_on(api, "baseline_typename_c1", [typename[:c1]], budget))
        if "decision_graphql" in wanted:
            out.append(await _drive_on(api, "decision_graphql_c1",
                                   [_decision_calls(http, settings, lanes[0], doc)], budget,
                                   baseline="baseline_typename_c1"))
            out.append(await _drive_on(api, "baseline_typename_c8",
                                   split(typename[:scale.decisions_c8], 8), budget))
            out.append(await _drive_on(api, "decision_graphql_c8",
                                   [_decision_calls(http, settings, lane, doc)
                                    for lane in lanes[1:9]], budget,
                                   baseline="baseline_typename_c8"))
            out.append(await _drive_on(api, "baseline_typename_c32",
                                   split(typename[:per_lane_32 * 32], 32), budget))
            out.append(await _drive_on(api, "decision_graphql_c32",
                                   [_decision_calls(http, settings, lane, doc)
                                    for lane in lanes[9:]], budget,
                                   baseline="baseline_typename_c32"))
        if "commit_to_visible" in wanted:
            # Round robin over the lanes: consecutive decisions land in different periods.
            queues = [[(lane.unit.tenant.schema, token, variables)
                         for token, variables in decision_requests(settings, lane)]
                        for lane in lag_lanes]
            requests = [r for row in zip(*queues, strict=False) for r in row]
            out.append(await lag_under_load(rt, http, requests, RATE, budget))
        if "dashboard_query" in wanted:
            year, month = month_at(0)
            variables = {"unit": str(board.unit_id), "year": year, "month": month}
            first = await http.post("/graphql", json={"query": RATINGS, "variables": variables},
                                    headers={"Authorization": f"Bearer {reader}"})
            rows = len(first.json()["data"]["unitRatings"]["edges"])
            if rows != len(board.members) + 1:
                raise RuntimeError(f"dashboard shows {rows} rows, expected the whole unit")
            calls = [graphql_call(http, reader, RATINGS, variables)] * scale.dashboard_requests
            measure = await _drive_on(api, "dashboard_query", [calls], budget,
                                  baseline="baseline_typename_c1")
            measure.extra["rows"] = rows
            out.append(measure)
    return out
