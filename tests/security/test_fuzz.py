"""GraphQL fuzzing against the running app over HTTP (hypothesis-graphql): whatever valid
document a client sends, the answer is never a 500, never an unmasked exception, and never
another tenant's data, and never INTERNAL (a client's document is the client's mistake or
a valid request, never an internal error).

Every root field (each query and mutation) gets its own run of CONGTAM_FUZZ_EXAMPLES documents
(bounded in `make test`; raise it for a longer hunt), so a rarely drawn field is not left
unexplored. The runs are seeded (CONGTAM_FUZZ_SEED, fixed by default) and keep no example
database: the same seed draws the same documents, and a failure names the seed to replay."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Awaitable, Callable

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema, nodes

from services.gql.schema import schema, sdl
from services.http.auth import ROLES
from services.platform.tenants import Tenant
from services.settings import Settings
from tests.e2e.test_rating_workflow import DECIDE, MARCH, OPEN, SELF
from tests.support.gql import data, gql, token_for
from tests.support.org import Org
from tests.support.servers import app_with

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("CONGTAM_FUZZ_EXAMPLES", "6"))  # per root field
SEED = int(os.environ.get("CONGTAM_FUZZ_SEED", "20260325"))
SCALARS = {
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes().map(lambda d: nodes.String(d.isoformat() + "+00:00")),
}
ROOT_FIELDS = sorted(name for root in (schema._schema.query_type, schema._schema.mutation_type)
                     if root is not None for name in root.fields)
LEAKS = ("Traceback", "asyncpg", "psycopg", "File \"", "Error:")


# ~400 documents over HTTP by default: about 100 s on a 2-core machine (~0.25 s a document
# with generation), so more than the suite's 300 s are allowed, growing with a longer hunt.
@pytest.mark.timeout(max(600, EXAMPLES * len(ROOT_FIELDS)))
async def test_fuzzed_documents_never_crash_and_never_leak(
    settings: Settings, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]],
) -> None:
    shared: dict[str, uuid.UUID] = {}
    x, y = await new_tenant(), await new_tenant()
    await org_in(x, members=2, ids=shared)
    org = await org_in(y, members=2, ids=shared)
    secret = f"BÍ MẬT CỦA Y {uuid.uuid4()}"
    # Short freshness wait: fuzzed atLeast values are mostly far in the future.
    async with app_with(settings, freshness_timeout=0.05, rate_per_user=10**9,
                        rate_per_tenant=10**9) as http:
        hr_y = token_for(settings, y.slug, org.hr, "hr_officer")
        period = data(await gql(http, hr_y, OPEN, {"unit": str(org.unit), **MARCH}))
        period_id = period["openPeriod"]["id"]
        await gql(http, token_for(settings, y.slug, org.members[0], "staff"), SELF,
                  {"period": period_id, "score": 90})
        await gql(http, token_for(settings, y.slug, org.leader, "unit_leader"), DECIDE,
                  {"period": period_id, "staff": str(org.members[0]), "level": "C",
                   "score": 60, "reasons": secret})
        attacker = token_for(settings, x.slug, org.members[0], *ROLES)
        url = str(http.base_url)
        replay = f"CONGTAM_FUZZ_SEED={SEED} CONGTAM_FUZZ_EXAMPLES={EXAMPLES}"
        failures: list[str] = []
        counts = {"cases": 0, "5xx": 0, "INTERNAL": 0}

        def fuzz(root: str, document: str) -> None:
            with httpx.Client(base_url=url, timeout=30) as client:
                response = client.post("/graphql", json={"query": document},
                                       headers={"Authorization": f"Bearer {attacker}"})
            text = response.text
            problems = []
            counts["cases"] += 1
            if response.status_code >= 500:
                counts["5xx"] += 1
                problems.append(f"HTTP {response.status_code}")
            if any(s in text for s in (secret, period_id, y.slug)):
                problems.append("tenant Y's data")
            if any(s in text for s in LEAKS):
                problems.append("internal detail")
            body = response.json() if response.headers.get("content-type", "").startswith(
                "application/json") else {}
            for error in body.get("errors") or []:
                if (error.get("extensions") or {}).get("code") == "INTERNAL":
                    counts["INTERNAL"] += 1
                    problems.append("INTERNAL")
            if problems:  # collected, not raised: every finding is reported at the end
                failures.append(f"{root} {problems}: {document}\n{json.dumps(body)[:400]}")

        def fuzz_field(root: str) -> None:
            @seed(SEED)
            @hsettings(max_examples=EXAMPLES, deadline=None, database=None,
                       suppress_health_check=list(HealthCheck))
            @given(document=from_schema(sdl(), fields=[root], custom_scalars=SCALARS))
            def run(document: str) -> None:
                fuzz(root, document)

            run()
            drawn[root] = True

        def fuzz_every_root_field() -> None:
            for root in ROOT_FIELDS:
                try:
                    fuzz_field(root)
                except Exception as error:  # hypothesis's own (a health check, a flaky
                    # draw) and the client's (an answer that is not JSON) name the replay too
                    raise AssertionError(f"{root}: {error!r}; replay with {replay}") from error

        drawn: dict[str, bool] = {}
        await anyio.to_thread.run_sync(fuzz_every_root_field)
    assert drawn == dict.fromkeys(ROOT_FIELDS, True), f"replay with {replay}"
    print(f"fuzz: {counts} ({replay})")  # the record of a longer run (pytest -s)
    # The fuzzer really sent documents: at least one per root field.
    assert counts["cases"] >= len(ROOT_FIELDS), f"{counts}; replay with {replay}"
    assert counts["INTERNAL"] == 0, f"replay with {replay}:\n\n" + "\n\n".join(failures[:5])
    assert counts["5xx"] == 0, f"replay with {replay}:\n\n" + "\n\n".join(failures[:5])
    assert not failures, f"replay with {replay}:\n\n" + "\n\n".join(failures[:5])
