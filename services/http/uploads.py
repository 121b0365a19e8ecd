"""A checked upload kept between the import page's preview and its commit, keyed by the
file's SHA-256: the commit form carries the digest only, never the file.

**Where:** a platform table (``platform.import_uploads``), not the data directory: behind a
load balancer the commit may reach another replica than the preview did, and every replica
shares the database, not a disk. **Bounded:** an upload is kept for one person of one tenant
(another person's digest is unknown to them), for ``KEPT_FOR`` after its preview, at most
``PER_PERSON`` per person (the oldest go first), never over the import's own ``MAX_BYTES``;
each new preview sweeps what has expired. A staff sheet holds names: a person's erasure
drops every upload kept for the tenants the person was in (services/platform/erasure.py). A commit
names a digest this person previewed and
that has not expired, or it is refused (``UPLOAD_EXPIRED``) with nothing written; a
committed upload is forgotten.

**Read again at the commit:** the commit reads the kept bytes afresh, with the same checks
as the preview (the units a staff sheet names may have changed since), whichever replica it
reaches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from domain.errors import DomainError

KEPT_FOR = timedelta(minutes=30)
PER_PERSON = 3



class UploadExpiredError(DomainError):
    """The commit names no upload this person previewed, or one kept too long."""

    code = "UPLOAD_EXPIRED"


def _expired() -> UploadExpiredError:
    minutes = int(KEPT_FOR.total_seconds() // 60)
    return UploadExpiredError(
        f"Không tìm thấy tệp đã kiểm tra (không có, hoặc đã quá {minutes} phút); không có gì "
        "được ghi. Hãy tải tệp lên và kiểm tra lại.",
        f"The checked file is unknown or was kept over {minutes} minutes; nothing was "
        "written. Upload and check it again.")


@dataclass(frozen=True)
class Kept:
    name: str
    data: bytes


async def keep(pool: asyncpg.Pool, tenant: str, user: str, digest: str, kind: str, name: str,
               data: bytes) -> None:
    """Keep a previewed upload for the person's commit."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "DELETE FROM platform.import_uploads WHERE kept_at < now() - $1::interval",
            KEPT_FOR)
        await conn.execute(
            "INSERT INTO platform.import_uploads (tenant, user_id, digest, kind, name, data) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant, user_id, digest) DO UPDATE "
            "SET kind = $4, name = $5, data = $6, kept_at = now()",
            tenant, user, digest, kind, name, data)
        await conn.execute(
            "DELETE FROM platform.import_uploads WHERE tenant = $1 AND user_id = $2 AND "
            "digest NOT IN (SELECT digest FROM platform.import_uploads WHERE tenant = $1 "
            "AND user_id = $2 ORDER BY kept_at DESC, digest LIMIT $3)", tenant, user,
            PER_PERSON)


async def take(pool: asyncpg.Pool, tenant: str, user: str, digest: str, kind: str) -> Kept:
    """The upload this person previewed under ``digest``; ``UPLOAD_EXPIRED`` when there is
    none or it expired."""
    row = await pool.fetchrow(
        "SELECT name, data FROM platform.import_uploads WHERE tenant = $1 AND "
        "user_id = $2 AND digest = $3 AND kind = $4 AND kept_at >= now() - $5::interval",
        tenant, user, digest, kind, KEPT_FOR)
    if row is None:
        raise _expired()
    return Kept(row["name"], bytes(row["data"]))


async def forget(pool: asyncpg.Pool, tenant: str, user: str, digest: str) -> None:
    """A committed upload is not committed again from the page."""
    await pool.execute("DELETE FROM platform.import_uploads WHERE tenant = $1 AND "
                       "user_id = $2 AND digest = $3", tenant, user, digest)
