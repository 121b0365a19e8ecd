"""Per-request context: the runtime, the verified caller, their tenant (from the token), and
what the permission matrix lets them reach (services/gql/permissions.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import structlog
from litestar.datastructures import Headers, State
from litestar.enums import ScopeType
from litestar.types import Scope
from strawberry.litestar import BaseContext
from strawberry.types import Info

from domain.errors import DomainError
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)
from projections.runner import tracked_position
from services.gql.permissions import Access, RoleGrant, decide
from services.http.auth import AuthError, Principal
from services.platform.grants import grants_and_revoked_in
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.store.dbroles import read_checkout
from storage.db import DbConn


class StaleError(DomainError):
    code = "STALE"


def operation_of(info: Info[Any, Any]) -> str:
    """The matrix key of the root field ``info`` belongs to, e.g. ``Query.unitRatings``
    — by the field's name, not the alias it answers under (``{ x: me { … } }`` is
    ``Query.me``)."""
    path = info.path
    while path.prev is not None:
        path = path.prev
    kind = info.operation.operation.value  # "query" | "mutation" | "subscription"
    if not isinstance(path.key, str):
        return kind
    if path.prev is None and info.path.prev is None:
        return f"{kind.capitalize()}.{info.field_name}"  # the root field itself
    raw: Any = getattr(info, "_raw_info", info)  # strawberry's Info wraps graphql-core's
    name = _field_named(info.operation.selection_set, path.key, raw.fragments)
    return f"{kind.capitalize()}.{name or path.key}"


def _field_named(selection_set: SelectionSetNode, key: str,
                 fragments: dict[str, FragmentDefinitionNode]) -> str | None:
    """The name of the root field answering under response key ``key`` (alias or name)."""
    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            if (node.alias.value if node.alias else node.name.value) == key:
                return node.name.value
        elif isinstance(node, InlineFragmentNode):
            found = _field_named(node.selection_set, key, fragments)
            if found:
                return found
        elif isinstance(node, FragmentSpreadNode) and node.name.value in fragments:
            found = _field_named(fragments[node.name.value].selection_set, key, fragments)
            if found:
                return found
    return None


class Context(BaseContext, kw_only=True):
    rt: Any
    principal: Principal | None = None
    auth_error: Any = None
    reads: Any = None  # services.gql.loaders.Reads, made on first dashboard read
    authorization: str | None = None  # the raw token, re-verified on each subscription message
    connection_params: Any = None  # a websocket's connection_init payload
    grants_cache: list[RoleGrant] | None = None
    accesses_cache: dict[str, Access] | None = None
    trees_cache: dict[UUID, frozenset[UUID]] | None = None

    @property
    def runtime(self) -> Runtime:
        rt: Runtime = self.rt
        return rt

    def _verified(self) -> Principal:
        if self.principal is None:
            raise self.auth_error or AuthError("Chưa xác thực.", "Not authenticated.")
        return self.principal

    async def grants(self) -> list[RoleGrant]:
        """The caller's roles in the token's tenant, each with the reach its grant gives.

        The token says who signed in and in which roles; the platform log's grants say how
        far each role reaches. A claimed role with grants reaching this tenant gets exactly
        their scopes (a unit and its descendants, or the whole tenant); a claimed role with
        no grant reaches the whole tenant (the development key, an identity provider that
        carries roles) — unless grants are required (production, or
        ``CONGTAM_REQUIRE_GRANTS``), when it counts for nothing.
        """
        if self.grants_cache is None:
            principal = self._verified()
            rt = self.runtime
            # Cached briefly (services/platform/grants.py ``GrantsCache``): a change made in
            # this process drops every cached answer; one made elsewhere is seen within
            # GRANTS_TTL_S.
            granted, revoked = await (
                rt.grants.get(rt.pool, principal.user_id, principal.tenant)
                if rt.grants is not None
                else grants_and_revoked_in(rt.pool, principal.user_id, principal.tenant))
            mine: list[RoleGrant] = []
            for role in sorted(principal.roles):
                scopes = [g.unit_scope for g in granted if g.role == role]
                if scopes:
                    mine += [RoleGrant(role, s) for s in scopes]
                elif role not in revoked and not self.runtime.settings.grants_required:
                    # Never after a revocation: revoking a narrow grant must not leave the
                    # claim reaching the whole tenant.
                    mine.append(RoleGrant(role))
            self.grants_cache = mine
            return mine
        return self.grants_cache

    async def _caller(self) -> tuple[Principal, Tenant]:
        """The verified caller (with their roles as granted here) and their tenant: what the
        permission matrix decides about, in ``access`` — resolvers ask ``access_of``."""
        principal = self._verified()
        tenant = await self.runtime.registry.get(principal.tenant)
        held = frozenset(g.role for g in await self.grants())
        return Principal(principal.user_id, principal.name, principal.tenant, held,
                         principal.expires_at), tenant

    async def access(self, info: Info[Any, Any]) -> Access:
        """The permission matrix's answer for the root field ``info`` is under (cached)."""
        return await self.access_to(operation_of(info))

    async def access_to(self, operation: str) -> Access:
        """The matrix's answer for ``operation`` (cached): the HTTP routes outside GraphQL
        (services/http/office_routes.py) ask it under the operation whose row governs them."""
        # The dict this decision started with: a socket's subscriptions share one context,
        # and another's re-check (``forget``) may start afresh while this one awaits — its
        # answer then lands in the dict it began with, never in a missing one.
        cache = self.accesses_cache
        if cache is None:
            cache = self.accesses_cache = {}
        found = cache.get(operation)
        if found is None:
            principal, tenant = await self._caller()
            grants = await self.grants()
            trees = await self._trees(tenant, {g.unit_scope for g in grants if g.unit_scope})
            found = decide(operation, principal, tenant, grants, trees)
            cache[operation] = found
        return found

    def forget(self) -> None:
        """Decide afresh from now on (a subscription's re-check before each message). The
        caches are replaced, never emptied in place nor left unset, so a decision still under
        way for another subscription of the socket finishes on the ones it started with."""
        self.grants_cache = None
        self.accesses_cache = {}
        self.trees_cache = {}

    async def _trees(self, tenant: Tenant, roots: set[UUID]) -> dict[UUID, frozenset[UUID]]:
        """Each scoped unit with its descendants (from the organisation read model)."""
        cache = self.trees_cache  # held across the awaits, as in ``access_to``
        if cache is None:
            cache = self.trees_cache = {}
        missing = roots - cache.keys()
        for root in missing:
            rows = await self.runtime.pool_of(tenant).fetch(
                f"WITH RECURSIVE tree(unit_id, depth) AS (SELECT $1::uuid, 0 UNION "
                f"SELECT u.unit_id, t.depth + 1 FROM {tenant.schema}.rm_units u "
                "JOIN tree t ON u.parent_id = t.unit_id WHERE t.depth < 32) "
                "SELECT unit_id FROM tree", root)
            cache[root] = frozenset(r["unit_id"] for r in rows)
        return {r: cache[r] for r in roots}

    @asynccontextmanager
    async def read(self, tenant: Tenant) -> AsyncIterator[DbConn]:
        """A read connection that can see this tenant's schema and no other
        (services/store/dbroles.py)."""
        async with read_checkout(self.runtime.pool_of(tenant), tenant.schema) as conn:
            yield conn

    def fetcher(self, tenant: Tenant) -> Callable[..., Awaitable[list[Any]]]:
        """``fetch(sql, *args)`` run as the tenant's reader role (one read-only transaction
        per statement), so a schema name from the wrong place is refused by the database."""
        async def fetch(sql: str, *args: Any) -> list[Any]:
            async with self.read(tenant) as conn:
                return list(await conn.fetch(sql, *args))
        return fetch

    async def fetchrow(self, tenant: Tenant, sql: str, *args: Any) -> Any:
        """One row, read as the tenant's reader role (see ``fetcher``)."""
        async with self.read(tenant) as conn:
            return await conn.fetchrow(sql, *args)

    async def fresh(self, tenant: Tenant, at_least: int | None) -> None:
        """Read-your-writes: wait until the read models have reached ``at_least``."""
        if not at_least:
            return
        deadline = time.monotonic() + self.runtime.settings.freshness_timeout
        while True:
            async with self.runtime.pool_of(tenant).acquire() as conn:
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
    header: it is verified there (services/http/api.py), not here."""
    rt: Runtime = state.rt
    ctx = Context(rt=rt)
    authorization = Headers.from_scope(scope).get("authorization")
    if scope["type"] == ScopeType.WEBSOCKET and authorization is None:
        return ctx
    # The request guard (services/http/limits.py) already verified the token to rate-limit by
    # user; verify again only when it found none (to say precisely what is wrong).
    ctx.principal = scope.get("state", {}).get("principal")
    try:
        if ctx.principal is None:
            ctx.principal = await rt.verifier.verify(authorization)
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


async def access_of(info: Info[Any, Any]) -> Access:
    """The one call a resolver makes: what this caller may reach in this operation."""
    return await ctx_of(info).access(info)
