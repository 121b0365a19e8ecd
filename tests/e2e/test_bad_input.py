"""Bad input gets a stable code and a clear message, and nothing is written."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable
from typing import Any

import httpx
import jwt
import pytest

from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.conftest import OpenedMonthFactory
from tests.e2e.conftest import events_in
from tests.e2e.test_rating_workflow import DECIDE, MARCH, OPEN, SELF
from tests.support.gql import data, error_code, gql, token_for

pytestmark = pytest.mark.e2e


@pytest.fixture
async def ward(runtime: Runtime, settings: Settings, http: httpx.AsyncClient,
               opened_month: OpenedMonthFactory) -> dict[str, Any]:
    month = await opened_month(members=3)
    tenant, org, hr, period = month.tenant, month.org, month.hr, month.period
    return {"tenant": tenant, "org": org, "hr": hr, "period": period}


async def _unchanged(runtime: Runtime, tenant: Tenant, call: Awaitable[dict[str, Any]]
                     ) -> dict[str, Any]:
    before = await events_in(runtime, tenant)
    body = await call
    assert await events_in(runtime, tenant) == before, "something was written"
    assert body["errors"][0]["message"], body
    assert body["errors"][0]["extensions"]["messageEn"], body
    assert "Traceback" not in str(body)
    return body


def _expired_or_forged(settings: Settings, tenant: str, user: str) -> dict[str, str]:
    now = int(time.time())
    claims = {"sub": user, "tenant": tenant, "roles": ["hr_officer"], "iss": settings.jwt_issuer,
              "aud": settings.jwt_audience, "iat": now - 7200, "exp": now - 3600}
    fresh = {**claims, "iat": now, "exp": now + 600}
    return {
        "expired": jwt.encode(claims, settings.jwt_secret or "", algorithm="HS256"),
        "forged": jwt.encode(fresh, "not-the-key-" + "y" * 32, algorithm="HS256"),
        "other issuer": jwt.encode({**fresh, "iss": "evil"}, settings.jwt_secret or "",
                                   algorithm="HS256"),
        "alg none": jwt.encode(fresh, None, algorithm="none"),  # type: ignore[arg-type]
        "garbage": "not.a.token",
    }


@pytest.mark.parametrize("kind", ["expired", "forged", "other issuer", "alg none", "garbage"])
async def test_bad_tokens_are_refused_and_write_nothing(
    runtime: Runtime, settings: Settings, http: httpx.AsyncClient, ward: dict[str, Any],
    kind: str,
) -> None:
    tenant, org = ward["tenant"], ward["org"]
    bad = _expired_or_forged(settings, tenant.slug, str(org.hr))[kind]
    body = await _unchanged(runtime, tenant, gql(http, bad, OPEN,
                                                 {"unit": str(org.unit), "year": 2026, "month": 4}))
    assert error_code(body) == "UNAUTHENTICATED"


async def test_missing_token_is_refused(http: httpx.AsyncClient, ward: dict[str, Any],
                                        runtime: Runtime) -> None:
    body = await _unchanged(runtime, ward["tenant"], gql(http, None, "{ me { tenant } }"))
    assert error_code(body) == "UNAUTHENTICATED"


async def test_token_for_an_unknown_tenant_is_refused(
    http: httpx.AsyncClient, settings: Settings) -> None:
    token = token_for(settings, "no-such-ward", uuid.uuid4(), "hr_officer")
    assert error_code(await gql(http, token, "{ me { tenant } }")) == "UNKNOWN_TENANT"


async def test_self_assessment_for_a_closed_period_is_refused(
    runtime: Runtime, settings: Settings, http: httpx.AsyncClient, ward: dict[str, Any],
) -> None:
    tenant, org = ward["tenant"], ward["org"]
    data(await gql(http, ward["hr"], "mutation($p: ID!) { closePeriod(periodId: $p) { position } }",
                   {"p": ward["period"]}))
    me = token_for(settings, tenant.slug, org.members[0], "staff")
    body = await _unchanged(runtime, tenant, gql(http, me, SELF,
                                                 {"period": ward["period"], "score": 80}))
    assert error_code(body) == "PERIOD_CLOSED"


async def test_self_assessment_for_an_unknown_period_is_refused(
    runtime: Runtime, settings: Settings, http: httpx.AsyncClient, ward: dict[str, Any],
) -> None:
    me = token_for(settings, ward["tenant"].slug, ward["org"].members[0], "staff")
    for period in (str(uuid.uuid4()), "not-a-uuid"):
        body = await _unchanged(runtime, ward["tenant"], gql(http, me, SELF,
                                                             {"period": period, "score": 80}))
        assert error_code(body) == "NOT_FOUND"


async def test_rating_by_someone_who_is_not_the_units_leader_is_refused(
    runtime: Runtime, settings: Settings, http: httpx.AsyncClient, ward: dict[str, Any],
) -> None:
    tenant, org = ward["tenant"], ward["org"]
    args = {"period": ward["period"], "staff": str(org.members[0]), "level": "B", "score": 80,
            "reasons": ""}
    # A colleague holding the leader role elsewhere in the tenant is not competent here.
    other = token_for(settings, tenant.slug, org.members[1], "unit_leader")
    body = await _unchanged(runtime, tenant, gql(http, other, DECIDE, args))
    assert error_code(body) == "NOT_COMPETENT_LEADER"
    # A staff token cannot decide at all.
    staff = token_for(settings, tenant.slug, org.leader, "staff")
    body = await _unchanged(runtime, tenant, gql(http, staff, DECIDE, args))
    assert error_code(body) == "FORBIDDEN"
    # The leader cannot rate themselves.
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader")
    body = await _unchanged(runtime, tenant, gql(http, leader, DECIDE,
                                                 {**args, "staff": str(org.leader)}))
    assert error_code(body) == "SELF_RATING"


@pytest.mark.parametrize("score", [-5, 100.5, 1e9])
async def test_scores_outside_0_to_100_are_refused(
    runtime: Runtime, settings: Settings, http: httpx.AsyncClient, ward: dict[str, Any],
    score: float,
) -> None:
    tenant, org = ward["tenant"], ward["org"]
    me = token_for(settings, tenant.slug, org.members[0], "staff")
    body = await _unchanged(runtime, tenant, gql(http, me, SELF,
                                                 {"period": ward["period"], "score": score}))
    assert error_code(body) == "SCORE_OUT_OF_RANGE"
    leader = token_for(settings, tenant.slug, org.leader, "unit_leader")
    body = await _unchanged(runtime, tenant, gql(http, leader, DECIDE, {
        "period": ward["period"], "staff": str(org.members[0]), "level": "D", "score": score,
        "reasons": "x"}))
    assert error_code(body) == "SCORE_OUT_OF_RANGE"


async def test_opening_the_same_month_twice_is_refused(
    runtime: Runtime, http: httpx.AsyncClient, ward: dict[str, Any],
) -> None:
    body = await _unchanged(runtime, ward["tenant"], gql(http, ward["hr"], OPEN,
                                                         {"unit": str(ward["org"].unit), **MARCH}))
    assert error_code(body) == "PERIOD_ALREADY_OPEN"
