"""The bare stack: litestar + strawberry on the product's versions, served as the product is.

A floor, not a product: ``{ __typename }`` and one unit-month of ``rm_ratings`` (41 rows × the
dashboard's 12 fields at ``small``) read with one asyncpg statement, no authentication, no
transaction, no role switch, no rate guard; strawberry's stock parser and validation
caches. What the product spends above it is what its own layers cost. Started by the bench
as a separate process (``python -m bench.bare_app``), like ``congtam serve``, and served by
``uvicorn.run`` with the same arguments.

Environment: ``BENCH_BARE_DSN`` (a PostgreSQL URL), ``BENCH_BARE_SCHEMA`` (the tenant schema
holding the read models), ``BENCH_BARE_PORT``, ``BENCH_BARE_POOL`` (pool size).
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from enum import Enum
from typing import Any

import asyncpg
import strawberry
from litestar import Litestar, get
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.litestar import make_graphql_controller
from strawberry.types import Info

from domain.levels import Level as DomainLevel
from services.store.database import ConnectionParams

# The product's own statement for the board, less the keyset cursor columns.
BOARD_SQL = (
    "SELECT r.staff_id, s.full_name, r.status, r.self_score, r.self_level, r.level, r.score, "
    "r.reasons, r.decided_by, r.decided_at, r.policy_version "
    "FROM {schema}.rm_ratings r LEFT JOIN {schema}.rm_staff s ON s.staff_id = r.staff_id "
    "WHERE r.unit_id = $1 AND r.kind = 'monthly' AND r.year = $2 AND r.number = $3 "
    "ORDER BY coalesce(s.full_name, ''), r.evaluation_id LIMIT 100"
)
LABELS = {level.value: level.label_vi for level in DomainLevel}


@strawberry.enum
class Level(Enum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


@strawberry.type
class Rating:
    staff_id: strawberry.ID
    staff_name: str | None
    status: str
    self_score: float | None
    self_level: Level | None
    level: Level | None
    level_label: str | None
    score: float | None
    reasons: str | None
    decided_by: str | None
    decided_at: datetime | None
    policy_version: str | None

    @classmethod
    def from_row(cls, r: Any) -> Rating:
        level = r["level"]
        return cls(
            staff_id=strawberry.ID(str(r["staff_id"])), staff_name=r["full_name"],
            status=r["status"],
            self_score=float(r["self_score"]) if r["self_score"] is not None else None,
            self_level=Level(r["self_level"]) if r["self_level"] else None,
            level=Level(level) if level else None,
            level_label=LABELS.get(level) if level else None,
            score=float(r["score"]) if r["score"] is not None else None,
            reasons=r["reasons"], decided_by=r["decided_by"], decided_at=r["decided_at"],
            policy_version=r["policy_version"])


@strawberry.type
class Query:
    @strawberry.field
    async def unit_ratings(self, info: Info[Any, Any], unit_id: strawberry.ID, year: int,
                           month: int) -> list[Rating]:
        app: Litestar = info.context["request"].app
        rows = await app.state.pool.fetch(app.state.board_sql, unit_id, year, month)
        return [Rating.from_row(r) for r in rows]


@get("/readyz", sync_to_thread=False)
def readyz() -> dict[str, str]:
    return {"status": "ok"}


def create_app(dsn: str, schema: str, pool_size: int) -> Litestar:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", schema):
        raise ValueError(f"not a schema name: {schema!r}")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        params = ConnectionParams.from_url(dsn)
        app.state.board_sql = BOARD_SQL.format(schema=schema)
        app.state.pool = await asyncpg.create_pool(
            **params.asyncpg_kwargs(), min_size=pool_size, max_size=pool_size)
        try:
            yield
        finally:
            await app.state.pool.close()

    # strawberry's own caches: a document is parsed and validated once, as the product's
    # ValidDocuments does, so neither side pays per request what the other does not.
    schema_ = strawberry.Schema(query=Query, extensions=[ParserCache, ValidationCache])
    graphql = make_graphql_controller(schema_, path="/graphql",
                                      graphql_ide=None, allow_queries_via_get=False)
    return Litestar(route_handlers=[graphql, readyz], lifespan=[lifespan], debug=False)


def main() -> None:
    import uvicorn

    app = create_app(os.environ["BENCH_BARE_DSN"], os.environ["BENCH_BARE_SCHEMA"],
                     int(os.environ.get("BENCH_BARE_POOL", "10")))
    # As ``congtam serve`` runs the product (services/cli.py), keep-alive included.
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["BENCH_BARE_PORT"]),
                log_level="warning", timeout_graceful_shutdown=20,
                timeout_keep_alive=int(os.environ.get("BENCH_BARE_KEEP_ALIVE", "75")))


if __name__ == "__main__":
    main()
