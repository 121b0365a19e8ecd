"""The litestar application: GraphQL at /graphql, health at /healthz and /readyz, /metrics.

Every request gets a request id (from ``X-Request-Id`` or fresh), bound with tenant and
user into the log context so every line carries them. Requests to /graphql then pass the
size, batching, rate and persisted-operation guards (services/http/limits.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, ClassVar

import msgspec
import structlog
from cross_web import HTTPException as ViewHTTPException
from litestar import Litestar, Request, get
from litestar.background_tasks import BackgroundTasks
from litestar.datastructures import CacheControlHeader, State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.response import Response
from litestar.types import ASGIApp, Dependencies, Message, Receive, Scope, Send
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from strawberry.litestar import make_graphql_controller
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.graphql import OperationType

from services.gql.context import get_context
from services.gql.schema import build_schema
from services.gql.subscriptions import with_websocket_auth
from services.http.auth import TokenVerifier
from services.http.limits import RequestGuard
from services.http.office_routes import ROUTES as OFFICE_ROUTES
from services.http.rate_buckets import SharedBuckets
from services.http.refusals import RefusedError, from_view
from services.http.web import web_router, with_offline_ide
from services.logging import configure_logging
from services.office.schedule import run_reminders
from services.projector import all_lags, refresh_lag
from services.runtime import Runtime, bootstrap, shutdown
from services.settings import Settings, get_settings
from services.store.outage import RETRY_AFTER_S, DatabaseUnavailableError, is_unavailable

log = structlog.get_logger()
HTTP_OPERATIONS = frozenset({OperationType.QUERY, OperationType.MUTATION})
PROBE_S = 3.0  # /healthz and /readyz answer within this, database or not


def new_request_id() -> str:
    """A request's id when the client sent none: 128 random bits in hex, as ``uuid4().hex``
    was. From the process's generator rather than ``os.urandom``: the id names a request in
    the logs and guards nothing, and ``os.urandom`` lets go of the GIL on every call, so
    the event loop lost its turn to a command thread on every request."""
    return f"{random.getrandbits(128):032x}"


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        rid = headers.get(b"x-request-id", b"").decode()[:64] or new_request_id()
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
    The process is alive whether or not its database answers: a database away is said in
    ``database`` (200 still — a liveness probe that failed would restart every pod during
    a database outage, which cures nothing), and within ``PROBE_S``.
    """
    rt: Runtime = state.rt
    try:
        async with asyncio.timeout(PROBE_S):
            found = await all_lags(rt.directory)
    except Exception as error:
        if not is_unavailable(error):
            raise
        log.info("healthz_database_unavailable", error=type(error).__name__)
        return {"status": "ok", "database": "unavailable"}
    behind = {lag.slug: lag.events for lag in found if lag.events}
    stalled = {lag.slug: json.loads(lag.stalled) for lag in found if lag.stalled}
    return {"status": "ok", "database": "ok", "tenants": len(found),
            "tenantsBehind": len(behind), "maxLagEvents": max(behind.values(), default=0),
            "projectionLag": behind, "projectionStalled": stalled}


@get("/readyz")
async def readyz(state: State) -> Response[dict[str, str]]:
    """Readiness: 503 within ``PROBE_S`` while the database does not answer."""
    rt: Runtime = state.rt
    try:
        async with asyncio.timeout(PROBE_S):
            await rt.pool.fetchval("SELECT 1")
    except Exception as error:
        log.info("readyz_database_unavailable", error=type(error).__name__)
        return Response({"status": "unavailable", "database": "unavailable"},
                        status_code=503)
    return Response({"status": "ready"})


@get("/.well-known/congtam-checkpoint-keys.json", cache_control=CacheControlHeader(
    max_age=3600, public=True))
async def checkpoint_keys(state: State) -> dict[str, Any]:
    """The public key(s) checkpoints are signed with (services/audit/signing.py): an
    auditor pins one and verifies signed checkpoints offline (auditverify). Public: no
    token; cacheable for an hour (a key changes only with CONGTAM_CHECKPOINT_KEY)."""
    rt: Runtime = state.rt
    return {"keys": [rt.signer.published()]}


def answered(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """Every exception no handler answered, in one place: litestar's own HTTP errors (an
    unknown route, a wrong method) and a database away are coded refusals; anything else
    is logged with its traceback and masked, with the request id."""
    # Routing refusals (404, 405) happen before any middleware: the request id is given here.
    rid = structlog.contextvars.get_contextvars().get("request_id") \
        or request.headers.get("x-request-id", "")[:64] or new_request_id()
    if isinstance(error, HTTPException):
        refusal = _http_refusal(error)
    elif is_unavailable(error):
        refusal = unavailable()
    else:
        log.error("unexpected_error", path=request.url.path, exc_info=error)
        refusal = RefusedError(500, "INTERNAL", f"Lỗi hệ thống, vui lòng thử lại sau (mã yêu "
                               f"cầu {rid}).", f"Internal error (request id {rid}).",
                               requestId=rid)
    response = refusal.response()
    response.headers["x-request-id"] = rid
    return response


def _http_refusal(error: HTTPException) -> RefusedError:
    status = error.status_code
    if status == 404:
        return RefusedError(404, "NOT_FOUND", "Không tìm thấy địa chỉ này.", "Not found.")
    if status == 405:
        return RefusedError(405, "METHOD_NOT_ALLOWED", "Phương thức HTTP không được hỗ trợ "
                            "tại địa chỉ này.", "This HTTP method is not allowed here.")
    return RefusedError(status if 400 <= status < 500 else 400, "BAD_REQUEST",
                        "Yêu cầu không hợp lệ.", str(error.detail))


def unavailable() -> RefusedError:
    error = DatabaseUnavailableError()
    return RefusedError(503, error.code, error.message_vi, error.message_en,
                        [(b"retry-after", str(RETRY_AFTER_S).encode())], **error.details)


async def _no_root_value(custom_context: Any) -> None:
    """The schema's root value (none). It names the context as its dependency only so that
    litestar resolves a request's dependencies one after another: side by side they would
    be a task group and three tasks on every request."""
    return None


async def _sub_response(root_value: Any) -> Response[Any]:
    """What strawberry's controller fills with headers and cookies of a GraphQL answer
    (after the root value, for the reason given there)."""
    return Response({}, background=BackgroundTasks([]))


def with_coded_refusals(controller: type[Any]) -> type[Any]:
    """strawberry's view answers some mistakes with plain text (an unknown operationName, a
    subscription over POST): the same coded JSON as every other refusal instead."""

    class CodedRefusals(controller):  # type: ignore[misc,valid-type]
        # strawberry provides the sub-response with a sync function run on a worker thread
        # (``sync_to_thread=True``): a thread hop on every request for a constructor. The
        # same value from a coroutine stays on the event loop. The dependencies are chained
        # (``_no_root_value``): resolved in turn, with no task group.
        dependencies: ClassVar[Dependencies] = {  # type: ignore[misc]
            **controller.dependencies, "root_value": Provide(_no_root_value),
            "response": Provide(_sub_response)}

        def encode_json(self, data: object) -> bytes:
            # An answer's bytes straight from msgspec, in UTF-8 rather than \u escapes: a
            # 41-row board's answer in ~65 µs and 16 kB, where json.dumps and .encode() took
            # ~290 µs for 18 kB.
            return msgspec.json.encode(data)

        async def execute_single(self, request: Any, request_adapter: Any, sub_response: Any,
                                 context: Any, root_value: Any, request_data: Any) -> Any:
            # strawberry would run a subscription sent by POST as a query (and fail inside
            # its resolver); subscriptions are served over the websocket only.
            try:
                return await self.schema.execute(
                    request_data.query, root_value=root_value,
                    variable_values=request_data.variables, context_value=context,
                    operation_name=request_data.operation_name,
                    allowed_operation_types=HTTP_OPERATIONS,
                    operation_extensions=request_data.extensions)
            except CannotGetOperationTypeError as error:
                raise ViewHTTPException(400, error.as_http_error_reason()) from error
            except InvalidOperationTypeError as error:
                raise ViewHTTPException(
                    400, error.as_http_error_reason(request_adapter.method)) from error

        async def execute_request(self, request: Any, context: Any,
                                  root_value: Any) -> Response[Any]:
            try:
                answer: Response[Any] = await self.run(request, context=context,
                                                       root_value=root_value)
                return answer
            except ViewHTTPException as error:
                return from_view(error.status_code, error.reason).response()

    return CodedRefusals


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

    buckets = SharedBuckets()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.rt = await bootstrap(settings)
        reminding = asyncio.create_task(run_reminders(app.state.rt, settings.reminder_every_s)) \
            if settings.reminder_every_s > 0 else None
        # The rate buckets of this process, kept in step with the other replicas' in the
        # background (services/http/rate_buckets.py); a request costs no statement.
        syncing = asyncio.create_task(buckets.run(app.state.rt.pool)) \
            if settings.rate_shared else None
        try:
            yield
        finally:
            if reminding is not None:
                reminding.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await reminding
            if syncing is not None:
                syncing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await syncing
                await buckets.sync_once(app.state.rt.pool)  # what was taken since the last
            await shutdown(app.state.rt)

    schema = build_schema(production=settings.production)
    graphql = with_offline_ide(with_coded_refusals(with_websocket_auth(make_graphql_controller(
        schema,
        path="/graphql",
        context_getter=get_context,
        graphql_ide=None if settings.production else "graphiql",
        allow_queries_via_get=False,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    ))))
    return Litestar(
        route_handlers=[graphql, healthz, readyz, metrics, checkpoint_keys, *OFFICE_ROUTES,
                        web_router(settings, schema)],
        lifespan=[lifespan],
        exception_handlers={Exception: answered},
        # Outermost first: every answer, refusals included, carries the request id.
        middleware=[request_id_middleware,
                    DefineMiddleware(RequestGuard, settings=settings,
                                     verifier=TokenVerifier(settings), buckets=buckets)],
        debug=False,
    )
