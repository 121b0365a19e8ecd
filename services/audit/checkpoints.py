"""Checkpoints: the head of a tenant's chain, published to the platform log.

A checkpoint (position, chain head, event count, time) lives outside the tenant's log. An
auditor who holds one can later prove the current log *extends* it: the chain must verify
from genesis to today, and the hash stored at the checkpoint's position must still be the
published head. A superuser who rewrote an event and recomputed every later hash passes
the first test and fails the second, at the checkpoint's position.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.actor import Actor
from domain.errors import DomainError
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.store.integrity import Verification, verify
from storage.db import DbConn


class ChainBrokenError(DomainError):
    code = "CHAIN_BROKEN"


@dataclass(frozen=True)
class Checkpoint:
    tenant: str
    position: int
    head: str  # hex
    events: int
    published_at: datetime
    published_by: str

    @classmethod
    def from_row(cls, row: Any) -> Checkpoint:
        return cls(row["tenant"], row["position"], row["head"], row["events"],
                   row["published_at"], row["published_by"])

    def as_json(self) -> dict[str, Any]:
        return {"tenant": self.tenant, "position": self.position, "head": self.head,
                "events": self.events, "published_at": self.published_at.isoformat(),
                "published_by": self.published_by}


@dataclass(frozen=True)
class Extension:
    """Whether the current log extends a checkpoint, and where it does not."""

    ok: bool
    checkpoint: Checkpoint
    verification: Verification
    position: int  # the first position that breaks the proof (0 when ok)
    problem: str = ""


async def publish(rt: Runtime, tenant: Tenant, actor: Actor) -> Checkpoint:
    """Verify the tenant's chain, then publish its head. A broken chain is never published."""
    result = await verify(rt.pool_of(tenant), tenant.schema)
    if not result.ok:
        raise ChainBrokenError(
            f"Chuỗi băm của '{tenant.slug}' bị phá vỡ tại vị trí {result.position}; "
            "không công bố điểm mốc.",
            f"The hash chain of '{tenant.slug}' is broken at position {result.position}; "
            "no checkpoint published.")
    await rt.platform.publish_checkpoint(actor, tenant.slug, result.position, result.head,
                                         result.events)
    [latest] = await checkpoints(rt.pool, tenant.slug, limit=1)
    return latest


async def checkpoints(db: Any, tenant: str, *, limit: int | None = None,
                      until: int | None = None) -> list[Checkpoint]:
    """Published checkpoints of ``tenant``, newest first."""
    rows = await db.fetch(
        "SELECT * FROM platform.checkpoints WHERE tenant = $1 AND position <= $2 "
        "ORDER BY position DESC LIMIT $3", tenant, until if until is not None else 2**62,
        limit)
    return [Checkpoint.from_row(r) for r in rows]


async def prove_extends(conn: DbConn, schema: str, checkpoint: Checkpoint) -> Extension:
    """Does the current log extend ``checkpoint``? (see the module docstring)."""
    result = await verify(conn, schema)
    if not result.ok and result.position <= checkpoint.position:
        return Extension(False, checkpoint, result, result.position,
                         "the chain breaks before the checkpoint")
    stored = await conn.fetchval(
        f"SELECT chain_hash FROM {schema}.evaluations_events WHERE notification_id = $1",
        checkpoint.position)
    if stored is None or bytes(stored).hex() != checkpoint.head:
        return Extension(False, checkpoint, result, checkpoint.position,
                         "the log at the checkpoint's position no longer has the published head")
    if not result.ok:
        return Extension(False, checkpoint, result, result.position,
                         "the log extends the checkpoint, but breaks after it")
    return Extension(True, checkpoint, result, 0)


async def first_unkept(conn: DbConn, schema: str, published: list[Checkpoint]
                       ) -> Checkpoint | None:
    """The earliest published checkpoint whose head the log no longer has (None: all kept)."""
    if not published:
        return None
    rows = await conn.fetch(
        f"SELECT notification_id, chain_hash FROM {schema}.evaluations_events "
        "WHERE notification_id = ANY($1::bigint[])", [c.position for c in published])
    stored = {r["notification_id"]: bytes(r["chain_hash"] or b"").hex() for r in rows}
    for checkpoint in sorted(published, key=lambda c: c.position):
        if stored.get(checkpoint.position) != checkpoint.head:
            return checkpoint
    return None
