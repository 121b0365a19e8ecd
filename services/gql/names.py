"""Names, not ids: the person behind an actor or decider id, read through the request's
staff loader (one statement for every name on a page)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from strawberry.types import Info


async def person_name(info: Info[Any, Any], who: str | None) -> str | None:
    """The full name of the staff member ``who`` names, in the caller's tenant; None for an
    id that is no staff member (a platform actor, an inspector) or an erased name."""
    if not who:
        return None
    try:
        staff_id = UUID(who)
    except ValueError:
        return None
    from services.gql.context import access_of, ctx_of
    from services.gql.loaders import Reads

    ctx, tenant = ctx_of(info), (await access_of(info)).tenant
    if ctx.reads is None or ctx.reads.tenant != tenant:
        ctx.reads = Reads(ctx.runtime.pool_of(tenant), tenant)
    row = await ctx.reads.staff.load(staff_id)
    name = row["full_name"] if row is not None else None
    return str(name) if name else None
