"""Production mode: a token's claims alone never grant anything. A role reaches a tenant only
through a grant recorded in the platform log; without one the caller sees nothing — a
stable ``FORBIDDEN`` that names no record — and writes nothing."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest

from domain.actor import Actor
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings, SettingsError, load_settings
from tests.support.gql import data, gql, token_for
from tests.support.keyserver import KeyServer, key_server, provider_token
from tests.support.org import Org, StaffedTenant
from tests.support.readmodels import event_count
from tests.support.servers import app_with

pytestmark = pytest.mark.e2e

ADMIN = Actor("platform-admin", "platform_admin")
UNITS = "{ units { edges { node { id name } } } }"
BOARD = ("query($u: ID!) { unitBoard(unitId: $u, year: 2026, month: 3) "
         "{ id completion { decided } } }")
REGISTER = 'mutation { registerUnit(input: {name: "Tổ lạ", kind: "team"}) { id } }'


PRODUCTION = {"CONGTAM_MODE": "production",
              "CONGTAM_JWKS_URL": "https://idp.example.org/realms/congtam/certs"}


def test_production_requires_grants_by_default_and_cannot_be_talked_out_of_it() -> None:
    assert load_settings(PRODUCTION).grants_required
    assert load_settings(PRODUCTION).require_grants
    development = load_settings({})
    assert not development.grants_required  # the demo's `congtam token` roles still work
    assert load_settings({"CONGTAM_REQUIRE_GRANTS": "true"}).grants_required
    with pytest.raises(SettingsError) as refused:
        load_settings({**PRODUCTION, "CONGTAM_REQUIRE_GRANTS": "false"})
    assert "CONGTAM_REQUIRE_GRANTS" in refused.value.en
    assert "production" in refused.value.vi


async def _units_projected(http: httpx.AsyncClient, token: str, count: int) -> None:
    for _ in range(200):
        if len(data(await gql(http, token, UNITS))["units"]["edges"]) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the organisation was never projected")


async def test_a_valid_token_without_a_recorded_grant_sees_nothing_in_production(
    runtime: Runtime, settings: Settings, http: httpx.AsyncClient, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=2)
    # The development app (the served one, with its projector) reads the organisation.
    await _units_projected(http, token_for(settings, tenant.slug, org.hr, "hr_officer"), 2)
    officer = str(uuid.uuid4())
    everything = ("hr_officer", "auditor", "unit_leader", "staff")
    # The same claims, signed by the identity provider (production) and by the development
    # key (the development app).
    claims_everything = provider_token(settings, tenant.slug, officer, *everything)
    dev_claims_everything = token_for(settings, tenant.slug, officer, *everything)
    async with runtime.pool.acquire() as conn:
        before = await event_count(conn, tenant.schema)
    with key_server() as idp:
        await _granted_roles_only_in_production(runtime, tenant, org, officer, idp,
                                                settings, claims_everything, before)
    # The same claims against the development app keep the demo convenience for the roles
    # that were never granted: its auditor claim reaches the whole tenant there.
    dev_units = data(await gql(http, dev_claims_everything, UNITS))["units"]["edges"]
    assert {str(org.unit), str(org.root)} <= {u["node"]["id"] for u in dev_units}


async def _granted_roles_only_in_production(
    runtime: Runtime, tenant: Tenant, org: Org, officer: str, idp: KeyServer,
    settings: Settings, claims_everything: str, before: int,
) -> None:
    async with app_with(settings, **idp.production()) as prod:
        for query, variables in ((UNITS, {}), (BOARD, {"u": str(org.unit)}),
                                 ("{ me { userId roles } }", {}), (REGISTER, {})):
            body = await gql(prod, claims_everything, query, variables)
            assert body["data"] is None or not any(body["data"].values()), body
            error = body["errors"][0]
            assert error["extensions"]["code"] == "FORBIDDEN", body
            assert "No role has been granted" in error["extensions"]["messageEn"]
            assert "chưa được cấp vai trò" in error["extensions"]["messageVi"]
            text = json.dumps(body)
            assert str(org.unit) not in text
            assert str(org.root) not in text
        async with runtime.pool.acquire() as conn:
            assert await event_count(conn, tenant.schema) == before  # nothing written

        # A grant of one role, narrowed to one unit: exactly that, and no other claimed role.
        await runtime.platform.grant(ADMIN, officer, tenant.slug, "hr_officer",
                                     unit_scope=org.unit)
        units = data(await gql(prod, claims_everything, UNITS))["units"]["edges"]
        assert {u["node"]["id"] for u in units} == {str(org.unit)}
        audit = await gql(prod, claims_everything, "{ auditCheckpoints { position } }")
        assert audit["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        me = data(await gql(prod, claims_everything, "{ me { roles } }"))["me"]
        assert me["roles"] == ["hr_officer"]
