"""One measured figure, and the arithmetic shared by every path."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Measure:
    """``count`` operations in ``seconds`` of wall time; ``rate`` is the headline figure.

    A path names the ``baseline`` it is read against; the report fills in the ratio
    (path rate ÷ baseline rate, so 0.25 means "four times slower than the floor").
    """

    name: str
    unit: str  # what ``rate`` counts per second: "rows/s", "events/s", "req/s", …
    count: int
    seconds: float
    baseline: str | None = None
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    concurrency: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0

    @property
    def p50_ms(self) -> float | None:
        return percentile(self.latencies_ms, 50)

    @property
    def p99_ms(self) -> float | None:
        return percentile(self.latencies_ms, 99)

    def to_json(self, baseline: Measure | None) -> dict[str, Any]:
        ratio = self.rate / baseline.rate if baseline is not None and baseline.rate else None
        out: dict[str, Any] = {
            "unit": self.unit,
            "count": self.count,
            "seconds": round(self.seconds, 4),
            "rate": round(self.rate, 2),
            "concurrency": self.concurrency,
            "errors": self.errors,
            "p50_ms": _round(self.p50_ms),
            "p99_ms": _round(self.p99_ms),
        }
        if baseline is not None:
            out.update(baseline=baseline.name, baseline_unit=baseline.unit,
                       baseline_rate=round(baseline.rate, 2),
                       # Significant digits, not decimals: a query/s path read against a rows/s
                       # floor is a small ratio that must not round to zero.
                       ratio=float(f"{ratio:.4g}") if ratio is not None else None)
            if self.p50_ms is not None and baseline.p50_ms:
                # Latency read the other way round: how many baseline round trips one costs.
                out["p50_over_baseline"] = round(self.p50_ms / baseline.p50_ms, 2)
        out.update(self.extra)
        return out


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile: with 40 samples p99 is the slowest one, said plainly."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@dataclass
class Stopwatch:
    seconds: float = 0.0


@contextmanager
def stopwatch() -> Iterator[Stopwatch]:
    watch = Stopwatch()
    started = time.perf_counter()
    try:
        yield watch
    finally:
        watch.seconds = time.perf_counter() - started
