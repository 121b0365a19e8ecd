"""Checkpoints: the head of a tenant's chain, published to the platform log.

A checkpoint (position, chain head, event count, time) lives outside the tenant's log. An
auditor who holds one can later prove the current log *extends* it: the chain must verify
from genesis to today, and the hash stored at the checkpoint's position must still be the
published head. A superuser who rewrote an event and recomputed every later hash passes
the first test and fails the second, at the checkpoint's position.

Checkpoints are automatic: the projector's ``Witness`` signs and publishes the head of
every tenant with new events at least every ``CONGTAM_CHECKPOINT_EVERY_S`` seconds,
verifying only the events since the last checkpoint (whose head the log must still hold).
Each is signed with the platform's Ed25519 key (services/audit/signing.py), so a copy
held by an auditor proves a later truncation even if the database's own table of
checkpoints was rewritten too. Events after the newest checkpoint are "not yet witnessed".
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import structlog
from eventsourcing.persistence import IntegrityError

from domain.actor import Actor
from domain.errors import DomainError
from domain.platform import CheckpointSignature
from services.audit.signing import CheckpointSigner, signed_message
from services.store.integrity import Verification, first_break, verify
from storage.db import DbConn

if TYPE_CHECKING:
    from services.platform.platform_log import Platform
    from services.platform.tenants import Tenant
    from services.runtime import Runtime
    from services.store.placement import Directory

log = structlog.get_logger()
WITNESS = Actor("checkpoint-witness", "system")
# One witness at a time across processes (several projectors may run).
_WITNESS_LOCK = 0x636B7074  # "ckpt"


class ChainBrokenError(DomainError):
    """The tenant's hash chain does not verify: no checkpoint is published over it."""

    code = "CHAIN_BROKEN"


@dataclass(frozen=True)
class Checkpoint:
    tenant: str
    position: int
    head: str  # hex
    events: int
    published_at: datetime
    published_by: str
    signed_at: str | None = None
    public_key: str | None = None  # base64 Ed25519
    signature: str | None = None  # base64 Ed25519 over signing.signed_message(...)

    @classmethod
    def from_row(cls, row: Any) -> Checkpoint:
        return cls(row["tenant"], row["position"], row["head"], row["events"],
                   row["published_at"], row["published_by"], row["signed_at"],
                   row["public_key"], row["signature"])

    def message(self) -> bytes | None:
        """What the platform signed, or None for a checkpoint published unsigned."""
        if self.signed_at is None:
            return None
        return signed_message(self.tenant, self.position, self.head, self.events,
                              self.signed_at)

    def as_json(self) -> dict[str, Any]:
        return {"tenant": self.tenant, "position": self.position, "head": self.head,
                "events": self.events, "published_at": self.published_at.isoformat(),
                "published_by": self.published_by, "signed_at": self.signed_at,
                "public_key": self.public_key, "signature": self.signature}


@dataclass(frozen=True)
class Extension:
    """Whether the current log extends a checkpoint, and where it does not."""

    ok: bool
    checkpoint: Checkpoint
    verification: Verification
    position: int  # the first position that breaks the proof (0 when ok)
    problem: str = ""


def _broken(slug: str, position: int) -> ChainBrokenError:
    return ChainBrokenError(
        f"Chuỗi băm của '{slug}' bị phá vỡ tại vị trí {position}; không công bố điểm mốc.",
        f"The hash chain of '{slug}' is broken at position {position}; "
        "no checkpoint published.")


def _signature(signer: CheckpointSigner, slug: str, result: Verification
               ) -> CheckpointSignature:
    signed_at = datetime.now(UTC).isoformat(timespec="seconds")
    message = signed_message(slug, result.position, result.head.hex(), result.events,
                             signed_at)
    return CheckpointSignature(signed_at, signer.published()["publicKey"], signer.sign(message))


async def publish(rt: Runtime, tenant: Tenant, actor: Actor) -> Checkpoint:
    """Verify the tenant's whole chain, then publish its head, signed. A broken chain is
    never published."""
    result = await verify(rt.pool_of(tenant), tenant.schema)
    if not result.ok:
        raise _broken(tenant.slug, result.position)
    await rt.platform.publish_checkpoint(actor, tenant.slug, result.position, result.head,
                                         result.events,
                                         _signature(rt.signer, tenant.slug, result))
    [latest] = await checkpoints(rt.pool, tenant.slug, limit=1)
    return latest


async def verify_since(db: Any, schema: str, last: Checkpoint | None) -> Verification:
    """The chain up to its head, checked only after ``last`` (a published checkpoint whose
    head the log must still hold at its position); the whole chain without one."""
    if last is None:
        return await verify(db, schema)
    t = f"{schema}.evaluations_events"
    stored = await db.fetchval(f"SELECT chain_hash FROM {t} WHERE notification_id = $1",
                               last.position)
    if stored is None or bytes(stored).hex() != last.head:
        return Verification(False, last.events, bytes.fromhex(last.head), last.position,
                            "the log no longer has the published checkpoint's head")
    head = int(await db.fetchval(f"SELECT coalesce(max(notification_id), 0) FROM {t}"))
    broken = await first_break(db, schema, head, since=last.position)
    stop = broken - 1 if broken is not None else head
    row = await db.fetchrow(
        f"SELECT count(*) AS n, max(notification_id) AS last FROM {t} "
        "WHERE notification_id > $1 AND notification_id <= $2", last.position, stop)
    assert row is not None
    position = int(row["last"] or last.position)
    hash_ = await db.fetchval(f"SELECT chain_hash FROM {t} WHERE notification_id = $1",
                              position)
    events = last.events + int(row["n"])
    if broken is not None:
        return Verification(False, events, bytes(hash_), int(broken),
                            "event does not match the hash chain")
    return Verification(True, events, bytes(hash_), position)


class Witness:
    """Signs and publishes a checkpoint of every tenant with new events, at most every
    ``every_s`` seconds (the projector calls ``tick`` on each turn of its loop).

    One witness runs at a time across processes (an advisory lock in the home database);
    a tenant whose chain is broken is never checkpointed — it is logged as an error
    (``chain_broken``) at every round instead."""

    def __init__(self, directory: Directory, platform: Platform, signer: CheckpointSigner,
                 every_s: float) -> None:
        self.directory, self.platform, self.signer = directory, platform, signer
        self.every_s = every_s
        self._last = 0.0

    async def tick(self) -> None:
        if self.every_s <= 0 or time.monotonic() - self._last < self.every_s:
            return
        self._last = time.monotonic()
        try:
            await self.run()
        except Exception:  # never stops the projector; the next round tries again
            log.exception("witness_failed")

    async def run(self) -> int:
        """One round; returns how many tenants were checkpointed."""
        from services.projector import all_lags  # the projector imports this module

        home = self.directory.home.pool
        async with home.acquire() as lock:
            if not await lock.fetchval("SELECT pg_try_advisory_lock($1)", _WITNESS_LOCK):
                return 0
            try:
                latest = {r["tenant"]: r["position"] for r in await home.fetch(
                    "SELECT tenant, max(position) AS position FROM platform.checkpoints "
                    "GROUP BY tenant")}
                done = 0
                for lag in await all_lags(self.directory):
                    if lag.head <= latest.get(lag.slug, 0):
                        continue
                    if await self.witness(lag.slug, lag.schema):
                        done += 1
                return done
            finally:
                await lock.execute("SELECT pg_advisory_unlock($1)", _WITNESS_LOCK)

    async def witness(self, slug: str, schema: str) -> bool:
        pool = self.directory.database_of(slug).pool
        published = await checkpoints(self.directory.home.pool, slug, limit=1)
        result = await verify_since(pool, schema, published[0] if published else None)
        if not result.ok:
            log.error("chain_broken", tenant=slug, position=result.position,
                      problem=result.problem)
            return False
        try:
            await self.platform.publish_checkpoint(
                WITNESS, slug, result.position, result.head, result.events,
                _signature(self.signer, slug, result))
        except IntegrityError:  # another process published this tenant's chain meanwhile
            return False
        log.info("checkpoint_witnessed", tenant=slug, position=result.position,
                 events=result.events)
        return True


async def unwitnessed(db: Any, schema: str, published: list[Checkpoint]) -> int:
    """Events after the newest published checkpoint: appended, not yet witnessed."""
    since = max((c.position for c in published), default=0)
    return int(await db.fetchval(
        f"SELECT count(*) FROM {schema}.evaluations_events WHERE notification_id > $1", since))


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
