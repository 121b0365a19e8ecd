"""The litestar application: GraphQL at /graphql, health at /healthz and /readyz, /metrics.

Every request gets a request id (from ``X-Request-Id`` or fresh), bound with tenant and
user into the log context so every line carries them. Requests to /graphql then pass the
size, batching, rate and persisted-operation guards (services/http/limits.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from litestar import Litestar, get
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.response import Response
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from strawberry.litestar import make_graphql_controller
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from services.gql.context import get_context
from services.gql.schema import build_schema
from services.gql.subscriptions import with_websocket_auth
from services.http.auth import TokenVerifier
from services.http.limits import RequestGuard
from services.http.office_routes import ROUTES as OFFICE_ROUTES
from services.logging import configure_logging
from services.projector import all_lags, refresh_lag
from services.runtime import Runtime, bootstrap, shutdown
from services.settings import Settings, get_settings

log = structlog.get_logger()


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        rid = headers.get(b"x-request-id", b"").decode()[:64] or uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        await app(scope, receive, send_with_id)

    return middleware


@get("/healthz")
async def healthz(state: State) -> dict[str, Any]:
    """Liveness, with projection lag as detail: one query whatever the number of tenants.

    ``projectionLag`` names only the tenants behind (events not yet in their read models),
    so the answer stays small with 3,321 tenants; ``/metrics`` has every tenant's gauge.
    """
    rt: Runtime = state.rt
    found = await all_lags(rt.directory)
    behind = {lag.slug: lag.events for lag in found if lag.events}
    stalled = {lag.slug: json.loads(lag.stalled) for lag in found if lag.stalled}
    return {"status": "ok", "tenants": len(found), "tenantsBehind": len(behind),
            "maxLagEvents": max(behind.values(), default=0), "projectionLag": behind,
            "projectionStalled": stalled}


@get("/readyz")
async def readyz(state: State) -> Response[dict[str, str]]:
    rt: Runtime = state.rt
    try:
        await rt.pool.fetchval("SELECT 1")
    except Exception:
        return Response({"status": "unavailable"}, status_code=503)
    return Response({"status": "ready"})


@get("/metrics", media_type=CONTENT_TYPE_LATEST)
async def metrics(state: State) -> bytes:
    rt: Runtime = state.rt
    if rt.projector is None:
        # The projectors run elsewhere (Kubernetes, compose): read every tenant's lag from
        # the tracking table at scrape time, one statement per database, so Prometheus
        # sees it where it scrapes. A process with its projector keeps its sweep's gauge.
        try:
            await refresh_lag(rt.directory)
        except Exception:  # a database away: the other series still answer
            log.warning("lag_refresh_failed", exc_info=True)
    return generate_latest()


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.rt = await bootstrap(settings)
        try:
            yield
        finally:
            await shutdown(app.state.rt)

    graphql = with_websocket_auth(make_graphql_controller(
        build_schema(production=settings.production),
        path="/graphql",
        context_getter=get_context,
        graphql_ide=None if settings.production else "graphiql",
        allow_queries_via_get=False,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    ))
    return Litestar(
        route_handlers=[graphql, healthz, readyz, metrics, *OFFICE_ROUTES],
        lifespan=[lifespan],
        # Outermost first: every answer, refusals included, carries the request id.
        middleware=[request_id_middleware,
                    DefineMiddleware(RequestGuard, settings=settings,
                                     verifier=TokenVerifier(settings))],
        debug=False,
    )
