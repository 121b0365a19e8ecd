"""The printed table and the JSON record of one run."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from bench.scales import Scale
from bench.stats import Measure

# Which figures are floors: shown first and dimmed, never given a ratio of their own.
BASELINES = ("baseline_insert_single", "baseline_insert_c32", "baseline_copy", "baseline_read",
             "baseline_read_audit",
             "baseline_typename_c1", "baseline_typename_c8", "baseline_typename_c32",
             "baseline_typename_burst")
# The bare stack's and the peer's figures are floors too (bench/floors.py).
FLOOR_PREFIXES = ("bare_", "postgraphile_")
FLOOR_KINDS = ("bare", "postgraphile")


def is_baseline(name: str) -> bool:
    return name in BASELINES or name.startswith(FLOOR_PREFIXES)


def _rate(value: float, unit: str) -> str:
    return f"{value:,.0f} {unit}" if value >= 100 else f"{value:,.1f} {unit}"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def _beside_floors(figure: dict[str, Any], by_name: dict[str, Measure]) -> dict[str, Any]:
    """``bare_ratio`` / ``postgraphile_ratio`` (req/s ÷ the floor's, below 1 = slower) and
    ``…_cpu_ratio`` (API CPU per request ÷ the floor's, above 1 = costlier), with the
    floor's own figures beside them; a floor not measured leaves its ratios None."""
    for kind in FLOOR_KINDS:
        if f"{kind}_floor" not in figure:
            continue
        floor = by_name.get(figure[f"{kind}_floor"] or "")
        if floor is None or not floor.rate:
            figure.update({f"{kind}_ratio": None, f"{kind}_cpu_ratio": None})
            continue
        cpu, floor_cpu = figure.get("server_cpu_ms"), floor.extra.get("server_cpu_ms")
        figure.update({
            f"{kind}_rate": round(floor.rate, 2),
            f"{kind}_p50_ms": None if floor.p50_ms is None else round(floor.p50_ms, 3),
            f"{kind}_p99_ms": None if floor.p99_ms is None else round(floor.p99_ms, 3),
            f"{kind}_cpu_ms": floor_cpu,
            f"{kind}_ratio": float(f"{figure['rate'] / floor.rate:.4g}"),
            f"{kind}_cpu_ratio": float(f"{cpu / floor_cpu:.4g}") if cpu and floor_cpu
            else None})
    return figure


def insert_floor(name: str) -> str | None:
    """The raw-INSERT floor a decision at its concurrency is read against (one committed
    single-row INSERT per decision, from as many connections as the decision's clients)."""
    if not name.startswith("decision_graphql_c"):
        return None
    clients = name.removeprefix("decision_graphql_c")
    return "baseline_insert_single" if clients == "1" else f"baseline_insert_c{clients}"


def _beside_insert(figure: dict[str, Any], name: str, by_name: dict[str, Measure]
                   ) -> dict[str, Any]:
    floor_name = insert_floor(name)
    if floor_name is None:
        return figure
    floor = by_name.get(floor_name)
    figure["insert_floor"] = floor_name
    figure["insert_ratio"] = (float(f"{figure['rate'] / floor.rate:.4g}")
                              if floor is not None and floor.rate else None)
    return figure


def build_record(scale: Scale, measures: list[Measure], *, started_at: datetime,
                 total_seconds: float, generated: dict[str, Any],
                 postgres: str, peer: dict[str, Any] | None = None) -> dict[str, Any]:
    by_name = {m.name: m for m in measures}
    baselines = {m.name: _beside_floors(m.to_json(None), by_name) for m in measures
                 if is_baseline(m.name)}
    paths = {m.name: _beside_insert(
                 _beside_floors(m.to_json(by_name.get(m.baseline or "")), by_name),
                 m.name, by_name)
             for m in measures if not is_baseline(m.name)}
    return {
        "scale": scale.name,
        "started_at": started_at.isoformat(timespec="seconds"),
        "total_seconds": round(total_seconds, 2),
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "postgres": postgres},
        "spec": asdict(scale),
        "generated": generated,
        "peer": peer or {"name": "postgraphile", "measured": False,
                         "reason": "no GraphQL path in this run"},
        "baselines": baselines,
        "paths": paths,
    }


def write_record(record: dict[str, Any], out_dir: Path, started_at: datetime) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{started_at:%Y%m%dT%H%M%S}-{record['scale']}.json"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def table(record: dict[str, Any]) -> Table:
    gen = record["generated"]
    title = (f"Công Tâm bench — scale {record['scale']}: {gen['tenants']} tenants, "
             f"{gen['events']:,} events generated in {gen['seconds']:.1f} s, "
             f"run {record['total_seconds']:.1f} s")
    t = Table(title=title, title_justify="left")
    for name, justify in (("path", "left"), ("figure", "right"), ("n", "right"),
                          ("p50 ms", "right"), ("p99 ms", "right"), ("baseline", "left"),
                          ("baseline figure", "right"), ("ratio", "right"),
                          ("errors", "right")):
        t.add_column(name, justify=justify)  # type: ignore[arg-type]
    for name, m in record["baselines"].items():
        t.add_row(name, _rate(m["rate"], m["unit"]), str(m["count"]), _ms(m["p50_ms"]),
                  _ms(m["p99_ms"]), "", "", "", str(m["errors"]), style="dim")
    t.add_section()
    for name, m in record["paths"].items():
        ratio = m.get("ratio")
        t.add_row(name, _rate(m["rate"], m["unit"]), str(m["count"]), _ms(m["p50_ms"]),
                  _ms(m["p99_ms"]), m.get("baseline", ""),
                  _rate(m["baseline_rate"], m["baseline_unit"]) if "baseline_rate" in m else "",
                  "—" if ratio is None else f"{ratio:.3g}×",
                  str(m["errors"]), style="bold red" if m["errors"] else None)
    return t


def _cpu(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _times(value: float | None) -> str:
    return "—" if value is None else f"{value:.2g}×"


def floors_table(record: dict[str, Any]) -> Table | None:
    """Each GraphQL figure beside the bare stack and the peer at its concurrency: req/s
    ratio (below 1 = slower) and API CPU per request ratio (above 1 = costlier)."""
    rows = [(name, m) for group in ("baselines", "paths")
            for name, m in record[group].items() if "bare_floor" in m]
    if not rows:
        return None
    peer = record.get("peer", {})
    title = ("GraphQL beside the bare stack and PostGraphile "
             + (f"{peer.get('version')}" if peer.get("measured")
                else f"(peer not measured: {peer.get('reason', '?')})")
             + " — same run, interleaved; CPU = the serving process's ms per request")
    t = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1))
    for name, justify in (("path", "left"), ("c", "right"), ("req/s", "right"),
                          ("p99 ms", "right"), ("CPU ms", "right"), ("bare req/s", "right"),
                          ("p99", "right"), ("CPU", "right"), ("÷ bare", "right"),
                          ("CPU ×", "right"), ("peer req/s", "right"), ("p99", "right"),
                          ("CPU", "right"), ("÷ peer", "right"), ("CPU ×", "right")):
        t.add_column(name, justify=justify,  # type: ignore[arg-type]
                     min_width=21 if name == "path" else None)
    for name, m in sorted(rows, key=lambda row: row[1]["concurrency"]):
        cells = [name, str(m["concurrency"]), f"{m['rate']:,.0f}", _ms(m["p99_ms"]),
                 _cpu(m.get("server_cpu_ms"))]
        for kind in ("bare", "postgraphile"):
            if m.get(f"{kind}_ratio") is None:
                cells += ["not measured", "", "", "", ""]
                continue
            cells += [f"{m[f'{kind}_rate']:,.0f}", _ms(m[f"{kind}_p99_ms"]),
                      _cpu(m[f"{kind}_cpu_ms"]), _times(m[f"{kind}_ratio"]),
                      _times(m[f"{kind}_cpu_ratio"])]
        t.add_row(*cells)
    return t


def footprint_line(record: dict[str, Any]) -> str | None:
    """Memory and connections are not rates: said in a sentence under the table."""
    f = record["paths"].get("tenant_footprint")
    if f is None:
        return None
    return (f"tenant footprint ({f['tenants']} tenants, each served a decision and a board): "
            f"API peak RSS {f['api_peak_rss_mb']:,.0f} MB (at start {f['api_start_rss_mb']:,.0f}),"
            f" {f['api_connections']} connections; projector peak RSS "
            f"{f['projector_peak_rss_mb']:,.0f} MB, {f['projector_connections']} connections; "
            f"targets ≤ {f['target_connections_per_process']} connections per process, API ≤ "
            f"{f['target_api_rss_mb']:,.0f} MB; on the server, the API's backends hold "
            f"{f.get('api_backends_mb', 0):,.0f} MB private (largest "
            f"{f.get('api_backend_max_mb', 0):,.0f} MB), the projector's "
            f"{f.get('projector_backends_mb', 0):,.0f} MB")


def cpu_line(record: dict[str, Any]) -> str | None:
    """The API process's CPU per request for each GraphQL path, beside its floor's: on a
    shared machine the wall-clock rates swing with other jobs, CPU per request much less."""
    floors = record["baselines"]
    parts = []
    for name, m in record["paths"].items():
        cpu = m.get("server_cpu_ms")
        floor = floors.get(m.get("baseline", ""), {}).get("server_cpu_ms")
        if cpu is None:
            continue
        versus = f" ({cpu / floor:.2g}× the floor's {floor:.2f} ms)" if floor else ""
        parts.append(f"{name} {cpu:.2f} ms{versus}")
    return ("API CPU per request: " + "; ".join(parts)) if parts else None


def event_cpu_line(record: dict[str, Any]) -> str | None:
    """CPU an event or row of the log paths and their raw reads, where the time goes:
    this process (the client) and PostgreSQL (the server), in microseconds."""
    parts = [f"{name} {m['client_cpu_us']:.1f} + {m['server_cpu_us']:.1f}"
             for group in ("baselines", "paths") for name, m in record[group].items()
             if m.get("client_cpu_us") is not None and m.get("server_cpu_us") is not None]
    return ("CPU an event, µs client + server: " + "; ".join(parts)) if parts else None


def print_report(console: Console, record: dict[str, Any], path: Path) -> None:
    console.print(table(record))
    floors = floors_table(record)
    if floors is not None:
        console.print(floors)
    for line in (footprint_line(record), cpu_line(record), event_cpu_line(record)):
        if line:
            console.print(line)
    console.print("ratio = path figure ÷ baseline figure (below 1 = slower than the floor); "
                  f"written to {path}")
