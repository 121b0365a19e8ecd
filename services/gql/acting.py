"""Which tenant a caller acts in, and in which capacity.

Normally the token's tenant and roles. A reviewer of the parent tenant (a district, for a
ward) may act in a child tenant by naming it: only with an active grant of the needed role,
given on the token's own tenant and reaching the child (``include_children``). The tenant
comes from the token and the grant, never from the argument alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio
from strawberry.types import Info

from domain.actor import Actor, acting_as
from services.gql.context import access_of, ctx_of
from services.gql.writes import in_worker
from services.http.auth import ForbiddenError, Principal
from services.platform.grants import grants_in
from services.platform.tenants import Tenant

T = TypeVar("T")


async def run_as(info: Info[Any, Any], capacity: str, work: Callable[[], T],
                 *written: Tenant, bounded: bool = True) -> T:
    """The one way a mutation writes: ``work`` runs in a worker thread (the write side is
    synchronous, services/app/) as the verified caller acting in ``capacity``; then the
    projector of every tenant it wrote to (``written``; the caller's own when none is
    named) is woken, so a read with ``atLeast`` sees the change soon.

    ``bounded``: the request stops waiting after the statement timeout (a frozen database
    answers DATABASE_UNAVAILABLE, services/gql/writes.py); a reorganisation, which may
    legitimately run long, waits for its end."""
    access = await access_of(info)
    user = access.principal.user_id

    def call() -> T:
        with acting_as(Actor(user_id=user, capacity=capacity)):
            return work()

    settings = ctx_of(info).runtime.settings
    result = (await in_worker(settings, call) if bounded
              else await anyio.to_thread.run_sync(call))
    for tenant in written or (access.tenant,):
        await ctx_of(info).runtime.written(tenant)
    return result


async def acting_in(info: Info[Any, Any], roles: tuple[str, ...],
                    tenant: str | None = None) -> tuple[Principal, Tenant, str]:
    """The caller, the tenant they act in and the capacity (role) they act in.

    Without ``tenant`` (or naming the token's own), the token's roles decide. Naming a
    child tenant needs an active grant of one of ``roles`` given on the token's tenant and
    reaching the child.
    """
    ctx = ctx_of(info)
    access = await access_of(info)
    principal, home = access.principal, access.tenant
    if tenant is None or tenant == home.slug:
        return principal, home, access.capacity(*roles)
    target = await ctx.runtime.registry.get(tenant)
    grants = [g for g in await grants_in(ctx.runtime.pool, principal.user_id, target.slug)
              if g.role in roles and g.tenant == home.slug and g.tenant != target.slug
              # A grant narrowed to a unit of the home tenant names no unit of the child.
              and g.unit_scope is None]
    if not grants:
        raise ForbiddenError(
            "Bạn không có quyền giải quyết khiếu nại của địa phương này.",
            "You hold no grant to review appeals in this tenant.")
    return principal, target, grants[0].role
