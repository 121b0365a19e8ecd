"""/metrics over HTTP: every series an operator alerts on exists and moves with the traffic."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from services.platform.tenants import Tenant
from services.settings import Settings
from tests.support.gql import data, error_code, gql, token_for

pytestmark = pytest.mark.e2e

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]

UNIT = """mutation RegisterYouthUnit($name: String!) { registerUnit(input: {name: $name,
  kind: "youth_union"}) { id position } }"""
UNITS = "query ListUnits($at: Int) { units(atLeast: $at) { edges { node { id } } } }"


async def scrape(http: httpx.AsyncClient) -> Samples:
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_follow_operations_errors_appends_lag_and_pools(
    settings: Settings, http: httpx.AsyncClient, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    tenant = await new_tenant()
    hr = token_for(settings, tenant.slug, "hr-1", "hr_officer")
    staff = token_for(settings, tenant.slug, "s-1", "staff")
    before = await scrape(http)

    written = data(await gql(http, hr, UNIT, {"name": "Đoàn Thanh niên"}))["registerUnit"]
    data(await gql(http, hr, UNITS, {"at": written["position"]}))
    assert error_code(await gql(http, staff, UNIT, {"name": "X"})) == "FORBIDDEN"
    after = await scrape(http)

    mutation = {"operation": "RegisterYouthUnit", "kind": "mutation"}
    assert (value(after, "congtam_graphql_request_seconds_count", **mutation)
            - value(before, "congtam_graphql_request_seconds_count", **mutation)) == 2
    assert value(after, "congtam_graphql_request_seconds_sum", **mutation) > value(
        before, "congtam_graphql_request_seconds_sum", **mutation)
    assert value(after, "congtam_graphql_request_seconds_count",
                 operation="ListUnits", kind="query") >= 1
    assert (value(after, "congtam_graphql_errors_total",
                  operation="RegisterYouthUnit", code="FORBIDDEN")
            - value(before, "congtam_graphql_errors_total",
                    operation="RegisterYouthUnit", code="FORBIDDEN")) == 1
    # One unit registered: one event in this tenant's log, none for the refused attempt.
    assert value(after, "congtam_events_appended_total", tenant=tenant.slug) == 1
    # The read waited for the projector to reach the write, whose batch commits before it
    # sets the gauge: the tenant's lag is known and drops to 0 (a bounded wait, not a race).
    lagged = after
    for _ in range(100):
        if ("congtam_projection_lag_events", frozenset({("tenant", tenant.slug)})) in lagged \
                and value(lagged, "congtam_projection_lag_events", tenant=tenant.slug) == 0:
            break
        await asyncio.sleep(0.1)
        lagged = await scrape(http)
    assert ("congtam_projection_lag_events", frozenset({("tenant", tenant.slug)})) in lagged
    assert value(lagged, "congtam_projection_lag_events", tenant=tenant.slug) == 0
    for pool in ("read", "write"):
        assert value(after, "congtam_pool_connections", pool=pool, state="max") >= 1
        assert ("congtam_pool_connections",
                frozenset({("pool", pool), ("state", "in_use")})) in after


async def test_operation_names_from_clients_cannot_flood_the_labels(
    settings: Settings, http: httpx.AsyncClient, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    tenant = await new_tenant()
    hr = token_for(settings, tenant.slug, "hr-1", "hr_officer")
    await gql(http, hr, "query { units { edges { node { id } } } }")
    await http.post("/graphql", json={"query": "query { units { edges { node { id } } } }",
                                      "operationName": "x" * 500},
                    headers={"Authorization": f"Bearer {hr}"})
    samples = await scrape(http)
    assert value(samples, "congtam_graphql_request_seconds_count",
                 operation="anonymous", kind="query") >= 1
    operations = {dict(labels).get("operation") for name, labels in samples
                  if name == "congtam_graphql_request_seconds_count"}
    assert all(len(op or "") <= 64 for op in operations), operations
