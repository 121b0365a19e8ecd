"""The README, run as written: its shell and GraphQL blocks against a served demo tenant.

A new user copies these blocks verbatim; a README that drifts from the service (a renamed
field, a date the demo has already used, an id that is not where the README says) fails
here. The demo is loaded into a fresh tenant with the project's own loader; the README's
ids (those of Phường Đức Giang) are swapped for the fresh tenant's, which the loader
derives the same way, and the server's address for the test server's.
"""

from __future__ import annotations

import json
import os
import re
import sys
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from graphql import OperationDefinitionNode, parse, validate
from projections.runner import tracked_position
from services.cli.serve import welcome
from services.demo.tenants import (
    STAFF_PER_UNIT,
    UNITS,
    _build_tenant,
    demo_id,
    demo_users,
    grant_demo_users,
)
from services.gql.schema import schema
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.conftest import TEST_SECRET
from tests.support.gql import data, gql, nodes, token_for

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DEMO = "hn-long-bien-duc-giang"
README_ADDRESS = "http://127.0.0.1:8000"
BLOCK = re.compile(r"^```(sh|graphql)\n(.*?)^```", re.MULTILINE | re.DOTALL)
ROW = re.compile(r"^\| (.+?) \| .+? \| (.*?) \|$", re.MULTILINE)


@dataclass(frozen=True)
class Block:
    kind: str  # sh | graphql
    section: str  # the ## heading it is under
    text: str


def blocks(text: str) -> list[Block]:
    found = []
    for match in BLOCK.finditer(text):
        headings = re.findall(r"^## (.+)$", text[:match.start()], re.MULTILINE)
        found.append(Block(match.group(1), headings[-1] if headings else "", match.group(2)))
    return found


def section(text: str, heading: str) -> str:
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else len(text)]


def demo_ids_of(slug: str) -> dict[str, str]:
    """Every id the demo loader derives for ``slug``, by what it names."""
    ids = {f"unit/{key}": str(demo_id(slug, "unit", key)) for key, _, _ in UNITS}
    for key, _, _ in UNITS:
        for i in range(STAFF_PER_UNIT):
            ids[f"staff/{key}/{i}"] = str(demo_id(slug, "staff", key, str(i)))
    return ids


@pytest.fixture(scope="module")
async def demo_tenant(runtime: Runtime, server: str) -> Tenant:
    """A fresh tenant filled by the demo loader: the organisation, last month rated, this
    month open, appeals and records; its demo users' grants recorded."""
    slug = f"readme-{uuid.uuid4().hex[:8]}"
    tenant = await runtime.registry.register(slug, "Phường Đức Giang", "ward", None)
    await anyio.to_thread.run_sync(lambda: _build_tenant(runtime.service(tenant), slug,
                                                         date.today(), seed=DEMO))
    await runtime.written(tenant)
    await grant_demo_users(runtime, slug)
    # A person runs the README after `make run` has loaded and projected the demo: wait
    # for the served app's projector to reach the log's head.
    with anyio.fail_after(60):
        while True:
            async with runtime.pool.acquire() as conn:
                head = await conn.fetchval(
                    f"SELECT coalesce(max(notification_id), 0) FROM {tenant.schema}"
                    ".evaluations_events")
                if await tracked_position(conn, tenant.schema) >= head:
                    return tenant
            await anyio.sleep(0.1)


def as_written(text: str, tenant: Tenant, server: str) -> str:
    """The README's text with the demo tenant's slug and ids swapped for the fresh one's."""
    fresh = demo_ids_of(tenant.slug)
    for name, readme_id in demo_ids_of(DEMO).items():
        text = text.replace(readme_id, fresh[name])
    return text.replace(DEMO, tenant.slug).replace(README_ADDRESS, server)


async def run_sh(block: str, settings: Settings) -> str:
    if not (ROOT / ".venv" / "bin" / "congtam").exists():  # tests run from another venv
        block = block.replace(".venv/bin/congtam", str(Path(sys.executable).parent / "congtam"))
    # The server's development key, as `make run` leaves it for `congtam token`.
    env = {**os.environ, "CONGTAM_JWT_SECRET": TEST_SECRET,
           "CONGTAM_DATA_DIR": str(settings.data_dir)}
    # Not blocking the event loop: the test server answers the curl from this same loop.
    with anyio.fail_after(120):
        done = await anyio.run_process(["bash", "-euo", "pipefail", "-c", block], cwd=ROOT,
                                       env=env, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


def test_every_graphql_block_is_valid_against_the_schema() -> None:
    graphql_blocks = [b for b in blocks(README.read_text()) if b.kind == "graphql"]
    assert graphql_blocks
    for block in graphql_blocks:
        document = parse(block.text)
        # Each operation on its own: a block holds several, as a person sends them one by one.
        for operation in document.definitions:
            errors = validate(schema._schema, parse(_source(block.text, operation)))
            assert not errors, f"README ({block.section}): {errors}"


def test_the_shell_blocks_are_all_run_here_or_are_make_itself() -> None:
    for block in blocks(README.read_text()):
        if block.kind != "sh":
            continue
        commands = [line.split("#")[0].strip() for line in block.text.splitlines()]
        if block.section == "A first query":
            continue  # run below
        assert all(not c or c.startswith("make ") for c in commands), (
            f"README ({block.section}): a shell block this test does not run")


def test_make_run_prints_the_readme_first_query_on_one_line_each() -> None:
    readme = README.read_text()
    said = welcome("127.0.0.1", 8000)
    hr = demo_users(DEMO)[0].user_id
    first = next(b for b in blocks(readme) if b.section == "A first query" and b.kind == "sh")
    commands = [line for line in first.text.splitlines() if line and not line.startswith("#")]
    token_line = commands[1].replace('"$HR"', hr)
    assert f"  {token_line}" in said
    assert f"  {commands[2]}" in said


def _source(text: str, operation: Any) -> str:
    assert operation.loc is not None
    return text[operation.loc.start:operation.loc.end]


def _role_before(text: str, start: int) -> str:
    roles = re.findall(r"^# \d+\. as (\w+)", text[:start], re.MULTILINE)
    assert roles, "each step's comment says whose token runs it"
    return str(roles[-1])


async def test_the_first_query_and_the_four_steps_run_as_written(
    settings: Settings, http: httpx.AsyncClient, server: str, demo_tenant: Tenant,
) -> None:
    readme = as_written(README.read_text(), demo_tenant, server)
    part = section(readme, "A first query")
    [first] = [b for b in blocks(part) if b.kind == "sh"]
    [steps] = [b for b in blocks(part) if b.kind == "graphql"]

    # The first query, through the shell: a token from `congtam token`, then curl.
    answer = json.loads(await run_sh(first.text, settings))
    assert not answer.get("errors"), answer
    assert answer["data"]["me"]["name"], "me.name: the HR officer's own name"
    units = {u["name"]: u for u in nodes(answer["data"]["units"])}

    # The README's table says where each id comes from, and what it is in the demo.
    table = {name.strip("`"): value.strip("`") for name, value in ROW.findall(part)}
    mttq = units["Ủy ban Mặt trận Tổ quốc"]
    assert table["$unitId"] == mttq["id"]
    assert table["the leader"] == mttq["leaderId"]
    today = date.today()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    bound: dict[str, Any] = {"unitId": mttq["id"], "year": year, "month": month,
                             "staffId": table["$staffId"]}
    hr = demo_users(demo_tenant.slug)[0].user_id
    users = {"hr_officer": hr, "staff": table["$staffId"], "unit_leader": mttq["leaderId"]}

    answers: dict[str, Any] = {}
    for operation in parse(steps.text).definitions:
        assert isinstance(operation, OperationDefinitionNode)
        assert operation.name is not None
        role = _role_before(steps.text, operation.loc.start if operation.loc else 0)
        token = token_for(settings, demo_tenant.slug, users[role], role)
        variables = {v.variable.name.value: bound[v.variable.name.value]
                     for v in operation.variable_definitions or ()}
        result = data(await gql(http, token, _source(steps.text, operation), variables))
        answers[operation.name.value] = result
        if "unitStaff" in result:  # step 0: the README's staff is a member, not the leader
            staff = {s["id"] for s in nodes(result["unitStaff"])}
            assert table["$staffId"] in staff - {mttq["leaderId"]}
        if "openPeriod" in result:
            bound["periodId"] = result["openPeriod"]["id"]
        if "decideRating" in result:
            bound["atLeast"] = result["decideRating"]["position"]

    assert {"periodId", "atLeast"} <= bound.keys(), "the steps open a period and decide"
    board = [r for a in answers.values() if "unitRatings" in a
             for r in nodes(a["unitRatings"])]
    decided = [r for r in board if r["reasons"] == "Một báo cáo nộp chậm"]
    # The demo's person is not a công chức (the same people as the demo: seed=DEMO), so the
    # leader's score stands (a công chức's would be computed from work).
    assert [(r["level"], r["score"], r["selfScore"]) for r in decided] == [("B", 86.0, 88.0)]
    history = [r for a in answers.values() if "ratingHistory" in a
               for r in nodes(a["ratingHistory"])]
    assert {"year": year, "month": month, "level": "B"} in history


async def test_every_demo_person_has_a_name_and_the_auditor_a_grant(
    settings: Settings, http: httpx.AsyncClient, demo_tenant: Tenant,
) -> None:
    for person in demo_users(demo_tenant.slug):
        token = token_for(settings, demo_tenant.slug, person.user_id, *person.roles)
        me = data(await gql(http, token, "{ me { name } }"))["me"]
        assert me["name"], f"{person.name}: me.name is empty for a minted token"
        if "auditor" in person.roles:
            assert me["name"] == person.name
            verified = data(await gql(http, token, "{ auditVerify { ok } }"))
            assert verified["auditVerify"]["ok"] is True


def test_congtam_demo_lists_every_demo_tenant_with_an_auditor() -> None:
    import io

    from rich.console import Console

    from services.cli.serve import _print_users
    from services.demo.tenants import TENANTS

    out = io.StringIO()
    _print_users(Console(file=out, width=300))
    listed = out.getvalue()
    for slug, *_ in TENANTS:
        rows = [line for line in listed.splitlines() if f" {slug} " in line]
        assert any("auditor" in row for row in rows), f"{slug}: no auditor listed"
        assert len(rows) == len(demo_users(slug)), f"{slug}: not every demo user listed"
