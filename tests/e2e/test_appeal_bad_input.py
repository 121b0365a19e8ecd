"""Each appeal rule broken over HTTP: a typed error with a stable code, in Vietnamese and
English, and nothing written."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from services.runtime import Runtime
from services.settings import Settings
from tests.conftest import OpenedMonthFactory
from tests.e2e.conftest import Staffing
from tests.e2e.test_appeal_workflow import (
    ACCEPT,
    DECIDE_APPEAL,
    DETAIL,
    ESCALATE,
    FILE,
    LEADER,
    member_rated,
    refused,
)
from tests.support.gql import data, error_code, gql, token_for
from tests.support.operations import operation

pytestmark = pytest.mark.e2e
ASSIGN, WITHDRAW = operation("AssignAppeal"), operation("WithdrawAppeal")
GROUNDS = "Kết quả chưa phản ánh đúng việc hoàn thành nhiệm vụ."


@pytest.fixture
async def filed(http: httpx.AsyncClient, settings: Settings, staffed: Staffing
                ) -> dict[str, Any]:
    """A decided rating of member 0 (C, 65) with an open appeal claiming B."""
    tenant, org, hr, staff, evaluation = await member_rated(http, settings, staffed, 3)
    tok = {
        "me": token_for(settings, tenant.slug, staff, "staff"),
        "other": token_for(settings, tenant.slug, org.members[1], "staff"),
        "leader": token_for(settings, tenant.slug, org.leader, "unit_leader", "staff"),
        "chair": token_for(settings, tenant.slug, org.chair, "unit_leader", "staff"),
        "hr": hr,
    }
    appeal = data(await gql(http, tok["me"], FILE, {
        "evaluation": evaluation, "grounds": GROUNDS, "claimed": "B"}))["fileAppeal"]
    return {"tenant": tenant, "org": org, "evaluation": evaluation, "appeal": appeal["id"],
            "at": appeal["position"], **tok}


async def test_an_appeal_on_someone_elses_rating_is_refused_as_if_it_did_not_exist(
    runtime: Runtime, http: httpx.AsyncClient, filed: dict[str, Any]) -> None:
    theirs = {"evaluation": filed["evaluation"], "grounds": GROUNDS}
    assert await refused(runtime, filed["tenant"], gql(http, filed["other"], FILE,
                                                       theirs)) == "NOT_FOUND"
    # The very answer a rating that does not exist gets: nothing tells it exists.
    absent = {"evaluation": str(uuid.uuid4()), "grounds": GROUNDS}
    assert (await gql(http, filed["other"], FILE, theirs))["errors"][0]["extensions"] == \
        (await gql(http, filed["other"], FILE, absent))["errors"][0]["extensions"]


async def test_a_second_open_appeal_on_the_same_rating_is_refused(
    runtime: Runtime, http: httpx.AsyncClient, filed: dict[str, Any]) -> None:
    assert await refused(runtime, filed["tenant"], gql(http, filed["me"], FILE, {
        "evaluation": filed["evaluation"], "grounds": GROUNDS})) == "APPEAL_ALREADY_OPEN"
    # Once withdrawn, the person may appeal again within the window.
    data(await gql(http, filed["me"], WITHDRAW, {"appeal": filed["appeal"]}))
    data(await gql(http, filed["me"], FILE, {"evaluation": filed["evaluation"],
                                             "grounds": GROUNDS}))


async def test_an_appeal_without_grounds_or_claiming_no_better_level_is_refused(
    runtime: Runtime, http: httpx.AsyncClient, filed: dict[str, Any]) -> None:
    data(await gql(http, filed["me"], WITHDRAW, {"appeal": filed["appeal"]}))
    assert await refused(runtime, filed["tenant"], gql(http, filed["me"], FILE, {
        "evaluation": filed["evaluation"], "grounds": "  "})) == "GROUNDS_REQUIRED"
    assert await refused(runtime, filed["tenant"], gql(http, filed["me"], FILE, {
        "evaluation": filed["evaluation"], "grounds": GROUNDS, "claimed": "D"})) \
        == "OUTCOME_INCONSISTENT"


async def test_an_unpublished_rating_cannot_be_appealed(
    runtime: Runtime, http: httpx.AsyncClient, settings: Settings, staffed: Staffing,
) -> None:
    tenant, _, _, staff, evaluation = await member_rated(http, settings, staffed, 2,
                                                         publish=False)
    me = token_for(settings, tenant.slug, staff, "staff")
    assert await refused(runtime, tenant, gql(http, me, FILE, {
        "evaluation": evaluation, "grounds": GROUNDS})) == "RATING_NOT_PUBLISHED"


async def test_an_undecided_rating_cannot_be_appealed(
    runtime: Runtime, http: httpx.AsyncClient, settings: Settings,
    opened_month: OpenedMonthFactory,
) -> None:
    month = await opened_month(members=2)
    tenant, org = month.tenant, month.org
    period = {"id": month.period}
    me = token_for(settings, tenant.slug, org.members[0], "staff")
    evaluation = data(await gql(http, me, operation("SubmitSelfAssessment"), {
        "period": period["id"], "score": 80, "tasks": [], "note": ""}))["submitSelfAssessment"]
    assert await refused(runtime, tenant, gql(http, me, FILE, {
        "evaluation": evaluation["id"], "grounds": GROUNDS})) == "RATING_NOT_DECIDED"


async def test_only_the_assigned_reviewer_may_take_up_the_appeal(
    runtime: Runtime, http: httpx.AsyncClient, filed: dict[str, Any]) -> None:
    assert await refused(runtime, filed["tenant"], gql(
        http, filed["chair"], ACCEPT, {"appeal": filed["appeal"]})) == "NOT_COMPETENT_REVIEWER"
    # A plain staff token may not review at all.
    assert await refused(runtime, filed["tenant"], gql(
        http, filed["other"], ACCEPT, {"appeal": filed["appeal"]})) == "FORBIDDEN"


async def test_no_one_is_assigned_an_appeal_about_their_own_rating(
    runtime: Runtime, http: httpx.AsyncClient, filed: dict[str, Any]) -> None:
    staff = str(filed["org"].members[0])
    assert await refused(runtime, filed["tenant"], gql(http, filed["hr"], ASSIGN, {
        "appeal": filed["appeal"], "reviewer": staff})) == "CONFLICTED_REVIEWER"
    assert await refused(runtime, filed["tenant"], gql(http, filed["me"], ASSIGN, {
        "appeal": filed["appeal"], "reviewer": staff})) == "FORBIDDEN"


async def test_an_outcome_without_reasons_is_refused(
    runtime: Runtime, http: httpx.AsyncClient, filed: dict[str, Any]) -> None:
    data(await gql(http, filed["leader"], ACCEPT, {"appeal": filed["appeal"]}))
    assert await refused(runtime, filed["tenant"], gql(http, filed["leader"], DECIDE_APPEAL, {
        "appeal": filed["appeal"], "outcome": "DISMISSED", "reasons": " "})) \
        == "REASONS_REQUIRED"
    assert await refused(runtime, filed["tenant"], gql(http, filed["leader"], DECIDE_APPEAL, {
        "appeal": filed["appeal"], "outcome": "UPHELD", "reasons": "Đúng.", "level": "A",
        "score": 95})) == "OUTCOME_INCONSISTENT"
    assert await refused(runtime, filed["tenant"], gql(http, filed["leader"], DECIDE_APPEAL, {
        "appeal": filed["appeal"], "outcome": "UPHELD", "reasons": "Đúng.", "level": "B",
        "score": 60})) == "LEVEL_SCORE_MISMATCH"


async def test_the_decider_is_never_assigned_the_second_instance(
    runtime: Runtime, http: httpx.AsyncClient, filed: dict[str, Any]) -> None:
    appeal = filed["appeal"]
    assert await refused(runtime, filed["tenant"], gql(http, filed["me"], ESCALATE, {
        "appeal": appeal, "grounds": GROUNDS})) == "APPEAL_WRONG_STAGE"
    data(await gql(http, filed["leader"], ACCEPT, {"appeal": appeal}))
    data(await gql(http, filed["leader"], DECIDE_APPEAL, {
        "appeal": appeal, "outcome": "DISMISSED", "reasons": "Không có căn cứ mới."}))
    # Only the appellant escalates; to anyone else the appeal reads as absent.
    assert await refused(runtime, filed["tenant"], gql(http, filed["leader"], ESCALATE, {
        "appeal": appeal, "grounds": GROUNDS})) == "NOT_FOUND"
    data(await gql(http, filed["me"], ESCALATE, {"appeal": appeal, "grounds": GROUNDS}))
    assert await refused(runtime, filed["tenant"], gql(http, filed["hr"], ASSIGN, {
        "appeal": appeal, "reviewer": str(filed["org"].leader)})) == "CONFLICTED_REVIEWER"
    assert await refused(runtime, filed["tenant"], gql(http, filed["leader"], DECIDE_APPEAL, {
        "appeal": appeal, "outcome": "UPHELD", "reasons": "Tự sửa.", "level": "B",
        "score": 75})) == "CONFLICTED_REVIEWER"


async def test_an_appeal_is_read_only_by_its_parties_and_oversight(
    http: httpx.AsyncClient, filed: dict[str, Any]) -> None:
    variables = {"appeal": filed["appeal"], "at": filed["at"]}
    assert error_code(await gql(http, filed["other"], DETAIL, variables)) == "FORBIDDEN"
    for who in ("me", "leader", "hr"):
        assert data(await gql(http, filed[who], DETAIL, variables))["appeal"]["id"] == \
            filed["appeal"]
    assert error_code(await gql(http, filed["other"], LEADER, {
        "leader": str(filed["org"].leader)})) == "FORBIDDEN"
