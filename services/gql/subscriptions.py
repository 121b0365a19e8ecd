"""Live dashboards: GraphQL subscriptions over graphql-transport-ws on the litestar websocket.

The projector sends ``pg_notify('congtam_projected', '<schema>:<position>')`` in each batch's
transaction, so the notification arrives only once the read models are committed. Each API
process keeps one LISTEN connection (``ProjectedFeed``) and wakes the subscriptions of that
tenant; a subscription then re-reads its board and sends it if it changed. A periodic
re-read covers a notification lost with a dropped connection.

The caller authenticates once, in ``connection_init`` (the JWT in the payload); before every
message the token is verified again (expiry), and tenant and role are checked again.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

import asyncpg
import strawberry
import structlog
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types import Info
from strawberry.types.unset import UNSET

from domain.actor import Actor
from domain.errors import DomainError, NotFoundError
from domain.text import check_text
from graphql import GraphQLError
from projections.runner import PROJECTED_CHANNEL
from services.gql.board import UnitBoard
from services.gql.context import Context, access_of, ctx_of
from services.gql.errors import domain_error, unexpected_error
from services.gql.evaluation_queries import OwnResult, own_results
from services.gql.guard import AUDITOR
from services.gql.ids import UnitID
from services.gql.inputs import check_month, parse_id
from services.gql.loaders import Reads
from services.gql.scope import visible_unit
from services.http.auth import AuthError, ForbiddenError
from services.platform.tenants import Tenant
from services.store.database import ConnectionParams

log = structlog.get_logger()

T = TypeVar("T")

RECHECK_SECONDS = 5.0  # re-read even without a notification (a lost NOTIFY, an expired token)


class ProjectedFeed:
    """One LISTEN connection per process and database holding tenants, fanning
    ``congtam_projected`` out per tenant schema (a tenant's batches are announced in the
    database its log is in)."""

    def __init__(self, params: Sequence[ConnectionParams]) -> None:
        self.params = list(params)
        self._conns: list[asyncpg.Connection] = []
        self._lock = asyncio.Lock()
        self._waiters: dict[str, set[asyncio.Event]] = {}

    async def _ensure(self) -> None:
        async with self._lock:
            if self._conns and not any(c.is_closed() for c in self._conns):
                return
            await self.close()
            self._conns = []
            for params in self.params:
                conn = await asyncpg.connect(**params.asyncpg_kwargs())
                await conn.add_listener(PROJECTED_CHANNEL, self._on_notify)
                self._conns.append(conn)

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        schema = str(payload).rpartition(":")[0]
        for event in self._waiters.get(schema, ()):
            event.set()

    @contextlib.asynccontextmanager
    async def watch(self, schema: str) -> AsyncIterator[asyncio.Event]:
        await self._ensure()
        event = asyncio.Event()
        self._waiters.setdefault(schema, set()).add(event)
        try:
            yield event
        finally:
            self._waiters[schema].discard(event)

    async def close(self) -> None:
        for conn in self._conns:
            if not conn.is_closed():
                await conn.close()


def feed_of(ctx: Context) -> ProjectedFeed:
    rt = ctx.runtime
    if rt.feed is None:
        rt.feed = ProjectedFeed([db.params for db in rt.directory.databases.values()])
    feed: ProjectedFeed = rt.feed
    return feed


async def recheck(info: Info[Any, Any], tenant: Tenant | None) -> Tenant:
    """Verify the token again (it may have expired), and decide the permission matrix
    afresh from the grants as they are now: a grant revoked or narrowed since, or a unit
    moved, ends the watch too. The tenant must still be the one watched."""
    ctx = ctx_of(info)
    ctx.principal = await ctx.runtime.verifier.verify(ctx.authorization)
    ctx.forget()  # shared by the socket's subscriptions: replaced, never unset (context.py)
    current = (await access_of(info)).tenant
    if tenant is not None and current.slug != tenant.slug:
        raise ForbiddenError("Phiên kết nối không còn thuộc địa phương này.",
                             "This connection no longer belongs to that tenant.")
    return current


async def _shaped(stream: AsyncGenerator[T, None]) -> AsyncGenerator[T, None]:
    """Subscriptions bypass the per-operation error policy: a refusal is shaped here, with
    its stable code and both languages; a fault is said without its own text."""
    try:
        async with contextlib.aclosing(stream):
            async for message in stream:
                yield message
    except DomainError as error:
        raise domain_error(error) from None
    except GraphQLError:
        raise  # already shaped
    except Exception as error:  # a fault, not a refusal: said without its own text
        raise unexpected_error(error) from None


async def _on_change(info: Info[Any, Any], tenant: Tenant,
                     still_allowed: Callable[[], Awaitable[None]],
                     read: Callable[[], Awaitable[tuple[int, T]]]) -> AsyncGenerator[T, None]:
    """Read again at each batch the tenant's projector announces (and every
    ``RECHECK_SECONDS``), the caller checked again before each read; what was read is sent
    only when its position moved."""
    sent: int | None = None
    async with feed_of(ctx_of(info)).watch(tenant.schema) as wake:
        while True:
            wake.clear()
            await recheck(info, tenant)
            await still_allowed()
            position, value = await read()
            if position != sent:
                sent = position
                yield value
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), RECHECK_SECONDS)


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Bảng theo dõi tháng của đơn vị, cập nhật trực tiếp "
                                         "/ a unit's month board, live")
    async def unit_board(self, info: Info[Any, Any], unit_id: UnitID, year: int,
                         month: int) -> AsyncGenerator[UnitBoard | None, None]:
        async for board in _shaped(_unit_board(info, unit_id, year, month)):
            yield board

    @strawberry.subscription(description="Kết quả của tôi, báo ngay khi được công khai "
                                         "/ my results, notified when published")
    async def my_results(self, info: Info[Any, Any]) -> AsyncGenerator[list[OwnResult], None]:
        async for results in _shaped(_my_results(info)):
            yield results


async def _unit_board(info: Info[Any, Any], unit_id: strawberry.ID, year: int,
                      month: int) -> AsyncGenerator[UnitBoard | None, None]:
    ctx = ctx_of(info)
    check_text("unitId", unit_id)
    # The permission matrix, and the unit scope: a unit out of reach is watched
    # exactly like a unit that does not exist.
    access = await access_of(info)
    if AUDITOR in access.roles:  # an auditor's watch is logged like their reads
        await ctx.runtime.platform.record_access(
            Actor(access.principal.user_id, AUDITOR), access.tenant.slug,
            "unitBoard (live)", f"{unit_id}/{year}-{month:02d}")
    watched = parse_id(unit_id, "đơn vị", "Unit")
    if not await visible_unit(info, watched):
        unit_id = strawberry.ID(str(uuid.uuid4()))

    async def still_allowed() -> None:
        # Before every message: the matrix and the unit scope, decided afresh from
        # the grants as they are now (recheck dropped the cached decision).
        await access_of(info)
        if not await visible_unit(info, watched) and str(watched) == str(unit_id):
            raise NotFoundError("Không tìm thấy đơn vị.", "Unit not found.")

    async for board in _watch_board(info, unit_id, year, month, still_allowed):
        yield board


async def _my_results(info: Info[Any, Any]) -> AsyncGenerator[list[OwnResult], None]:
    ctx = ctx_of(info)
    # The permission matrix (subscriptions skip the root hook).
    access = await access_of(info)
    if AUDITOR in access.roles:  # every auditor read is on record, own ones too
        await ctx.runtime.platform.record_access(
            Actor(access.principal.user_id, AUDITOR), access.tenant.slug,
            "myResults (live)", access.principal.user_id)

    async def still_allowed() -> None:
        await access_of(info)

    async for results in _watch_own(info, still_allowed):
        yield results


async def _watch_own(info: Info[Any, Any], still_allowed: Callable[[], Awaitable[None]],
                     ) -> AsyncGenerator[list[OwnResult], None]:
    """Workflow step 6: each person is told their own result once it is published (and
    again if an appeal amends it); nobody else's."""
    ctx = ctx_of(info)
    tenant = await recheck(info, None)
    principal = (await access_of(info)).principal
    staff_id = parse_id(principal.user_id, "cán bộ", "Staff member")

    async def read() -> tuple[int, list[OwnResult]]:
        return await own_results(ctx.fetcher(tenant), tenant.schema, staff_id)

    async for results in _on_change(info, tenant, still_allowed, read):
        yield results


async def _watch_board(info: Info[Any, Any], unit_id: strawberry.ID, year: int, month: int,
                       still_allowed: Callable[[], Awaitable[None]],
                       ) -> AsyncGenerator[UnitBoard | None, None]:
    ctx = ctx_of(info)
    check_month(year, month)
    unit = parse_id(unit_id, "đơn vị", "Unit")
    tenant = await recheck(info, None)

    async def read() -> tuple[int, asyncpg.Record | None]:
        ctx.reads = Reads(ctx.runtime.pool_of(tenant), tenant)  # fresh loaders for each message
        row = await ctx.reads.fetchrow(
            f"SELECT * FROM {tenant.schema}.rm_boards WHERE unit_id = $1 "
            "AND kind = 'monthly' AND year = $2 AND number = $3", unit, year, month)
        return (row["position"] if row else 0), row

    async for row in _on_change(info, tenant, still_allowed, read):
        yield UnitBoard.from_row(row) if row else None


def with_websocket_auth(controller: type[Any]) -> type[Any]:
    """The GraphQL controller, authenticating websockets at ``connection_init``.

    The token travels in the init payload as ``{"Authorization": "Bearer <jwt>"}`` (browsers
    cannot set headers on a websocket). A missing or bad token closes the socket with 4403
    before any subscription starts.
    """

    class WebSocketAuthenticated(controller):  # type: ignore[misc,valid-type]
        async def on_ws_connect(self, context: Context) -> Any:
            params = context.connection_params if isinstance(context.connection_params,
                                                             dict) else {}
            authorization = params.get("Authorization") or params.get("authorization")
            try:
                context.principal = await context.runtime.verifier.verify(
                    authorization if isinstance(authorization, str) else None)
            except AuthError as error:
                log.info("websocket_rejected", code=error.code)
                raise ConnectionRejectionError({"code": error.code,
                                                "messageVi": error.message_vi,
                                                "messageEn": error.message_en}) from None
            context.authorization = authorization
            structlog.contextvars.bind_contextvars(tenant=context.principal.tenant,
                                                   user=context.principal.user_id)
            return UNSET

    return WebSocketAuthenticated
