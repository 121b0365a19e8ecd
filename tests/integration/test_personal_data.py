"""Crypto-erasure: personal fields are sealed per person; erasing the key makes that person
unreadable in the log, read models, history and exports, while decisions and the chain stay."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from auditverify import verify_bundle
from domain.actor import Actor, acting_as
from domain.errors import DomainError
from domain.ids import PeriodId
from domain.levels import Level
from projections.runner import catch_up, lock_key
from services.app.commands import DecideRating, OpenPeriod, SubmitSelfAssessment
from services.audit.export import export
from services.audit.history import Subject, history
from services.audit.replay import replay_tenant
from services.http import uploads
from services.platform.erasure import erase_personal_data
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.store.integrity import verify
from storage.sealing import ERASED
from tests.support.org import Org
from tests.support.projection import holding

pytestmark = pytest.mark.integration

HR = Actor("hr-erasure", "hr_officer")
NAME = "Lê Văn Thành Viên 00"
REASONS = "Chậm nộp báo cáo do hoàn cảnh gia đình khó khăn"
NOTE = "Tôi đang điều trị bệnh dài ngày"
EVIDENCE = "Giấy ra viện số 123/BV"
OTHER_REASONS = "Hoàn thành tốt nhiệm vụ được giao"


async def _caught_up(runtime: Runtime, tenant: Tenant) -> None:
    async with holding(runtime, tenant) as conn:
        try:
            await catch_up(conn, tenant.schema)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", lock_key(tenant.schema))


async def _read_model_text(runtime: Runtime, tenant: Tenant) -> str:
    """Every row of every read model of the tenant, as text."""
    tables = await runtime.pool.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 "
        "AND table_name <> 'evaluations_events'", tenant.schema)
    parts = []
    for t in tables:
        parts.append(await runtime.pool.fetchval(
            f"SELECT coalesce(string_agg(r::text, E'\\n'), '') "
            f"FROM {tenant.schema}.{t['table_name']} r"))
    return "\n".join(parts)


async def _log_text(runtime: Runtime, tenant: Tenant) -> bytes:
    rows = await runtime.pool.fetch(f"SELECT state FROM {tenant.schema}.evaluations_events")
    return b"\n".join(bytes(r["state"]) for r in rows)


@pytest.fixture
async def decided(runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
                  org_in: Callable[..., Awaitable[Org]]) -> tuple[Tenant, Org, PeriodId]:
    tenant = await new_tenant()
    org = await org_in(tenant, members=3)
    service = runtime.service(tenant)
    person, other = org.members[0], org.members[1]

    def work() -> PeriodId:
        with acting_as(HR):
            period_id, _ = service.open_period(OpenPeriod(org.unit, 2026, 3))
        with acting_as(Actor(str(person), "staff")):
            service.submit_self_assessment(SubmitSelfAssessment(
                period_id, person, 95,
                [{"title": "Tiếp dân", "on_time": True, "evidence": EVIDENCE}], NOTE))
        with acting_as(Actor(str(org.leader), "unit_leader")):
            service.decide_rating(DecideRating(period_id, person, Level.C, 60, REASONS,
                                               str(org.leader)))
            service.decide_rating(DecideRating(period_id, other, Level.B, 80, OTHER_REASONS,
                                               str(org.leader)))
        return PeriodId(period_id)
    period_id = await anyio.to_thread.run_sync(work)
    await _caught_up(runtime, tenant)
    return tenant, org, period_id


async def _rating(runtime: Runtime, tenant: Tenant, staff: Any) -> Any:
    return await runtime.pool.fetchrow(
        f"SELECT r.level, r.score, r.reasons, r.decided_by, r.policy_version, s.full_name "
        f"FROM {tenant.schema}.rm_ratings r JOIN {tenant.schema}.rm_staff s USING (staff_id) "
        "WHERE r.staff_id = $1", staff)


async def test_personal_fields_never_reach_the_log_in_clear_and_keys_live_outside_it(
    runtime: Runtime, decided: tuple[Tenant, Org, PeriodId]) -> None:
    tenant, org, _ = decided
    log = await _log_text(runtime, tenant)
    for text in (NAME, REASONS, NOTE, EVIDENCE, OTHER_REASONS, "Nguyễn Văn Chủ"):
        assert text.encode() not in log, text
    assert b'"_sealed_"' in log
    # The decision record stays in clear: levels, scores, ids, policy version.
    assert b'"level":"C"' in log
    assert await runtime.pool.fetchval(
        "SELECT key IS NOT NULL FROM platform.personal_keys WHERE subject_id = $1",
        org.members[0])
    key_columns = await runtime.pool.fetchval(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = $1 "
        "AND column_name IN ('key', 'subject_key')", tenant.schema)
    assert key_columns == 0
    # Readers with the key see the text.
    rating = await _rating(runtime, tenant, org.members[0])
    assert (rating["full_name"], rating["reasons"]) == (NAME, REASONS)


async def test_erasure_makes_the_person_unreadable_everywhere_and_keeps_the_record(
    runtime: Runtime, decided: tuple[Tenant, Org, PeriodId], tmp_path: Path) -> None:
    tenant, org, _ = decided
    person, other = org.members[0], org.members[1]
    before = await _rating(runtime, tenant, person)
    head_before = (await verify(runtime.pool, tenant.schema)).head
    log_before = await _log_text(runtime, tenant)

    done = await erase_personal_data(runtime, HR, tenant, person,
                                     "Đơn yêu cầu ngày 20/11/2026, Nghị định 13/2023 điều 16")
    assert done.tenants == (tenant.slug,)

    # The log is byte for byte what it was: the chain verifies to the same head.
    assert await _log_text(runtime, tenant) == log_before
    result = await verify(runtime.pool, tenant.schema)
    assert result.ok
    assert result.head == head_before
    # The key is gone; the erasure is recorded (who, when, on what basis).
    erased = await runtime.pool.fetchrow(
        "SELECT key, erased_by, basis, erasure_position FROM platform.personal_keys "
        "WHERE subject_id = $1", person)
    assert erased["key"] is None
    assert erased["erased_by"] == HR.user_id
    assert "Nghị định 13/2023" in erased["basis"]
    recorded = await runtime.pool.fetchval(
        "SELECT count(*) FROM platform.platform_events WHERE topic = "
        "'domain.platform:PersonalDataErasure.Erased' AND notification_id = $1", done.position)
    assert recorded == 1

    # Read models: the person's texts show the erased marker, the decision is intact.
    after = await _rating(runtime, tenant, person)
    assert (after["full_name"], after["reasons"]) == (ERASED, ERASED)
    assert (after["level"], after["score"], after["decided_by"], after["policy_version"]) == (
        before["level"], before["score"], before["decided_by"], before["policy_version"])
    everything = await _read_model_text(runtime, tenant)
    for text in (NAME, REASONS, NOTE, EVIDENCE):
        assert text not in everything, text
    # Nobody else is touched.
    assert (await _rating(runtime, tenant, other))["reasons"] == OTHER_REASONS

    # History from the log: the events are all there, their personal texts erased.
    async with runtime.pool.acquire() as conn:
        entries = await history(conn, tenant.schema, Subject.PERSON, str(person))
    decision = next(e for e in entries if e.event == "RatingDecided")
    assert decision.reasons == ERASED
    assert decision.data["level"] == "C"
    assessed = next(e for e in entries if e.event == "SelfAssessmentSubmitted")
    assert assessed.data["note"] == ERASED
    assert assessed.data["tasks"][0]["evidence"] == ERASED

    # An export carries no readable personal data and still verifies, standalone.
    async with runtime.pool.acquire() as conn:
        bundle = await export(conn, tenant, tmp_path / "bundle")
    exported = (bundle.path / "events.jsonl").read_bytes()
    for text in (NAME, REASONS, NOTE, EVIDENCE):
        assert text.encode() not in exported, text
    assert verify_bundle(bundle.path).ok
    run = await anyio.run_process([sys.executable, "-S", "-E", "-m", "auditverify", "."],
                                  cwd=bundle.path, check=False)
    assert run.returncode == 0, run.stderr

    # Replay through the domain and projections equals live after the erasure.
    comparison = await replay_tenant(runtime.pool, tenant.schema)
    assert comparison.equal, comparison.difference


async def test_nothing_new_can_be_written_about_an_erased_person(
    runtime: Runtime, decided: tuple[Tenant, Org, PeriodId]) -> None:
    tenant, org, _ = decided
    person, third = org.members[0], org.members[2]
    await erase_personal_data(runtime, HR, tenant, person, "Quyết định số 5/QĐ")
    service = runtime.service(tenant)
    head = await runtime.pool.fetchval(
        f"SELECT max(notification_id) FROM {tenant.schema}.evaluations_events")

    def open_april() -> Any:
        with acting_as(HR):
            return service.open_period(OpenPeriod(org.unit, 2026, 4))[0]
    april = await anyio.to_thread.run_sync(open_april)
    head = await runtime.pool.fetchval(
        f"SELECT max(notification_id) FROM {tenant.schema}.evaluations_events")

    def decide(staff: Any, reasons: str) -> None:
        with acting_as(Actor(str(org.leader), "unit_leader")):
            service.decide_rating(DecideRating(april, staff, Level.B, 80, reasons,
                                               str(org.leader)))
    with pytest.raises(DomainError) as refused:
        await anyio.to_thread.run_sync(decide, person, "Lý do mới")
    assert refused.value.code == "PERSONAL_DATA_ERASED"
    assert await runtime.pool.fetchval(
        f"SELECT max(notification_id) FROM {tenant.schema}.evaluations_events") == head
    # Others go on as before (the cached applications were dropped, not broken).
    await anyio.to_thread.run_sync(decide, third, "Hoàn thành nhiệm vụ")


async def test_erasure_is_refused_without_basis_for_strangers_and_twice(
    runtime: Runtime, decided: tuple[Tenant, Org, PeriodId],
    new_tenant: Callable[..., Awaitable[Tenant]]) -> None:
    tenant, org, _ = decided
    person = org.members[0]
    events = "SELECT count(*) FROM platform.platform_events"
    written = await runtime.pool.fetchval(events)
    with pytest.raises(DomainError) as no_basis:
        await erase_personal_data(runtime, HR, tenant, person, "   ")
    assert no_basis.value.code == "ERASURE_BASIS_REQUIRED"
    elsewhere = await new_tenant()
    with pytest.raises(DomainError) as stranger:
        await erase_personal_data(runtime, HR, elsewhere, person, "Đơn yêu cầu")
    assert stranger.value.code == "NOT_FOUND"
    assert await runtime.pool.fetchval(events) == written
    assert await runtime.pool.fetchval(
        "SELECT key IS NOT NULL FROM platform.personal_keys WHERE subject_id = $1", person)
    await erase_personal_data(runtime, HR, tenant, person, "Đơn yêu cầu")
    with pytest.raises(DomainError) as twice:
        await erase_personal_data(runtime, HR, tenant, person, "Đơn yêu cầu")
    assert twice.value.code == "ALREADY_ERASED"


async def test_erasure_forgets_the_address_and_the_kept_sheets_beside_the_log(
    runtime: Runtime, decided: tuple[Tenant, Org, PeriodId]) -> None:
    tenant, org, _ = decided
    person, other = org.members[0], org.members[1]
    for who, email in ((person, "nguoi.xoa@phuong.gov.vn"), (other, "nguoi.khac@phuong.gov.vn")):
        await runtime.pool.execute(
            "INSERT INTO platform.staff_contacts (tenant, staff_id, email) VALUES ($1, $2, $3)",
            tenant.slug, who, email)
        await runtime.pool.execute(
            "INSERT INTO platform.reminders_sent (tenant, person, step, due_on, claimed_by, "
            "email, sent_at) VALUES ($1, $2, 'self_assessment', '2026-04-05', 'a', $3, now())",
            tenant.slug, str(who), email)
    sheet = "Họ và tên\nNgười Sẽ Xoá\n".encode()
    await uploads.keep(runtime.pool, tenant.slug, "hr-erasure", hashlib.sha256(sheet).hexdigest(),
                       "staff", "ds.csv", sheet)

    await erase_personal_data(runtime, HR, tenant, person, "Quyết định số 7/QĐ")

    contacts = await runtime.pool.fetch(
        "SELECT staff_id FROM platform.staff_contacts WHERE tenant = $1", tenant.slug)
    assert [r["staff_id"] for r in contacts] == [other]
    sent = {r["person"]: r["email"] for r in await runtime.pool.fetch(
        "SELECT person, email FROM platform.reminders_sent WHERE tenant = $1", tenant.slug)}
    assert sent == {str(person): None, str(other): "nguoi.khac@phuong.gov.vn"}
    assert await runtime.pool.fetchval(
        "SELECT count(*) FROM platform.import_uploads WHERE tenant = $1", tenant.slug) == 0
