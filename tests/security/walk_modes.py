"""The two ways the generated walks meet the app: development mode (the session's server,
tokens signed with the development key, a claimed role reaches the whole tenant) and
production mode (an instance trusting only a loopback identity provider over HTTPS, tokens
it signed, and no role without a grant recorded in the platform log).

A walk asks its ``Walker`` for tokens and grants and sends every document through it, so
the same assertions hold in both modes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from domain.actor import Actor
from services.runtime import Runtime
from services.settings import Settings
from tests.support.gql import token_for
from tests.support.keyserver import key_server, provider_token
from tests.support.servers import app_with

MODES = ("development", "production")
ADMIN = Actor("test-admin", "platform_admin")


@dataclass
class Walker:
    mode: str
    http: httpx.AsyncClient  # the app under attack
    base: str  # its base URL (the websocket's too)
    settings: Settings
    runtime: Runtime

    async def token(self, tenant: str, user: object, *roles: str,
                    unit_scope: uuid.UUID | None = None) -> str:
        """A token of ``user`` in ``roles``, as this mode's app accepts it. In production
        each role is granted first (on ``unit_scope``, or the whole tenant), since a claim
        alone reaches nothing there; in development a whole-tenant claim needs no grant,
        and a narrowed one is granted the same way."""
        if self.mode == "production" or unit_scope is not None:
            for role in roles:
                await self.runtime.platform.grant(ADMIN, str(user), tenant, role,
                                                  unit_scope=unit_scope)
        if self.mode == "production":
            return provider_token(self.settings, tenant, user, *roles)
        return token_for(self.settings, tenant, user, *roles)


@asynccontextmanager
async def walker(mode: str, settings: Settings, runtime: Runtime, http: httpx.AsyncClient,
                 server: str) -> AsyncIterator[Walker]:
    """The app a walk attacks in ``mode``. The production instance leaves projecting to the
    session's server (``app_with``), which is why a walk needs ``server`` running in both."""
    if mode == "development":
        yield Walker(mode, http, server, settings, runtime)
        return
    assert mode == "production", mode
    with key_server(tls=True) as idp:
        # A walk sends hundreds of documents a minute as one user: the limits are tested
        # elsewhere (test_shared_rate_limits), and here would only turn answers into refusals.
        async with app_with(settings, **idp.production(), rate_per_user=10**6,
                            rate_per_tenant=10**6) as prod:
            assert prod.base_url.scheme == "http"
            base = str(prod.base_url).rstrip("/")
            walk = Walker(mode, prod, base, settings, runtime)
            # The instance really is production: a development-key token is turned away.
            dev = token_for(settings, "no-such-tenant", "u-1", "staff")
            refused = (await prod.post("/graphql", json={"query": "{ me { userId } }"},
                                       headers={"Authorization": f"Bearer {dev}"})).json()
            assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", refused
            yield walk
