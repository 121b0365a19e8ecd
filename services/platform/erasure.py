"""Erasing a person's personal data by erasing their key (crypto-erasure).

Personal fields are sealed per person in the log (storage/sealing.py); the log itself
never changes, so its hash chain, checkpoints and exported bundles stay valid. Erasing:

1. checks the basis and that the person is on this tenant's staff;
2. records ``PersonalDataErasure.Erased`` in the platform log (who, in what capacity, whose,
   when, on what basis) — projecting that event deletes the key, in the same transaction;
3. drops every cached key and aggregate of this process that might still hold the text;
4. rebuilds the read models of every tenant that sealed data with that key, beside the live
   ones (projections/rebuild.py), so dashboards show ``ERASED`` instead of the text.

Who may erase (personal data law: the controller of a person's data is the tenant they
work, or worked, for; one key seals their data in every tenant that holds any):

- an ``hr_officer`` of a tenant the person is, or was, on the staff of — when the key
  sealed data in that tenant alone, or when the officer also holds ``hr_officer`` over
  the whole of every other tenant it reaches (a grant in the platform log: a role claimed
  in a token reaches its own tenant only). Otherwise the erasure would reach controllers
  that did not decide it: refused with ``ERASURE_BEYOND_TENANT``, nothing written;
- a ``platform_admin`` (the operators' ``congtam erase`` acts as one), in every tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import structlog
from eventsourcing.persistence import IntegrityError

from domain.actor import Actor
from domain.errors import AlreadyExistsError, DomainError, NotFoundError, ValidationFailedError
from projections.rebuild import swap_rebuild
from services.platform.grants import grants_in
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.store.personal_keys import CACHE

log = structlog.get_logger()

ERASERS = ("hr_officer", "platform_admin")
STAFF_REGISTERED = "domain.organisation:StaffMember.Registered"


class AlreadyErasedError(AlreadyExistsError):
    code = "ALREADY_ERASED"


class ErasureBasisRequiredError(ValidationFailedError):
    code = "ERASURE_BASIS_REQUIRED"


class ErasureBeyondTenantError(DomainError):
    """The person's data is also held by a tenant whose HR the eraser is not: a platform
    administrator erases it."""

    code = "ERASURE_BEYOND_TENANT"


@dataclass(frozen=True)
class Erasure:
    subject_id: UUID
    position: int  # of the Erased event in the platform log
    tenants: tuple[str, ...]  # whose read models were rebuilt


async def erase_personal_data(rt: Runtime, actor: Actor, tenant: Tenant, subject_id: UUID,
                              basis: str) -> Erasure:
    """Erase ``subject_id``'s personal data everywhere, keeping the decision record."""
    basis = basis.strip()
    if not basis:
        raise ErasureBasisRequiredError(
            "Cần ghi căn cứ xoá dữ liệu cá nhân (đơn yêu cầu, quyết định…).",
            "An erasure needs its basis (the request, the decision…).")
    known = await rt.pool_of(tenant).fetchval(
        f"SELECT 1 FROM {tenant.schema}.evaluations_events WHERE originator_id = $1 "
        "AND originator_version = 1 AND topic = $2", subject_id, STAFF_REGISTERED)
    async with rt.pool.acquire() as conn:  # keys are in the home database
        if not known:
            raise NotFoundError(
                "Không tìm thấy cán bộ này trong đơn vị.",
                "No such staff member in this tenant.")
        erased = await conn.fetchval(
            "SELECT erased_at FROM platform.personal_keys WHERE subject_id = $1", subject_id)
        if erased is not None:
            raise AlreadyErasedError(
                f"Dữ liệu cá nhân của người này đã được xoá lúc {erased:%d/%m/%Y %H:%M}.",
                f"This person's personal data was already erased at {erased.isoformat()}.")
    await _reaches_only_granted_tenants(rt, actor, tenant, subject_id)
    try:
        position = await rt.platform.record_erasure(actor, subject_id, tenant.slug, basis)
    except IntegrityError:  # a concurrent erasure of the same person won the race
        raise AlreadyErasedError("Dữ liệu cá nhân của người này đã được xoá.",
                                 "This person's personal data was already erased.") from None
    async with rt.pool.acquire() as conn:
        # Reclaim the dead row version still holding the key bytes (backups: see README).
        await conn.execute("VACUUM platform.personal_keys")
        used = await conn.fetch(
            "SELECT tenant FROM platform.personal_key_tenants WHERE subject_id = $1", subject_id)
    CACHE.evict(subject_id)
    rt.apps.forget()
    slugs = sorted({tenant.slug, *(r["tenant"] for r in used)})
    async with rt.pool.acquire() as conn:
        await _forget_outside_the_log(conn, subject_id, slugs)
    for slug in slugs:
        affected = await rt.registry.get(slug)
        async with rt.pool_of(affected).acquire() as conn:
            await swap_rebuild(conn, affected.schema, keys=rt.keys_for(affected))
    log.info("personal_data_erased", subject_id=str(subject_id), position=position,
             tenants=slugs)
    return Erasure(subject_id, position, tuple(slugs))


async def _reaches_only_granted_tenants(rt: Runtime, actor: Actor, tenant: Tenant,
                                        subject_id: UUID) -> None:
    """An officer's erasure reaches beyond their own tenant only where they are HR officer
    of the whole tenant too (by grant); a platform admin's reaches everywhere."""
    if actor.capacity == "platform_admin":
        return
    rows = await rt.pool.fetch(
        "SELECT tenant FROM platform.personal_key_tenants WHERE subject_id = $1", subject_id)
    lacking = [slug for slug in sorted({r["tenant"] for r in rows} - {tenant.slug})
               if not any(g.role == "hr_officer" and g.unit_scope is None
                          for g in await grants_in(rt.pool, actor.user_id, slug))]
    if lacking:
        # The other tenants are not named: which ones hold the person is theirs to say.
        raise ErasureBeyondTenantError(
            "Người này còn có dữ liệu cá nhân ở địa phương khác mà ông/bà không phụ trách "
            "nhân sự; việc xoá cần quản trị nền tảng thực hiện.",
            "This person's personal data is also held by another tenant you are not HR "
            "officer of: the erasure needs a platform administrator.")


async def _forget_outside_the_log(conn: Any, subject_id: UUID, slugs: list[str]) -> None:
    """What the platform keeps about a person beside the log goes too: their address for
    reminders, the address a sent reminder recorded (the record of the reminder stays), and
    the checked sheets an import page keeps for its commit — they may hold the person's name,
    so every kept upload of the tenants the person was in is dropped (they are short-lived:
    the officer uploads again)."""
    await conn.execute("DELETE FROM platform.staff_contacts WHERE staff_id = $1", subject_id)
    await conn.execute("UPDATE platform.reminders_sent SET email = NULL "
                       "WHERE person = $1 AND email IS NOT NULL", str(subject_id))
    await conn.execute("DELETE FROM platform.import_uploads WHERE tenant = ANY($1)", slugs)
