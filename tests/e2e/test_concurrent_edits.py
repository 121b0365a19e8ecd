"""Two people editing the same evaluation at the same moment over real HTTP: one wins, the
other gets STALE_VERSION (in Vietnamese and English), reloads and retries."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest

from tests.conftest import OpenedMonthFactory
from tests.support.gql import data, error_code, gql, nodes

pytestmark = pytest.mark.e2e

PROPOSE = """mutation($input: ProposeRatingInput!) { proposeRating(input: $input) {
  id position } }"""
FILE = """query($id: ID!, $at: Int) { evaluationFile(evaluationId: $id, atLeast: $at) {
  proposedLevel version } }"""
BOARD = """query($unit: ID!, $at: Int) { unitRatings(unitId: $unit, year: 2026, month: 10,
  atLeast: $at) { edges { node { staffId version } } } }"""


async def test_two_proposals_on_the_same_version_one_wins_the_other_is_stale_and_retries(
    http: httpx.AsyncClient, opened_month: OpenedMonthFactory,
) -> None:
    month = await opened_month(members=2, month=10)
    org, hr = month.org, month.hr
    leader = month.token(org.leader, "unit_leader")
    staff = org.members[0]
    board = data(await gql(http, hr, BOARD, {"unit": str(org.unit),
                                             "at": month.position}))["unitRatings"]
    read = next(r["version"] for r in nodes(board) if r["staffId"] == str(staff))

    def proposal(level: str, score: int, version: int) -> dict[str, Any]:
        return {"input": {"periodId": month.period, "staffId": str(staff), "level": level,
                          "score": score, "expectedVersion": version}}

    editors = {"leader": (leader, proposal("B", 80, read)),
               "hr": (hr, proposal("C", 60, read))}
    answers: dict[str, dict[str, Any]] = {}

    async def send(who: str) -> None:
        token, variables = editors[who]
        answers[who] = await gql(http, token, PROPOSE, variables)

    async with anyio.create_task_group() as tg:
        for who in editors:
            tg.start_soon(send, who)

    won = [who for who, body in answers.items() if not body.get("errors")]
    lost = [who for who, body in answers.items() if body.get("errors")]
    assert len(won) == 1, answers
    assert len(lost) == 1, answers
    refusal = answers[lost[0]]
    assert error_code(refusal) == "STALE_VERSION"
    extensions = refusal["errors"][0]["extensions"]
    assert "tải lại" in extensions["messageVi"]
    assert "reload" in extensions["messageEn"]
    eid = answers[won[0]]["data"]["proposeRating"]["id"]
    at = answers[won[0]]["data"]["proposeRating"]["position"]
    file = data(await gql(http, hr, FILE, {"id": eid, "at": at}))["evaluationFile"]
    assert file["version"] == read + 1
    assert file["proposedLevel"] == editors[won[0]][1]["input"]["level"]

    # The one who lost reloads (version read + 1) and retries: accepted.
    token, variables = editors[lost[0]]
    variables["input"]["expectedVersion"] = file["version"]
    retried = data(await gql(http, token, PROPOSE, variables))["proposeRating"]
    file = data(await gql(http, hr, FILE, {"id": eid, "at": retried["position"]}))
    assert file["evaluationFile"]["proposedLevel"] == variables["input"]["level"]
    assert file["evaluationFile"]["version"] == read + 2
