"""An auditor as the city inspection committee gets one: a grant on the platform log and a
token for it."""

from __future__ import annotations

from uuid import uuid4

from domain.actor import Actor
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.support.gql import token_for

ADMIN = Actor("platform-admin", "platform_admin")


async def granted_auditor(runtime: Runtime, settings: Settings, tenant: Tenant,
                          prefix: str = "inspector") -> tuple[str, str]:
    """(user id, bearer token) of a fresh auditor granted on ``tenant``."""
    user = f"{prefix}-{uuid4().hex[:8]}"
    await runtime.platform.grant(ADMIN, user, tenant.slug, "auditor")
    return user, token_for(settings, tenant.slug, user, "auditor")
