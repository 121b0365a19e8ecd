"""Auditors over real HTTP: only with a grant, every read logged, history from the log."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from uuid import uuid4

import httpx
import pytest

from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.conftest import TenantFactory
from tests.e2e.conftest import Staffing
from tests.e2e.test_live_board import receive, socket
from tests.support.auditors import ADMIN, granted_auditor
from tests.support.gql import data, error_code, gql, nodes, token_for
from tests.support.operations import operation
from tests.support.org import Org

pytestmark = pytest.mark.e2e

HISTORY = operation("AuditHistory")
VERIFY = operation("AuditVerify")


async def _accesses(runtime: Runtime, user: str) -> list[tuple[str, str, str]]:
    rows = await runtime.pool.fetch(
        "SELECT tenant, operation, target FROM platform.access_log WHERE user_id = $1 "
        "ORDER BY position", user)
    return [(r["tenant"], r["operation"], r["target"]) for r in rows]


async def test_an_auditor_without_a_grant_sees_nothing(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime,
    new_tenant: TenantFactory, staffed: Staffing,
) -> None:
    tenant, org, _ = await staffed(members=2)
    user = f"inspector-{uuid4().hex[:8]}"
    token = token_for(settings, tenant.slug, user, "auditor")
    body = await gql(http, token, HISTORY, {"subject": "PERSON", "id": str(org.members[0])})
    assert error_code(body) == "FORBIDDEN"
    assert body["data"] is None
    assert error_code(await gql(http, token, VERIFY)) == "FORBIDDEN"
    # A grant on another tenant does not help either.
    other = await new_tenant()
    await runtime.platform.grant(ADMIN, user, other.slug, "auditor")
    assert error_code(await gql(http, token, HISTORY, {
        "subject": "PERSON", "id": str(org.members[0])})) == "FORBIDDEN"
    assert await _accesses(runtime, user) == []


async def test_a_granted_auditor_reads_history_and_each_read_is_logged(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    tenant = await new_tenant()
    org = await org_in(tenant, members=2)
    user, token = await granted_auditor(runtime, settings, tenant)
    person = str(org.members[0])
    events = nodes(data(await gql(http, token, HISTORY, {"subject": "PERSON",
                                                         "id": person}))["auditHistory"])
    assert events[0]["aggregateType"] == "StaffMember"
    assert events[0]["event"] == "Registered"
    assert events[0]["actor"] == "test-hr"
    assert events[0]["capacity"] == "hr_officer"
    assert events[0]["data"]["full_name"] == "Lê Văn Thành Viên 00"
    chain = data(await gql(http, token, VERIFY))
    assert chain["auditVerify"]["ok"] is True
    assert chain["auditVerify"]["checkpointsKept"] is True
    # (the two fields of AuditVerify resolve concurrently: their order is not fixed)
    assert sorted(await _accesses(runtime, user)) == sorted([
        (tenant.slug, "history:person", person), (tenant.slug, "verify", "chain"),
        (tenant.slug, "checkpoints", "chain")])


async def test_the_auditor_role_is_required_even_with_a_grant(
    http: httpx.AsyncClient, staffed: Staffing,
) -> None:
    _, org, token = await staffed(members=1)  # the HR officer's
    assert error_code(await gql(http, token, HISTORY, {
        "subject": "UNIT", "id": str(org.unit)})) == "FORBIDDEN"


async def test_a_malformed_id_is_refused_with_a_clear_code(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime,
    new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    tenant = await new_tenant()
    _user, token = await granted_auditor(runtime, settings, tenant)
    assert error_code(await gql(http, token, HISTORY, {"subject": "PERSON", "id": "x"})) \
        == "INVALID_INPUT"


async def test_a_month_board_as_of_a_position_over_http(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed: Staffing,
) -> None:
    tenant, org, hr = await staffed(members=2)
    before_opening = await runtime.pool.fetchval(
        f"SELECT max(notification_id) FROM {tenant.schema}.evaluations_events")
    opened = data(await gql(http, hr, operation("OpenPeriod"), {
        "unit": str(org.unit), "year": 2026, "month": 4}))["openPeriod"]
    _user, token = await granted_auditor(runtime, settings, tenant)
    query = operation("AuditUnitBoardAsOf")
    before = data(await gql(http, token, query, {
        "unit": str(org.unit), "year": 2026, "month": 4,
        "asOf": str(before_opening)}))["auditUnitBoardAsOf"]
    assert before["period"] is None
    assert before["ratings"] == []
    after = data(await gql(http, token, query, {
        "unit": str(org.unit), "year": 2026, "month": 4,
        "asOf": str(opened["position"])}))["auditUnitBoardAsOf"]
    assert after["period"]["status"] == "open"
    assert {r["staffId"] for r in after["ratings"]} >= {str(m) for m in org.members}
    assert all(r["status"] == "pending" for r in after["ratings"])


async def test_an_auditors_live_watches_are_logged_like_their_reads(
    server: str, settings: Settings, runtime: Runtime, staffed: Staffing,
) -> None:
    tenant, org, _ = await staffed(members=1)
    user, token = await granted_auditor(runtime, settings, tenant)
    board = ("subscription($u: ID!) { unitBoard(unitId: $u, year: 2026, month: 8) "
             "{ month } }")
    for query, variables in ((board, {"u": str(org.unit)}),
                             ("subscription { myResults { level } }", {})):
        async with socket(server, token) as ws:
            assert (await receive(ws))["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                      "payload": {"query": query, "variables": variables}}))
            assert "payload" in await receive(ws)
    assert await _accesses(runtime, user) == [
        (tenant.slug, "unitBoard (live)", f"{org.unit}/2026-08"),
        (tenant.slug, "myResults (live)", user)]
