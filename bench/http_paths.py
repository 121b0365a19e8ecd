"""GraphQL paths: a decision and the unit board at 1, 8 and 32 clients, and ``{ __typename }``.

``{ __typename }`` is the floor of the same server: HTTP, JWT verification, the rate guard,
context, GraphQL parse/validate/execute, JSON — everything except the resolver's own work.
It is measured at the same concurrency as the path it stands beside. The server is a
separate ``congtam serve`` process, with its projector a separate ``congtam project``.

Beside them, in the same run and interleaved with them (``bench/floors.py``): the bare
stack (``bare_*``) and PostGraphile (``postgraphile_*``) answering ``{ __typename }`` and
the same board from the same table, each a separate process too.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from bench.cpu import postgres_of
from bench.env import quiet_loggers
from bench.floors import (
    CpuClock,
    Side,
    bare_stack,
    chunk,
    floor_names,
    interleaved,
    read_requests,
)
from bench.http import Call, LaneClient, graphql_call, split
from bench.lag_paths import BOARD_RATE, LANES, RATE, lag_under_load
from bench.peer import BOARD as PEER_BOARD
from bench.peer import PeerStatus, postgraphile
from bench.people import POLICY, BenchUnit, open_month, self_assess, self_score_for
from bench.processes import API_ROLE, PROJECTOR_ROLE, Process, create_roles, running
from bench.scales import Scale, month_at
from bench.stats import Measure
from domain.ids import PeriodId, StaffId
from services.http.auth import dev_secret, mint_token
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


def _operation(name: str) -> str:
    return (OPERATIONS / f"{name}.graphql").read_text(encoding="utf-8")


def _decision_doc() -> str:
    return _operation("DecideRating")


def _token(settings: Settings, unit: BenchUnit, user: object, *roles: str) -> str:
    return mint_token(settings, tenant=unit.tenant.slug, user=str(user), roles=list(roles))


def lane_units(units: list[BenchUnit]) -> list[BenchUnit]:
    """The units lanes are opened in: the first two served append_library and bulk_rating."""
    return units[2:] or units


async def prepare_lanes(rt: Runtime, units: list[BenchUnit], sizes: list[int]) -> list[Lane]:
    """Open one month per lane and let its people self-assess (set-up, not measured)."""
    pool = lane_units(units)
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


def board_request(settings: Settings, lane: Lane) -> tuple[str, str, dict[str, Any]]:
    """The lane's whole month decided in one ``DecideRatings``: (schema, token, variables)."""
    singles = decision_requests(settings, lane)
    lines = [{"staffId": v["staff"], "level": v["level"], "score": v["score"],
              "reasons": v["reasons"]} for _, v in singles]
    return (lane.unit.tenant.schema, singles[0][0], {"period": str(lane.period), "lines": lines})


def _decision_calls(http: LaneClient, settings: Settings, lane: Lane,
                    doc: str) -> list[Call]:
    return [graphql_call(http, token, doc, variables)
            for token, variables in decision_requests(settings, lane)]


async def _warm_up(http: LaneClient, settings: Settings, lanes: list[Lane], doc: str,
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


CONCURRENCY = (1, 8, 32)
# The bare stack's board: the same 12 fields as RATINGS, a plain list (no connection).
BARE_RATINGS = """query Ratings($unit: ID!, $year: Int!, $month: Int!) {
  unitRatings(unitId: $unit, year: $year, month: $month) {
    staffId staffName status selfScore selfLevel level levelLabel score reasons decidedBy
    decidedAt policyVersion
  }
}"""


@dataclass
class Endpoint:
    """One server answering GraphQL: its process (for CPU), and board query."""

    typename: str  # the name of its { __typename } figure, less "_cN"
    board: str  # the name of its board figure, less "_cN"
    process: Process
    http: LaneClient
    board_query: str
    rows: Callable[[dict[str, Any]], list[dict[str, Any]]]


def _board_name(endpoint: Endpoint, concurrency: int) -> str:
    # Our board at 1 client keeps the name it has always had.
    if endpoint.board == "dashboard_query" and concurrency == 1:
        return "dashboard_query"
    return f"{endpoint.board}_c{concurrency}"


async def _board_rows(endpoint: Endpoint, token: str,
                      variables: dict[str, Any]) -> list[tuple[Any, ...]]:
    answer = await endpoint.http.post("/graphql", json={"query": endpoint.board_query,
                                                        "variables": variables},
                                      headers={"Authorization": f"Bearer {token}"})
    body = answer.json()
    if answer.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"{endpoint.board}: {answer.status_code} {str(body)[:300]}")
    return sorted((r["staffId"], r["staffName"], r["status"], r["level"], r["levelLabel"])
                  for r in endpoint.rows(body["data"]))


async def _same_board(endpoints: list[Endpoint], token: str, variables: dict[str, Any],
                      expected: int) -> int:
    """Every server answers the board with the same rows (people, names, statuses,
    levels, labels), and with the whole unit, before anything is measured."""
    ours = await _board_rows(endpoints[0], token, variables)
    if len(ours) != expected:
        raise RuntimeError(f"dashboard shows {len(ours)} rows, expected the whole unit")
    for other in endpoints[1:]:
        theirs = await _board_rows(other, token, variables)
        if theirs != ours:
            raise RuntimeError(f"{other.board} answers {len(theirs)} rows unlike ours "
                               f"({len(ours)}): {theirs[:2]} vs {ours[:2]}")
    return len(ours)


async def _warm(endpoint: Endpoint, token: str, variables: dict[str, Any] | None,
                times: int = 50) -> None:
    """JITs, caches and pools warm on every side alike before anything is timed."""
    for _ in range(times):
        await graphql_call(endpoint.http, token, TYPENAME)()
        if variables is not None:
            await graphql_call(endpoint.http, token, endpoint.board_query, variables)()


def _dealt(calls: list[Call], clients: int) -> Callable[[int], list[list[Call]]]:
    """Every repetition sends the same calls, dealt out to ``clients`` lanes."""
    return lambda rep: split(calls, clients)


def _sides(endpoints: list[Endpoint], c: int, n: int, reader: str,
           variables: dict[str, Any] | None, decisions: list[list[Call]], reps: int,
           everything: Sequence[CpuClock] = ()) -> list[Side]:
    sides = []
    for ep in endpoints:
        calls = [graphql_call(ep.http, reader, TYPENAME)] * n
        sides.append(Side(f"{ep.typename}_c{c}", ep.process, _dealt(calls, c), c))
    if variables is not None:
        for ep in endpoints:
            calls = [graphql_call(ep.http, reader, ep.board_query, variables)] * n
            ours = ep is endpoints[0]
            sides.append(Side(_board_name(ep, c), ep.process, _dealt(calls, c), c,
                              baseline=f"baseline_typename_c{c}" if ours else None))
    if decisions:
        sides.append(Side(f"decision_graphql_c{c}", endpoints[0].process,
                          lambda rep: [chunk(lane, reps, rep) for lane in decisions], c,
                          baseline=f"baseline_typename_c{c}", settle_s=0.3,
                          everything=everything))
    return sides


def _name_floors(measures: list[Measure], peer: bool) -> None:
    for m in measures:
        floors = floor_names(m.name, m.concurrency)
        if floors is None:
            continue
        m.extra["bare_floor"] = floors[0]
        m.extra["postgraphile_floor"] = floors[1] if peer else None


async def run_http_paths(rt: Runtime, settings: Settings, scale: Scale, units: list[BenchUnit],
                         wanted: set[str]) -> tuple[list[Measure], PeerStatus]:
    """Everything served by one app instance, beside the bare stack and the peer serving
    the same board; returns paths and their floors, and whether the peer was measured."""
    per_lane = max(1, scale.decisions_c8 // 8)
    per_lane_32 = max(1, scale.decisions_c8 // 32)
    lanes = []
    if "decision_graphql" in wanted:
        lanes = await prepare_lanes(
            rt, units, [scale.decisions_c1] + [per_lane] * 8 + [per_lane_32] * 32)
    lag_lanes: list[Lane] = []
    board_lanes: list[Lane] = []
    if "commit_to_visible" in wanted:
        lag_lanes = await prepare_lanes(rt, units, [scale.decisions_c8 // 4] * LANES)
        # A fresh month per board, every member self-assessed: enough boards to offer
        # BOARD_RATE decisions/s for the scale's board window.
        board_size = min(len(u.members) for u in lane_units(units))
        board_lanes = await prepare_lanes(
            rt, units,
            [board_size] * math.ceil(BOARD_RATE * scale.board_window_s / max(1, board_size)))
    board = units[0]  # its first month is closed and fully decided
    reader = _token(settings, board, uuid.uuid4(), "hr_officer")
    doc = _decision_doc()
    out: list[Measure] = []
    budget, reps = scale.budget_s, scale.floor_reps
    boards = bool(wanted & {"dashboard_query", "floors"})
    year, month = month_at(0)
    variables = {"unit": str(board.unit_id), "year": year, "month": month}
    schema = board.tenant.schema
    # The API and the projector as a deployment runs them: separate processes, so the
    # clients' own CPU (httpx in this process) is not charged to the server's interpreter.
    # The floors are separate processes too, serving the board's tenant schema.
    await create_roles(rt)
    async with AsyncExitStack() as stack:
        projector = await stack.enter_async_context(
            running(settings, "projector", PROJECTOR_ROLE, serve=False))
        api = await stack.enter_async_context(running(settings, "api", API_ROLE, serve=True))
        bare = await stack.enter_async_context(bare_stack(rt, settings, schema))
        peer, peer_status = await stack.enter_async_context(
            postgraphile(rt, settings, schema, dev_secret(settings), reader))
        http = await stack.enter_async_context(LaneClient(api.base_url or "", 32))
        endpoints = [
            Endpoint("baseline_typename", "dashboard_query", api, http, RATINGS,
                     lambda d: [e["node"] for e in d["unitRatings"]["edges"]]),
            Endpoint("bare_typename", "bare_board", bare,
                     await stack.enter_async_context(LaneClient(bare.base_url or "", 32)),
                     BARE_RATINGS, lambda d: list(d["unitRatings"]))]
        if peer is not None:
            endpoints.append(Endpoint(
                "postgraphile_typename", "postgraphile_board", peer,
                await stack.enter_async_context(LaneClient(peer.base_url or "", 32)),
                PEER_BOARD, lambda d: list(d["allRmRatings"]["nodes"])))
        quiet_loggers()
        everything: list[CpuClock] = [api, projector]
        server = postgres_of(rt)
        if server is not None:
            everything.append(server)
        await _warm_up(http, settings, lanes + lag_lanes, doc, reader)
        rows = await _same_board(endpoints, reader, variables, len(board.members) + 1)
        for ep in endpoints:
            await _warm(ep, reader, variables if boards else None)
        by_c = {1: lanes[:1], 8: lanes[1:9], 32: lanes[9:]}
        for c in CONCURRENCY if lanes or boards else (1,):
            decisions = [_decision_calls(http, settings, lane, doc) for lane in by_c[c]]
            n = read_requests(scale.dashboard_requests, c, scale.floor_per_client)
            sides = _sides(endpoints, c, n, reader, variables if boards else None, decisions,
                           reps, everything)
            measured = await interleaved(sides, reps, budget)
            for m in measured:
                if "board" in m.name or m.name.startswith("dashboard_query"):
                    m.extra["rows"] = rows
            out += measured
        if "commit_to_visible" in wanted:
            # Round robin over the lanes: consecutive decisions land in different periods.
            queues = [[(lane.unit.tenant.schema, token, variables)
                         for token, variables in decision_requests(settings, lane)]
                        for lane in lag_lanes]
            requests = [r for row in zip(*queues, strict=False) for r in row]
            out.append(await lag_under_load(rt, http, "commit_to_visible", doc, "decideRating",
                                            requests, RATE, budget))
            out.append(await lag_under_load(
                rt, http, "commit_to_visible_boards", _operation("DecideRatings"),
                "decideRatings", [board_request(settings, lane) for lane in board_lanes],
                BOARD_RATE, scale.board_window_s * 2, decisions_each=board_size))
    _name_floors(out, peer_status.measured)
    return out, peer_status
