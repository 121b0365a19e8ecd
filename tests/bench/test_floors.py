"""The floors' arithmetic, without a server: which floor a path is read against, how calls
are shared between repetitions, and the ratios written to the JSON."""

from __future__ import annotations

from datetime import datetime

from bench.floors import chunk, floor_names, read_requests
from bench.http_paths import BARE_RATINGS, RATINGS
from bench.peer import BOARD, VERSION, PeerStatus, _computed_columns_sql
from bench.report import build_record, floors_table, is_baseline
from bench.scales import SCALES
from bench.stats import Measure


async def _ok() -> str | None:
    return None


def test_each_graphql_path_is_read_against_its_kind_of_floor_at_its_concurrency() -> None:
    assert floor_names("decision_graphql_c8", 8) == ("bare_typename_c8",
                                                     "postgraphile_typename_c8")
    assert floor_names("baseline_typename_c32", 32) == ("bare_typename_c32",
                                                        "postgraphile_typename_c32")
    assert floor_names("dashboard_query", 1) == ("bare_board_c1", "postgraphile_board_c1")
    assert floor_names("dashboard_query_c32", 32) == ("bare_board_c32",
                                                      "postgraphile_board_c32")
    assert floor_names("rebuild", 1) is None
    assert floor_names("commit_to_visible", 16) is None
    assert is_baseline("bare_board_c8")
    assert is_baseline("postgraphile_typename_c1")
    assert not is_baseline("dashboard_query_c8")


def test_repetitions_share_the_calls_without_losing_or_repeating_one() -> None:
    calls = [_ok] * 10
    shares = [chunk(calls, 3, rep) for rep in range(3)]
    assert [len(s) for s in shares] == [4, 3, 3]
    assert [len(chunk(calls[:2], 3, rep)) for rep in range(3)] == [1, 1, 0]
    assert read_requests(20, 1) == 20
    assert read_requests(20, 32) == 128


def _measure(name: str, count: int, seconds: float, cpu_ms: float, c: int,
             baseline: str | None = None, **extra: object) -> Measure:
    return Measure(name, "req/s", count, seconds, baseline=baseline, latencies_ms=[1.0, 2.0],
                   concurrency=c, extra={"server_cpu_ms": cpu_ms, **extra})


def test_the_record_gives_ratios_to_both_floors_and_none_for_a_peer_not_measured() -> None:
    measures = [
        _measure("baseline_typename_c8", 100, 1.0, 1.0, 8, bare_floor="bare_typename_c8",
                 postgraphile_floor="postgraphile_typename_c8"),
        _measure("bare_typename_c8", 200, 1.0, 0.5, 8),
        _measure("postgraphile_typename_c8", 400, 1.0, 0.25, 8),
        _measure("dashboard_query_c8", 50, 1.0, 4.0, 8, baseline="baseline_typename_c8",
                 bare_floor="bare_board_c8", postgraphile_floor=None),
        _measure("bare_board_c8", 100, 1.0, 2.0, 8),
    ]
    record = build_record(SCALES["tiny"], measures, started_at=datetime.now().astimezone(),
                          total_seconds=1.0, generated={}, postgres="18",
                          peer=PeerStatus(False, "node/npm not found").to_json())
    ours = record["baselines"]["baseline_typename_c8"]
    assert ours["bare_ratio"] == 0.5
    assert ours["bare_cpu_ratio"] == 2.0
    assert ours["postgraphile_ratio"] == 0.25
    assert ours["postgraphile_cpu_ratio"] == 4.0
    assert ours["postgraphile_rate"] == 400
    board = record["paths"]["dashboard_query_c8"]
    assert board["ratio"] == 0.5  # against our own { __typename }, as before
    assert board["bare_ratio"] == 0.5
    assert board["postgraphile_ratio"] is None
    assert record["peer"] == {"name": "postgraphile", "version": VERSION, "measured": False,
                              "reason": "node/npm not found"}
    assert floors_table(record) is not None


def test_the_peer_reads_the_same_twelve_fields_with_the_products_labels() -> None:
    def fields(query: str) -> list[str]:
        inner = query[query.rindex("{", 0, query.index("staffId")) + 1:]
        return inner[:inner.index("}")].split()

    assert len(fields(RATINGS)) == 12
    assert fields(BOARD) == fields(BARE_RATINGS) == fields(RATINGS)
    sql = " ".join(_computed_columns_sql("t_x"))
    assert "Hoàn thành xuất sắc nhiệm vụ" in sql
    assert "t_x.rm_ratings_staff_name(r t_x.rm_ratings)" in sql
