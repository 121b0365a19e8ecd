"""The platform log: an event-sourced application in the ``platform`` schema.

Users, their grants and revocations, published checkpoints of every tenant's chain and
the access log of auditors are events here, never hand-edited rows. The log shares the
process-wide write pool with the tenants, is hash-chained and append-only like a
tenant's log, and is projected into ``platform.users``, ``platform.grants``,
``platform.checkpoints`` and ``platform.access_log`` (projections/platform.py). Each write
catches the projection up before returning, so a grant is visible to the next request.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from uuid import UUID

import anyio
import asyncpg
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import InfrastructureFactory, JSONTranscoder, StoredEvent
from eventsourcing.utils import Environment
from psycopg import Cursor
from psycopg.rows import DictRow

from domain.actor import Actor, acting_as
from domain.errors import ValidationFailedError
from domain.platform import (
    AccessRecord,
    CheckpointSignature,
    PersonalDataErasure,
    TenantChain,
    TenantPlacement,
    UserAccount,
    erasure_id,
    placement_id,
    tenant_chain_id,
    user_account_id,
)
from projections.platform import PLATFORM_EVENTS_TABLE, PLATFORM_SCHEMA, PlatformProjection
from projections.runner import CatchUp, catch_up, ensure_tracking, lock_key
from services.http.auth import ROLES
from services.platform.grants import grants_changed
from services.store.dbroles import (
    PLATFORM_WRITER_ROLE,
    install_platform_log_roles,
    projecting_platform_as,
)
from services.store.eventstore import SharedPool, SharedPoolDatastore, TenantFactory, TenantRecorder
from services.store.integrity import install_sql
from storage.transcoding import register_transcodings

T = TypeVar("T")
MIGRATION_LOCK = 7311


class PlatformRecorder(TenantRecorder):
    """A tenant recorder without the tenant wake-up: no tenant projector needs this log.
    Appends run as the platform writer, which may append to this log and nothing else."""

    writer_role = PLATFORM_WRITER_ROLE

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **_: Any
    ) -> None:
        self._become_writer(curs)
        self._lock_table(curs)
        self._insert(curs, stored_events)


class PlatformFactory(TenantFactory):
    application_recorder_class = PlatformRecorder


class PlatformLog(Application):  # type: ignore[type-arg]
    """The platform's own event-sourced application (table ``platform.platform_events``)."""

    name = "Platform"

    def __init__(self, shared: SharedPool, create_tables: bool) -> None:
        self._datastore = SharedPoolDatastore(shared, PLATFORM_SCHEMA)
        super().__init__(env={"CREATE_TABLE": "y" if create_tables else "n"})

    def construct_factory(self, env: Environment) -> InfrastructureFactory[Any]:
        return PlatformFactory(env, self._datastore)  # type: ignore[return-value]

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        register_transcodings(transcoder)

    def _save(self, *aggregates: Any) -> int:
        recordings = self.save(*aggregates)
        return max((r.notification.id for r in recordings), default=0)

    def _get_or_new(self, aggregate_id: UUID, new: Callable[[], T]) -> T:
        """The aggregate with this id, or ``new()`` when the log holds none yet."""
        try:
            found: T = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return new()
        return found

    def _account(self, user_id: str, name: str) -> UserAccount:
        return self._get_or_new(user_account_id(user_id), lambda: UserAccount(
            id=user_account_id(user_id), user_id=user_id, name=name))

    def grant(self, user_id: str, tenant: str, role: str, unit_scope: UUID | None,
              include_children: bool, name: str = "") -> UUID:
        account = self._account(user_id, name)
        grant_id = uuid.uuid4()
        account.grant(grant_id, tenant, role, unit_scope, include_children)
        self._save(account)
        return grant_id

    def revoke(self, user_id: str, grant_id: UUID, reason: str) -> None:
        try:
            account: UserAccount = self.repository.get(user_account_id(user_id))
        except AggregateNotFoundError:
            raise ValidationFailedError("Không tìm thấy người dùng.", "Unknown user.") from None
        account.revoke(grant_id, reason)
        self._save(account)

    def publish_checkpoint(self, tenant: str, position: int, head: bytes, events: int,
                           signature: CheckpointSignature | None = None) -> int:
        chain = self._get_or_new(tenant_chain_id(tenant), lambda: TenantChain(
            id=tenant_chain_id(tenant), tenant=tenant))
        chain.publish(position, head, events, signature)
        return self._save(chain)

    def record_erasure(self, subject_id: UUID, tenant: str, basis: str) -> int:
        return self._save(PersonalDataErasure(id=erasure_id(subject_id), subject_id=subject_id,
                                              tenant=tenant, basis=basis))

    def record_access(self, user_id: str, tenant: str, operation: str, target: str) -> int:
        return self._save(AccessRecord(id=uuid.uuid4(), user_id=user_id, tenant=tenant,
                                       operation=operation, target=target))

    def record_accesses(self, user_id: str, reads: Sequence[tuple[str, str, str]]) -> int:
        """Several reads (tenant, operation, target) of one request, in one transaction."""
        return self._save(*(AccessRecord(id=uuid.uuid4(), user_id=user_id, tenant=tenant,
                                         operation=operation, target=target)
                            for tenant, operation, target in reads))

    def placement(self, tenant: str, home: str) -> TenantPlacement:
        return self._get_or_new(placement_id(tenant), lambda: TenantPlacement(
            id=placement_id(tenant), tenant=tenant, database=home))

    def place(self, tenant: str, database: str) -> int:
        """A new tenant's schema is created in ``database`` (not home): on record before the
        tenant exists. Placing it again where it is records nothing."""
        try:
            placed: TenantPlacement = self.repository.get(placement_id(tenant))
        except AggregateNotFoundError:
            return self._save(TenantPlacement(id=placement_id(tenant), tenant=tenant,
                                              database=database))
        if placed.database != database or placed.moving_to is not None:
            raise ValidationFailedError(
                f"Đơn vị '{tenant}' đã nằm ở cơ sở dữ liệu '{placed.database}'; dùng "
                "'congtam tenant move' để chuyển.",
                f"Tenant '{tenant}' is already placed in database '{placed.database}'; use "
                "'congtam tenant move' to move it.")
        return 0

    def start_move(self, tenant: str, home: str, target: str) -> int:
        placed = self.placement(tenant, home)
        placed.start_move(target)
        return self._save(placed)

    def finish_move(self, tenant: str, events: int, head: bytes) -> int:
        placed: TenantPlacement = self.repository.get(placement_id(tenant))
        placed.finish_move(events, head.hex())
        return self._save(placed)

    def abort_move(self, tenant: str, reason: str) -> int:
        placed: TenantPlacement = self.repository.get(placement_id(tenant))
        placed.abort_move(reason)
        return self._save(placed)


class Platform:
    """The async face of the platform log: writes through a thread, then project."""

    def __init__(self, shared: SharedPool, pool: asyncpg.Pool) -> None:
        self.shared = shared
        self.pool = pool
        self.log = PlatformLog(shared, create_tables=False)

    async def migrate(self) -> None:
        """Create the platform log's table, chain it, and make it append-only."""
        async with self.pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                # The library's CREATE … IF NOT EXISTS still locks an existing table (its
                # index's SHARE lock holds up writers): only for a log not created yet.
                created = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL",
                                              f"{PLATFORM_SCHEMA}.{PLATFORM_EVENTS_TABLE}")
                await anyio.to_thread.run_sync(PlatformLog, self.shared, not created)
                await conn.execute(install_sql(PLATFORM_SCHEMA, PLATFORM_EVENTS_TABLE))
                await install_platform_log_roles(
                    conn, f"{PLATFORM_SCHEMA}.{PLATFORM_EVENTS_TABLE}")
                await ensure_tracking(conn, PLATFORM_SCHEMA, (PlatformProjection,))
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)

    async def catch_up(self) -> CatchUp:
        """Project the platform log. Waits for a concurrent catch-up rather than skipping,
        so a write is always in the tables when this returns."""
        async with self.pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", lock_key(PLATFORM_SCHEMA))
            try:
                # As the platform projector: the read models of this log, nothing else.
                async with projecting_platform_as(conn):
                    return await catch_up(conn, PLATFORM_SCHEMA, (PlatformProjection,),
                                          events_table=PLATFORM_EVENTS_TABLE)
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", lock_key(PLATFORM_SCHEMA))

    async def _written(self, actor: Actor, write: Callable[[], T]) -> T:
        """Every write to this log: made as ``actor`` off the event loop (the library's
        store is synchronous), then projected before returning, so the caller's next read
        of grants, placements or accesses already sees it."""
        def work() -> T:
            with acting_as(actor):
                return write()
        result = await anyio.to_thread.run_sync(work)
        await self.catch_up()
        grants_changed()  # this process's cached grants (the others hear a notification)
        return result

    async def grant(self, actor: Actor, user_id: str, tenant: str, role: str,
                    unit_scope: UUID | None = None, include_children: bool = False,
                    name: str = "") -> UUID:
        await self._check_grantable(tenant, role)
        return await self._written(actor, lambda: self.log.grant(
            user_id, tenant, role, unit_scope, include_children, name))

    async def _check_grantable(self, tenant: str, role: str) -> None:
        if role not in ROLES:
            raise ValidationFailedError(
                f"Vai trò '{role}' không tồn tại (có: {', '.join(ROLES)}).",
                f"Unknown role '{role}' (known: {', '.join(ROLES)}).")
        if not await self.pool.fetchval(
                "SELECT 1 FROM platform.tenants WHERE slug = $1", tenant):
            raise ValidationFailedError(
                f"Không tìm thấy đơn vị hành chính '{tenant}'.", f"Unknown tenant '{tenant}'.")

    async def revoke(self, actor: Actor, user_id: str, grant_id: UUID, reason: str) -> None:
        await self._written(actor, lambda: self.log.revoke(user_id, grant_id, reason))

    async def publish_checkpoint(self, actor: Actor, tenant: str, position: int, head: bytes,
                                 events: int, signature: CheckpointSignature | None = None
                                 ) -> int:
        return await self._written(actor, lambda: self.log.publish_checkpoint(
            tenant, position, head, events, signature))

    async def record_erasure(self, actor: Actor, subject_id: UUID, tenant: str,
                             basis: str) -> int:
        """Record the erasure; projecting it deletes the person's key (projections/platform)."""
        return await self._written(actor, lambda: self.log.record_erasure(
            subject_id, tenant, basis))

    async def record_accesses(self, actor: Actor,
                              reads: Sequence[tuple[str, str, str]]) -> None:
        """Log reads (tenant, operation, target) as one write, projected before returning."""
        if reads:
            await self._written(actor, lambda: self.log.record_accesses(actor.user_id, reads))

    async def place(self, actor: Actor, tenant: str, database: str) -> int:
        """Record where a new tenant's schema is created (a database away from home)."""
        return await self._written(actor, lambda: self.log.place(tenant, database))

    async def start_move(self, actor: Actor, tenant: str, home: str, target: str) -> int:
        """Record that a move began (the tenant is fenced from here until it ends)."""
        return await self._written(actor, lambda: self.log.start_move(tenant, home, target))

    async def finish_move(self, actor: Actor, tenant: str, events: int, head: bytes) -> int:
        """The switch: from the projection of this event on, the tenant is in the target."""
        return await self._written(actor, lambda: self.log.finish_move(tenant, events, head))

    async def abort_move(self, actor: Actor, tenant: str, reason: str) -> int:
        return await self._written(actor, lambda: self.log.abort_move(tenant, reason))

    async def record_access(self, actor: Actor, tenant: str, operation: str,
                            target: str) -> None:
        await self._written(actor, lambda: self.log.record_access(
            actor.user_id, tenant, operation, target))
