"""Commendation rules are part of the tenant's versioned policy: a tenant that asks for A in
two months of a quarter proposes more people than one keeping the default (every month), the
policy shows its rules, the proposal records the policy version it met (in the event, the
proposal list and its printed form), and a bad rule is refused (issue 20)."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pypdf
import pytest

from projections.codec import decode
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.e2e.conftest import Staffing
from tests.e2e.months import decided_month
from tests.e2e.test_commendations import CANDIDATES, PROPOSALS, PROPOSE
from tests.e2e.test_evaluation_domain import ADJUST, ADOPT
from tests.support.gql import data, error_code, gql, token_for
from tests.support.org import Org

pytestmark = pytest.mark.e2e

Q2 = {"year": 2026, "quarter": 2}
RULES = """query($cycle: Cycle!, $at: Int) { policy(cycle: $cycle, atLeast: $at) {
  version commendation { quarterMonthsAtA yearAtA collectives } } }"""


async def _rules(http: httpx.AsyncClient, token: str, at: int, cycle: str = "MONTHLY"
                 ) -> dict[str, Any]:
    found: dict[str, Any] = data(await gql(http, token, RULES, {"cycle": cycle, "at": at}))[
        "policy"]
    return found


async def _quarter(http: httpx.AsyncClient, settings: Settings, tenant: Tenant, org: Org
                   ) -> int:
    # Member 0: A, A, A; member 1: A, A, B; the others never A.
    at = 0
    for month, levels in ((4, "AABBCBB"), (5, "AABCBBB"), (6, "ABBBBBB")):
        at = await decided_month(http, settings, tenant, org, month, levels)
    return at


async def _candidates(http: httpx.AsyncClient, hr: str, at: int) -> dict[str, Any]:
    found: dict[str, Any] = data(await gql(http, hr, CANDIDATES, {**Q2, "at": at}))[
        "commendationCandidates"]
    return found


async def test_a_tenants_own_rule_changes_who_is_proposed_and_is_recorded(
    http: httpx.AsyncClient, settings: Settings, runtime: Runtime,
    new_tenant: Callable[..., Awaitable[Tenant]], org_in: Callable[..., Awaitable[Org]],
) -> None:
    strict, lenient = await new_tenant(), await new_tenant()
    orgs = {t.slug: await org_in(t, members=7) for t in (strict, lenient)}
    ats = {t.slug: await _quarter(http, settings, t, orgs[t.slug]) for t in (strict, lenient)}
    hr = {t.slug: token_for(settings, t.slug, orgs[t.slug].hr, "hr_officer")
          for t in (strict, lenient)}
    data(await gql(http, hr[lenient.slug], ADOPT, {"reasons": "QĐ 3814-QĐ/TU"}))
    adjusted = data(await gql(http, hr[lenient.slug], ADJUST, {"input": {
        "cycle": "MONTHLY", "reasons": "Khen thưởng khi đạt A hai tháng trong quý",
        "commendation": {"quarterMonthsAtA": 2}}}))["adjustPolicy"]["position"]

    default = await _candidates(http, hr[strict.slug], ats[strict.slug])
    own = await _candidates(http, hr[lenient.slug], adjusted)
    members = {t: orgs[t].members for t in orgs}
    assert [c["nomineeId"] for c in default["nominees"]] == [str(members[strict.slug][0])]
    assert sorted(c["nomineeId"] for c in own["nominees"]) == \
        sorted(str(m) for m in members[lenient.slug][:2])
    assert own["policyVersion"].startswith("monthly/2")
    assert own["policyVersion"] != default["policyVersion"]

    # The proposal records the version whose rules it met.
    at_proposed = data(await gql(http, hr[lenient.slug], PROPOSE, {
        **Q2, "reasons": "Theo quy tắc phường"}))["proposeCommendations"]["position"]
    rows = await runtime.pool_of(lenient).fetch(
        f"SELECT notification_id, originator_id, originator_version, topic, state "
        f"FROM {lenient.schema}.evaluations_events "
        "WHERE topic = 'domain.commendation:Commendation.Proposed'")
    assert len(rows) == 2
    assert {decode(r).policy_version for r in rows} == {own["policyVersion"]}
    # ... and so does the proposal list, read back and printed.
    listed = data(await gql(http, hr[lenient.slug], PROPOSALS, {**Q2, "at": at_proposed}))[
        "commendationProposals"]["proposals"]
    assert [p["policyVersion"] for p in listed] == [own["policyVersion"]] * 2
    pdf = await http.get("/reports/commendations.pdf", params=Q2,
                         headers={"Authorization": f"Bearer {hr[lenient.slug]}"})
    assert pdf.status_code == 200, pdf.text
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert own["policyVersion"] in text


async def test_the_policy_shows_its_commendation_rules(
    http: httpx.AsyncClient, staffed: Staffing,
) -> None:
    _tenant, _org, hr = await staffed(members=1)
    at = data(await gql(http, hr, ADOPT, {"reasons": "QĐ 3814-QĐ/TU"}))["adoptPolicy"]["position"]
    assert (await _rules(http, hr, at))["commendation"] == {
        "quarterMonthsAtA": 3, "yearAtA": True, "collectives": True}
    at = data(await gql(http, hr, ADJUST, {"input": {
        "cycle": "MONTHLY", "reasons": "Hai tháng A trong quý",
        "commendation": {"quarterMonthsAtA": 2}}}))["adjustPolicy"]["position"]
    monthly = await _rules(http, hr, at)
    assert monthly["commendation"] == {"quarterMonthsAtA": 2, "yearAtA": True,
                                       "collectives": True}
    # The annual policy keeps its own rules: a monthly change does not reach the year's.
    assert (await _rules(http, hr, at, "ANNUAL"))["commendation"]["quarterMonthsAtA"] == 3


@pytest.mark.parametrize("rule", [{"quarterMonthsAtA": 4}, {"quarterMonthsAtA": -1}])
async def test_a_bad_commendation_rule_is_refused_and_changes_nothing(
    http: httpx.AsyncClient, staffed: Staffing, rule: dict[str, int],
) -> None:
    _tenant, _org, hr = await staffed(members=1)
    at = data(await gql(http, hr, ADOPT, {"reasons": "QĐ 3814-QĐ/TU"}))["adoptPolicy"]["position"]
    before = (await _candidates(http, hr, at))["policyVersion"]
    answer = await gql(http, hr, ADJUST, {"input": {
        "cycle": "MONTHLY", "reasons": "Thử", "commendation": rule}})
    assert error_code(answer) == "INVALID_COMMENDATION_RULE"
    error = answer["errors"][0]["extensions"]
    assert "tháng" in error["messageVi"]
    assert "months" in error["messageEn"]
    assert (await _candidates(http, hr, at))["policyVersion"] == before
    assert (await _rules(http, hr, at))["commendation"]["quarterMonthsAtA"] == 3
