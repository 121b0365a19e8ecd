"""Hostile documents and requests against the real app over HTTP: each is refused with a
clear code, nothing is written, and nothing internal leaks."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest

from services.runtime import Runtime
from services.settings import Settings
from tests.conftest import TenantFactory
from tests.support.gql import data, gql, token_for
from tests.support.keyserver import KeyServer, key_server, provider_token
from tests.support.operations import OPERATIONS, operation
from tests.support.org import StaffedTenant
from tests.support.readmodels import event_count
from tests.support.servers import app_with

pytestmark = pytest.mark.e2e


def codes(body: dict[str, Any]) -> set[str]:
    return {(e.get("extensions") or {}).get("code", repr(e)) for e in body.get("errors") or []}


async def post(http: httpx.AsyncClient, token: str | None, payload: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await http.post("/graphql", json=payload, headers=headers)


@pytest.fixture
def me(settings: Settings) -> str:
    return token_for(settings, "no-matter", uuid.uuid4(), "hr_officer")


RATING = "staffId staffName level score reasons decidedBy year month status selfScore"
ATTACKS = {
    "deep nesting": ("{ me { a { b { c { d { e { f { g { h { i } } } } } } } } } }",
                     "DEPTH_LIMIT"),
    "alias bomb": ("{ " + " ".join(f"a{i}: me {{ userId }}" for i in range(200)) + " }",
                   "ALIAS_LIMIT"),
    "fragment amplification": (
        "query { " + " ".join(f"u{i}: me {{ ...F }}" for i in range(10)) + " } "
        "fragment F on Me { " + " ".join(f"x{j}: userId" for j in range(10)) + " }",
        "ALIAS_LIMIT"),
    "fragment cycle": ("query { me { ...A } } fragment A on Me { ...B } "
                       "fragment B on Me { ...A }", "FRAGMENT_CYCLE"),
    "token flood": ("{ me { " + "userId " * 3000 + "} }", "TOKEN_LIMIT"),
    "costly lists": ("{ " + " ".join(
        f'r{i}: unitRatings(unitId: "{uuid.UUID(int=i)}", year: 2026, month: 1) '
        f'{{ edges {{ node {{ {RATING} }} }} }}'
        for i in range(29)) + " }", "COST_LIMIT"),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
async def test_hostile_documents_are_refused_with_a_clear_code(
        http: httpx.AsyncClient, me: str, attack: str) -> None:
    document, code = ATTACKS[attack]
    started = time.monotonic()
    response = await post(http, me, {"query": document})
    assert response.status_code == 200
    body = response.json()
    assert code in codes(body), body
    assert body.get("data") is None
    assert time.monotonic() - started < 5  # refused before any work
    # Valid documents are validated once; a refused one is refused every time.
    again = (await post(http, me, {"query": document})).json()
    assert code in codes(again), (body, again)
    assert again.get("data") is None


async def test_a_remembered_document_still_answers_each_request_on_its_own(
    http: httpx.AsyncClient, settings: Settings, new_tenant: TenantFactory,
) -> None:
    # A document that passed is parsed and validated once, then shared by every request
    # that sends the same text: each caller still gets their own answer, and variables are
    # still checked every time.
    document = "query Mine($show: Boolean!) { me { userId roles @include(if: $show) } }"
    tenant = await new_tenant()
    users = [uuid.uuid4() for _ in range(3)]
    for i, user in enumerate(users * 2):
        token = token_for(settings, tenant.slug, user, "hr_officer")
        show = i % 2 == 0
        body = (await post(http, token, {"query": document, "variables": {"show": show}})).json()
        assert body.get("data") == {"me": {"userId": str(user), **(
            {"roles": ["hr_officer"]} if show else {})}}, body
        missing = (await post(http, token, {"query": document})).json()
        assert missing.get("data") is None, missing
        assert missing["errors"], missing


async def test_batched_operations_are_refused(http: httpx.AsyncClient, me: str) -> None:
    response = await post(http, me, [{"query": "{ me { userId } }"}] * 50)
    assert response.status_code == 400
    assert codes(response.json()) == {"BATCH_NOT_SUPPORTED"}


async def test_huge_bodies_are_refused_before_parsing(http: httpx.AsyncClient, me: str) -> None:
    big = {"query": "{ me { userId } }", "variables": {"x": "a" * 200_000}}
    response = await post(http, me, big)
    assert response.status_code == 413
    assert codes(response.json()) == {"REQUEST_TOO_LARGE"}
    # Streamed without a Content-Length, too.

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b" " * 4096

    response = await http.post("/graphql", content=chunks(),
                               headers={"Authorization": f"Bearer {me}",
                                        "Content-Type": "application/json"})
    assert response.status_code == 413


SUBMIT = ("mutation($p: ID!, $t: [TaskResultInput!]!) { submitSelfAssessment(input: "
          "{periodId: $p, score: 80, tasks: $t}) { position } }")
TASK_LIMIT = 100  # tasks in one self-assessment (services/gql/inputs.py MAX_TASKS)


async def test_huge_input_lists_are_refused(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    # A real tenant, a real open period and a staff member who may self-assess in it, so
    # the list limit — not the token or the period — is what refuses the request.
    tenant, org = await staffed_tenant(members=1)
    hr = token_for(settings, tenant.slug, org.hr, "hr_officer")
    staff = token_for(settings, tenant.slug, org.members[0], "staff")
    period = data(await gql(http, hr, operation("OpenPeriod"),
                            {"unit": str(org.unit), "year": 2026, "month": 3}))["openPeriod"]
    async with runtime.pool.acquire() as conn:
        before = await event_count(conn, tenant.schema)
    task = {"title": "Báo cáo tháng", "onTime": True}
    body = (await post(http, staff, {"query": SUBMIT, "variables": {
        "p": period["id"], "t": [task] * (TASK_LIMIT + 1)}})).json()
    assert codes(body) == {"INVALID_INPUT"}, body
    extensions = body["errors"][0]["extensions"]
    assert extensions["messageEn"] == f"At most {TASK_LIMIT} tasks."
    assert extensions["messageVi"] == f"Tối đa {TASK_LIMIT} nhiệm vụ trong một phiếu."
    async with runtime.pool.acquire() as conn:
        assert await event_count(conn, tenant.schema) == before  # nothing written
    # The limit itself is accepted: the refusal above was the list's length, nothing else.
    accepted = await gql(http, staff, SUBMIT, {"p": period["id"], "t": [task] * TASK_LIMIT})
    assert data(accepted)["submitSelfAssessment"]["position"] > 0


def _forged(settings: Settings) -> dict[str, str]:
    now = int(time.time())
    base = {"sub": "u", "tenant": "t", "roles": ["hr_officer"], "iss": settings.jwt_issuer,
            "aud": settings.jwt_audience, "iat": now, "exp": now + 60}
    secret = settings.jwt_secret or ""
    return {
        "forged": jwt.encode(base, "not-the-key-" + "z" * 32, algorithm="HS256"),
        "expired": jwt.encode({**base, "iat": now - 7200, "exp": now - 3600}, secret,
                              algorithm="HS256"),
        "alg none": jwt.encode(base, None, algorithm="none"),
        "other issuer": jwt.encode({**base, "iss": "https://evil.example"}, secret,
                                   algorithm="HS256"),
        "other audience": jwt.encode({**base, "aud": "other"}, secret, algorithm="HS256"),
        "garbage": "a.b.c",
    }


@pytest.mark.parametrize("kind", ["forged", "expired", "alg none", "other issuer",
                                  "other audience", "garbage"])
async def test_bad_tokens_are_refused(http: httpx.AsyncClient, settings: Settings,
                                      kind: str) -> None:
    body = (await post(http, _forged(settings)[kind], {"query": "{ me { userId } }"})).json()
    assert codes(body) == {"UNAUTHENTICATED"}
    assert body["errors"][0]["extensions"]["messageEn"]


async def test_unexpected_errors_are_masked_with_the_request_id(
        http: httpx.AsyncClient, settings: Settings, runtime: Runtime) -> None:
    # A tenant registered without its schema: reading it fails inside PostgreSQL.
    slug = f"ghost-{uuid.uuid4().hex[:8]}"
    await runtime.pool.execute(
        "INSERT INTO platform.tenants (slug, name, kind, schema_name) VALUES ($1, $1, 'ward', $2)",
        slug, f"t_{slug.replace('-', '_')}")
    token = token_for(settings, slug, uuid.uuid4(), "hr_officer")
    try:
        response = await http.post("/graphql",
                                   json={"query": "{ units { edges { node { id } } } }"},
                                   headers={"Authorization": f"Bearer {token}",
                                            "X-Request-Id": "req-mask-123"})
    finally:
        await runtime.pool.execute("DELETE FROM platform.tenants WHERE slug = $1", slug)
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-mask-123"
    error = response.json()["errors"][0]
    assert error["extensions"] == {
        "code": "INTERNAL", "requestId": "req-mask-123",
        "messageVi": "Lỗi hệ thống, vui lòng thử lại sau (mã yêu cầu req-mask-123).",
        "messageEn": "Internal error (request id req-mask-123)."}
    for secret in ("Traceback", "relation", "role", "ct_read", "asyncpg", slug.replace("-", "_")):
        assert secret not in response.text


async def test_production_mode_hides_the_schema(settings: Settings) -> None:
    with key_server() as idp:
        await _schema_hidden(settings, idp)


async def _schema_hidden(settings: Settings, idp: KeyServer) -> None:
    async with app_with(settings, **idp.production()) as http:
        token = provider_token(settings, "no-matter", uuid.uuid4(), "hr_officer")
        body = (await post(http, token, {"query": "{ __schema { types { name } } }"})).json()
        assert "INTROSPECTION_DISABLED" in codes(body)
        body = (await post(http, token, {"query": "{ unitz { id } }"})).json()
        assert "Did you mean" not in json.dumps(body)
        page = await http.get("/graphql", headers={"Accept": "text/html"})
        assert "graphiql" not in page.text.lower()


async def test_development_mode_serves_graphiql(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert "graphiql" in page.text.lower()


async def test_rate_limits_per_user_and_per_tenant(settings: Settings) -> None:
    async with app_with(settings, rate_per_user=4, rate_per_tenant=6) as http:
        a, b, c = (token_for(settings, tenant, uuid.uuid4(), "staff")
                   for tenant in ("ward-a", "ward-a", "ward-c"))
        query = {"query": "{ __typename }"}
        assert [(await post(http, a, query)).status_code for _ in range(5)] == [200] * 4 + [429]
        refused = await post(http, a, query)
        assert codes(refused.json()) == {"RATE_LIMITED"}
        assert refused.headers["retry-after"] == "60"
        # b has its own user bucket, but the tenant's (6) has only 2 left after a's 4.
        assert [(await post(http, b, query)).status_code for _ in range(3)] == [200, 200, 429]
        assert (await post(http, c, query)).status_code == 200  # other wards are not starved


async def test_persisted_only_mode_runs_registered_operations_only(settings: Settings) -> None:
    async with app_with(settings, persisted_only=True) as http:
        token = token_for(settings, "no-matter", uuid.uuid4(), "hr_officer")
        free = await post(http, token, {"query": "{ me { userId } }"})
        assert free.status_code == 400
        assert codes(free.json()) == {"PERSISTED_QUERY_REQUIRED"}
        unknown = await post(http, token, {"extensions": {"persistedQuery": {
            "version": 1, "sha256Hash": "0" * 64}}})
        assert codes(unknown.json()) == {"PERSISTED_QUERY_NOT_FOUND"}
        text = (OPERATIONS / "RatingHistory.graphql").read_text(encoding="utf-8")
        known = await post(http, token, {
            "variables": {"staff": str(uuid.uuid4())},
            "extensions": {"persistedQuery": {"version": 1,
                                              "sha256Hash": hashlib.sha256(
                                                  text.encode()).hexdigest()}}})
        assert known.status_code == 200
        # The registered document ran: errors (if any) are about the token's tenant, not
        # about the request's shape.
        assert not codes(known.json()) & {"PERSISTED_QUERY_REQUIRED", "GRAPHQL_PARSE_FAILED"}
