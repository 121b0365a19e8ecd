"""A checked upload kept between the import page's preview and its commit: for one person of
one tenant, for a while, a few at a time (services/http/uploads.py)."""

from __future__ import annotations

import hashlib
import uuid

import asyncpg
import pytest

from domain.errors import DomainError
from projections.registry import platform_ddl
from services.http import uploads
from services.imports import MAX_BYTES
from services.runtime import Runtime

pytestmark = pytest.mark.integration


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def test_a_kept_upload_is_given_back_to_the_person_who_checked_it_only(
        runtime: Runtime) -> None:
    tenant, me, other = f"t-{uuid.uuid4().hex[:8]}", "hr-1", "hr-2"
    data = b"Ma san pham,Vi tri viec lam\n"
    await uploads.keep(runtime.pool, tenant, me, _digest(data), "catalogue", "dm.csv", data)
    kept = await uploads.take(runtime.pool, tenant, me, _digest(data), "catalogue")
    assert (kept.name, kept.data) == ("dm.csv", data)
    for who, where, kind in ((other, tenant, "catalogue"), (me, "another-tenant", "catalogue"),
                             (me, tenant, "staff")):
        with pytest.raises(DomainError) as refused:
            await uploads.take(runtime.pool, where, who, _digest(data), kind)
        assert refused.value.code == "UPLOAD_EXPIRED"

    await uploads.forget(runtime.pool, tenant, me, _digest(data))
    with pytest.raises(DomainError):
        await uploads.take(runtime.pool, tenant, me, _digest(data), "catalogue")


async def test_an_upload_kept_too_long_is_refused(runtime: Runtime) -> None:
    tenant, data = f"t-{uuid.uuid4().hex[:8]}", b"old"
    await uploads.keep(runtime.pool, tenant, "hr", _digest(data), "staff", "a.csv", data)
    await runtime.pool.execute(
        "UPDATE platform.import_uploads SET kept_at = now() - $2::interval WHERE tenant = $1",
        tenant, uploads.KEPT_FOR)
    with pytest.raises(DomainError) as refused:
        await uploads.take(runtime.pool, tenant, "hr", _digest(data), "staff")
    assert refused.value.code == "UPLOAD_EXPIRED"
    assert "Không tìm thấy tệp đã kiểm tra" in refused.value.message_vi


async def test_a_person_keeps_only_their_latest_uploads(runtime: Runtime) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    files = [f"file {i}".encode() for i in range(uploads.PER_PERSON + 2)]
    for data in files:
        await uploads.keep(runtime.pool, tenant, "hr", _digest(data), "staff", "f.csv", data)
    held = await runtime.pool.fetchval(
        "SELECT count(*) FROM platform.import_uploads WHERE tenant = $1", tenant)
    assert held == uploads.PER_PERSON
    kept = await uploads.take(runtime.pool, tenant, "hr", _digest(files[-1]), "staff")
    assert kept.data == files[-1]
    with pytest.raises(DomainError):
        await uploads.take(runtime.pool, tenant, "hr", _digest(files[0]), "staff")


async def test_the_database_refuses_a_kept_upload_over_the_import_limit(runtime: Runtime) -> None:
    """The table's own bound is the import's limit (the DDL is plain SQL, so it spells the
    number): a sheet the import would refuse can never be kept either."""
    assert f"octet_length(data) <= {MAX_BYTES})" in platform_ddl()
    with pytest.raises(asyncpg.CheckViolationError):
        await uploads.keep(runtime.pool, "ward-x", "someone", "a" * 64, "staff", "big.xlsx",
                           b"x" * (MAX_BYTES + 1))
    await uploads.keep(runtime.pool, "ward-x", "someone", "b" * 64, "staff", "fits.xlsx",
                       b"x" * MAX_BYTES)
