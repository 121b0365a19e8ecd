"""Per-request context: the runtime, the verified caller, and their tenant (from the token)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import structlog
from litestar.datastructures import Headers, State
from litestar.enums import ScopeType
from litestar.types import Scope
from strawberry.litestar import BaseContext
from strawberry.types import Info

from domain.errors import DomainError
from projections.runner import tracked_position
from services.auth import AuthError, ForbiddenError, Principal
from services.runtime import Runtime
from services.tenants import Tenant


class StaleError(DomainError):
    code = "STALE"


class Context(BaseContext, kw_only=True):
    rt: Any
    principal: Principal | None = None
    auth_error: Any = None
    reads: Any = None  # services.gql.loaders.Reads, made on first dashboard read
    authorization: str | None = None  # the raw token, re-verified on each subscription message
    connection_params: Any = None  # a websocket's connection_init payload

    @property
    def runtime(self) -> Runtime:
        rt: Runtime = self.rt
        return rt

    async def caller(self, *roles: str) -> tuple[Principal, Tenant]:
        """The verified caller and their tenant; with ``roles``, one of them is required."""
        if self.principal is None:
            raise self.auth_error or AuthError("Chưa xác thực.", "Not authenticated.")
        tenant = await self.runtime.registry.get(self.principal.tenant)
        if roles and not self.principal.has(*roles):
            raise ForbiddenError(
                "Vai trò của bạn không được phép thực hiện thao tác này.",
                f"Your role may not do this (needs one of: {', '.join(roles)}).",
            )
        return self.principal, tenant

    async def fresh(self, tenant: Tenant, at_least: int | None) -> None:
        """Read-your-writes: wait until the read models have reached ``at_least``."""
        if not at_least:
            return
        deadline = time.monotonic() + self.runtime.settings.freshness_timeout
        while True:
            async with self.runtime.pool.acquire() as conn:
                reached = await tracked_position(conn, tenant.schema)
            if reached >= at_least:
                return
            if time.monotonic() >= deadline:
                raise StaleError(
                    f"Dữ liệu tổng hợp chưa cập nhật tới vị trí {at_least} (mới tới {reached}); "
                    "vui lòng thử lại sau giây lát.",
                    f"Read models have reached position {reached}, not {at_least} yet; retry.",
                )
            await asyncio.sleep(0.01)


async def get_context(state: State, scope: Scope) -> Context:
    """The context of an HTTP request or of a websocket (litestar injects ``state`` and
    ``scope`` into both). A websocket carries its token in ``connection_init`` instead of a
    header: it is verified there (services/api.py), not here."""
    rt: Runtime = state.rt
    ctx = Context(rt=rt)
    authorization = Headers.from_scope(scope).get("authorization")
    if scope["type"] == ScopeType.WEBSOCKET and authorization is None:
        return ctx
    try:
        ctx.principal = rt.verifier.verify(authorization)
        ctx.authorization = authorization
    except AuthError as error:
        ctx.auth_error = error
    else:
        # Every log line of this request carries tenant and actor (request_id is bound by
        # the middleware).
        structlog.contextvars.bind_contextvars(tenant=ctx.principal.tenant,
                                               user=ctx.principal.user_id)
    return ctx


def ctx_of(info: Info[Any, Any]) -> Context:
    context: Context = info.context
    return context
