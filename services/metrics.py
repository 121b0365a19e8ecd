"""Prometheus metrics served at ``/metrics`` (names documented in deploy/README.md).

- ``congtam_graphql_request_seconds{operation,kind}``: latency of each GraphQL operation,
  labelled by the client's operation name (``anonymous`` when it sent none);
- ``congtam_graphql_errors_total{operation,code}``: errors returned, by stable error code;
- ``congtam_events_appended_total{tenant}``: events committed to tenants' logs;
- ``congtam_pool_connections{pool,state}``: connections of the read (asyncpg) and write
  (psycopg) pools, ``state`` = ``in_use`` | ``idle`` | ``max``.

Projection lag per tenant, ``congtam_projection_lag_events{tenant}``, is kept by the projector
(services/projector.py), which already sweeps every tenant's head and position in one query;
an API running without its projector reads the same figures at scrape time (services/http/api.py).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator

import structlog
from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

log = structlog.get_logger()

# Bounded label values: a client may send any operation name; keep names short and tame.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")

REQUEST_SECONDS = Histogram(
    "congtam_graphql_request_seconds",
    "Latency of GraphQL operations, by operation name and kind (query/mutation).",
    ["operation", "kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ERRORS = Counter(
    "congtam_graphql_errors_total",
    "Errors returned to GraphQL clients, by operation and stable error code.",
    ["operation", "code"],
)
EVENTS_APPENDED = Counter(
    "congtam_events_appended_total",
    "Events committed to tenants' event logs.",
    ["tenant"],
)


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    return name if _NAME.match(name) else "invalid"


class OperationMetrics(SchemaExtension):
    """Times each operation and counts its errors by code.

    Listed before the error policy so that it sees errors after they carry their code.
    """

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.record(self.execution_context, started)

    @staticmethod
    def record(ctx: ExecutionContext, started: float) -> None:
        """The operation's time and errors (``started``: ``time.perf_counter()`` before it)."""
        operation = operation_label(ctx.operation_name)
        try:
            kind = ctx.operation_type.value
        except Exception:  # the document did not parse: there is no operation type
            kind = "invalid"
        REQUEST_SECONDS.labels(operation, kind).observe(time.perf_counter() - started)
        for error in (getattr(ctx.result, "errors", None) or ()):
            code = str((error.extensions or {}).get("code", "INTERNAL"))
            ERRORS.labels(operation, code).inc()


# (in_use, idle, max) of one pool, read at scrape time.
PoolReading = Callable[[], tuple[int, int, int]]


class PoolUsage(Collector):
    """Reads pool sizes when scraped; pools come and go with runtimes (and tests)."""

    def __init__(self) -> None:
        self._pools: dict[int, tuple[str, PoolReading]] = {}
        self._lock = threading.Lock()

    def watch(self, kind: str, reading: PoolReading) -> int:
        with self._lock:
            key = id(reading)
            self._pools[key] = (kind, reading)
            return key

    def forget(self, key: int) -> None:
        with self._lock:
            self._pools.pop(key, None)

    def collect(self) -> Iterable[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "congtam_pool_connections",
            "Database connections of this process's pools, by pool and state.",
            labels=["pool", "state"],
        )
        totals: dict[tuple[str, str], int] = {}
        with self._lock:
            pools = list(self._pools.values())
        for kind, reading in pools:
            try:
                in_use, idle, most = reading()
            except Exception:  # a pool closing during the scrape: skip it this time
                log.debug("pool_reading_skipped", pool=kind, exc_info=True)
                continue
            for state, value in (("in_use", in_use), ("idle", idle), ("max", most)):
                totals[kind, state] = totals.get((kind, state), 0) + value
        for (kind, state), value in sorted(totals.items()):
            family.add_metric([kind, state], value)
        yield family


POOLS = PoolUsage()
REGISTRY.register(POOLS)
