"""Each work-output rule broken over HTTP: a typed error with a stable code, in Vietnamese and
English, and nothing written (Decree 335/2025; issue 21 "Bad input")."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from services.runtime import Runtime
from tests.e2e.test_appeal_workflow import refused
from tests.e2e.test_work_workflow import ASSIGN, CONFIRM, REPORT, _assignment, month
from tests.support.gql import data, gql

pytestmark = pytest.mark.e2e
__all__ = ["month"]  # the fixture, shared with the workflow


async def _item(http: httpx.AsyncClient, month: dict[str, Any], staff: Any,
                token: str = "leader") -> str:
    ids = data(await gql(http, month[token], ASSIGN, _assignment(
        [staff], catalogueKey="ho-so")))["assignWork"]["ids"]
    return str(ids[0])


@pytest.mark.parametrize(("change", "code"), [
    ({"assignedOn": "2026-04-01", "deadline": "2026-04-10"}, "ASSIGNMENT_OUTSIDE_PERIOD"),
    ({"assignedOn": "2026-03-10", "deadline": "2026-03-05"}, "DEADLINE_BEFORE_ASSIGNMENT"),
    ({"expectedQuantity": 0}, "QUANTITY_NOT_POSITIVE"),
    ({"expectedQuantity": -2}, "QUANTITY_NOT_POSITIVE"),
    ({"coefficient": 1.8}, "COEFFICIENT_OUT_OF_RANGE"),  # ho-so allows 0.5–1.5
    ({"catalogueKey": "khong-co"}, "NOT_IN_CATALOGUE"),
])
async def test_an_assignment_breaking_a_rule_is_refused(
        http: httpx.AsyncClient, runtime: Runtime, month: dict[str, Any],
        change: dict[str, Any], code: str) -> None:
    staff = month["org"].members[0]
    assert await refused(runtime, month["tenant"], gql(http, month["leader"], ASSIGN,
                         _assignment([staff], **{"catalogueKey": "ho-so", **change}))) == code


async def test_ad_hoc_work_outside_the_catalogues_range_is_refused(
        http: httpx.AsyncClient, runtime: Runtime, month: dict[str, Any]) -> None:
    staff = month["org"].members[0]
    assert await refused(runtime, month["tenant"], gql(http, month["leader"], ASSIGN,
                         _assignment([staff], title="Việc phát sinh", coefficient=4.0))) \
        == "COEFFICIENT_OUT_OF_RANGE"


async def test_a_bulk_assignment_is_all_or_none(
        http: httpx.AsyncClient, runtime: Runtime, month: dict[str, Any]) -> None:
    """The unit's head may not assign work to the chair above them: the whole list fails."""
    org = month["org"]
    assert await refused(runtime, month["tenant"], gql(http, month["leader"], ASSIGN,
                         _assignment([org.members[0], org.chair], catalogueKey="ho-so"))) \
        == "NOT_COMPETENT_LEADER"


async def test_reporting_someone_elses_item_is_refused(
        http: httpx.AsyncClient, runtime: Runtime, month: dict[str, Any]) -> None:
    item = await _item(http, month, month["org"].members[0])
    assert await refused(runtime, month["tenant"], gql(http, month["other"], REPORT, {
        "input": {"itemId": item, "quantity": 4, "doneOn": "2026-03-15"}})) == "NOT_ASSIGNEE"


async def test_confirming_ones_own_item_is_refused(
        http: httpx.AsyncClient, runtime: Runtime, month: dict[str, Any]) -> None:
    """The chair assigns the unit's head an item; the head may not confirm it themself."""
    org = month["org"]
    item = await _item(http, month, org.leader, token="chair")
    data(await gql(http, month["leader"], REPORT, {
        "input": {"itemId": item, "quantity": 4, "doneOn": "2026-03-15"}}))
    assert await refused(runtime, month["tenant"], gql(http, month["leader"], CONFIRM, {
        "input": {"itemId": item, "quality": "MEETS", "timeliness": "ON_TIME"}})) \
        == "SELF_CONFIRMATION"
    data(await gql(http, month["chair"], CONFIRM, {
        "input": {"itemId": item, "quality": "MEETS", "timeliness": "ON_TIME"}}))


async def test_confirming_twice_or_before_the_report_is_refused(
        http: httpx.AsyncClient, runtime: Runtime, month: dict[str, Any]) -> None:
    item = await _item(http, month, month["org"].members[0])
    ok = {"input": {"itemId": item, "quality": "MEETS", "timeliness": "ON_TIME"}}
    assert await refused(runtime, month["tenant"], gql(http, month["leader"], CONFIRM, ok)) \
        == "NOT_REPORTED"
    data(await gql(http, month["me"], REPORT, {
        "input": {"itemId": item, "quantity": 4, "doneOn": "2026-03-15"}}))
    data(await gql(http, month["leader"], CONFIRM, ok))
    assert await refused(runtime, month["tenant"], gql(http, month["leader"], CONFIRM, ok)) \
        == "ALREADY_CONFIRMED"


async def test_a_waiver_without_reasons_is_refused(
        http: httpx.AsyncClient, runtime: Runtime, month: dict[str, Any]) -> None:
    item = await _item(http, month, month["org"].members[0])
    data(await gql(http, month["me"], REPORT, {
        "input": {"itemId": item, "quantity": 4, "doneOn": "2026-03-25"}}))
    late = {"itemId": item, "quality": "MEETS", "timeliness": "LATE", "timelinessWaived": True}
    assert await refused(runtime, month["tenant"], gql(http, month["leader"], CONFIRM, {
        "input": {**late, "waiverReasons": "  "}})) == "WAIVER_REASONS_REQUIRED"
    data(await gql(http, month["leader"], CONFIRM, {
        "input": {**late, "waiverReasons": "Mưa lũ chia cắt thôn, không tiếp cận được"}}))


async def test_a_cancelled_item_takes_no_report_and_the_staff_may_not_assign(
        http: httpx.AsyncClient, runtime: Runtime, month: dict[str, Any]) -> None:
    from tests.e2e.test_work_workflow import CANCEL
    item = await _item(http, month, month["org"].members[0])
    assert await refused(runtime, month["tenant"], gql(http, month["leader"], CANCEL, {
        "item": item, "reasons": " "})) == "REASONS_REQUIRED"
    data(await gql(http, month["leader"], CANCEL, {"item": item, "reasons": "Trùng việc"}))
    assert await refused(runtime, month["tenant"], gql(http, month["me"], REPORT, {
        "input": {"itemId": item, "quantity": 4, "doneOn": "2026-03-15"}})) == "ITEM_CANCELLED"
    assert await refused(runtime, month["tenant"], gql(http, month["me"], ASSIGN, _assignment(
        [month["org"].members[1]], catalogueKey="ho-so"))) == "FORBIDDEN"
