"""Every client mistake is answered as one, over real HTTP to ``congtam serve``.

Each malformed request of the table gets its HTTP status, a stable code with Vietnamese and
English messages in the GraphQL error shape, and an ``x-request-id`` — never a 500, never
INTERNAL, never plain text — and the server logs it at info, never as ``unexpected_error``.
A connection that never finishes its headers is answered 408 and closed.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.runtime import Runtime
from services.settings import Settings
from tests.support.auditors import granted_auditor
from tests.support.gql import token_for
from tests.support.org import StaffedTenant
from tests.support.served import Served, congtam_serve

pytestmark = pytest.mark.e2e

UNITS = "query Units($n: Int) { units(first: $n) { totalCount } }"
STAFF = "query Staff($u: ID!) { unitStaff(unitId: $u) { totalCount } }"
ABSENCE = ("mutation Absent($s: ID!, $d: Date!) { recordAbsence(input: {staffId: $s, "
           "start: $d, end: $d}) { position } }")
DEEP = 30_000  # 60 KB of brackets: under the body limit, far over any sane nesting


@dataclass
class Case:
    name: str
    status: int
    code: str
    method: str = "POST"
    body: bytes | None = None  # raw bytes as sent (JSON unless content_type says otherwise)
    payload: dict[str, Any] | None = None  # or a JSON object, with {token} placeholders
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    path: str = "/graphql"


def _raw(text: str) -> bytes:
    return text.encode()


CASES = [
    # The envelope: what the body is, how it is sent.
    Case("body is a JSON string", 400, "INVALID_REQUEST", body=b'"x"'),
    Case("body is null", 400, "INVALID_REQUEST", body=b"null"),
    Case("body is a number", 400, "INVALID_REQUEST", body=b"12"),
    Case("body is empty", 400, "INVALID_JSON", body=b""),
    Case("body is not JSON", 400, "INVALID_JSON", body=b'{"query": '),
    Case("body is not UTF-8", 400, "INVALID_JSON", body=b'{"query": "\xff\xfe"}'),
    Case("variables nested 30,000 deep", 400, "JSON_TOO_DEEP",
         body=_raw('{"query": "{ __typename }", "variables": {"v": '
                   + "[" * DEEP + "]" * DEEP + "}}")),
    Case("NaN is not JSON", 400, "INVALID_JSON",
         body=_raw(f'{{"query": "{UNITS}", "variables": {{"n": NaN}}}}')),
    Case("Infinity is not JSON", 400, "INVALID_JSON",
         body=_raw(f'{{"query": "{UNITS}", "variables": {{"n": -Infinity}}}}')),
    Case("batched operations", 400, "BATCH_NOT_SUPPORTED",
         body=b'[{"query": "{ me { roles } }"}]'),
    Case("no query", 400, "QUERY_REQUIRED", payload={}),
    Case("empty query", 400, "QUERY_REQUIRED", payload={"query": "  "}),
    Case("query is not a string", 400, "INVALID_REQUEST", payload={"query": 12}),
    Case("variables are a list", 400, "INVALID_REQUEST",
         payload={"query": UNITS, "variables": [1]}),
    Case("variables are a string", 400, "INVALID_REQUEST",
         payload={"query": UNITS, "variables": "x"}),
    Case("extensions are a string", 400, "INVALID_REQUEST",
         payload={"query": UNITS, "extensions": "x"}),
    Case("operationName is a number", 400, "INVALID_REQUEST",
         payload={"query": UNITS, "operationName": 5}),
    Case("unknown operationName", 400, "OPERATION_NOT_FOUND",
         payload={"query": UNITS, "operationName": "Nope"}),
    Case("subscription over POST", 400, "SUBSCRIPTION_OVER_HTTP",
         payload={"query": "subscription { myResults { __typename } }"}),
    Case("form body", 415, "UNSUPPORTED_MEDIA_TYPE", body=b"query=%7B__typename%7D",
         content_type="application/x-www-form-urlencoded"),
    Case("text body", 415, "UNSUPPORTED_MEDIA_TYPE", body=b"{ __typename }",
         content_type="text/plain"),
    Case("multipart body", 415, "UNSUPPORTED_MEDIA_TYPE",
         body=b'--b\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{}\r\n--b--\r\n',
         content_type="multipart/form-data; boundary=b"),
    Case("no content type", 415, "UNSUPPORTED_MEDIA_TYPE", body=b'{"query": "{ me { roles } }"}',
         content_type=""),
    Case("GET with a query", 405, "METHOD_NOT_ALLOWED", method="GET",
         path="/graphql?query=%7B__typename%7D"),
    Case("GET without a query", 405, "METHOD_NOT_ALLOWED", method="GET"),
    Case("PUT", 405, "METHOD_NOT_ALLOWED", method="PUT", payload={"query": UNITS}),
    Case("unknown route", 404, "NOT_FOUND", method="GET", path="/nothing-here"),
    # Variables: a GraphQL error in a 200 answer (the request itself was well formed).
    Case("required variable missing", 200, "BAD_USER_INPUT", payload={"query": STAFF}),
    Case("'abc' for an Int", 200, "BAD_USER_INPUT",
         payload={"query": UNITS, "variables": {"n": "abc"}}),
    Case("2^40 for an Int", 200, "BAD_USER_INPUT",
         payload={"query": UNITS, "variables": {"n": 2**40}}),
    Case("a float for an Int", 200, "BAD_USER_INPUT",
         payload={"query": UNITS, "variables": {"n": 1.5}}),
    Case("malformed Date", 200, "BAD_USER_INPUT",
         payload={"query": ABSENCE, "variables": {"s": "{staff}", "d": "2026-13-45"}}),
    Case("a Date that is not a string", 200, "BAD_USER_INPUT",
         payload={"query": ABSENCE, "variables": {"s": "{staff}", "d": 20260101}}),
    # Arguments: the resolvers' own refusals.
    Case("empty id", 200, "NOT_FOUND", payload={"query": STAFF, "variables": {"u": ""}}),
    Case("int64 overflow in asOf", 200, "POSITION_OUT_OF_RANGE",
         payload={"query": '{ auditAggregateAsOf(id: "{staff}", asOf: "99999999999999999999") }'},
         headers={"x-role": "auditor"}),
    Case("NUL in a tenant argument", 200, "INVALID_TEXT",
         payload={"query": 'mutation { decideAppeal(input: {appealId: "{staff}", '
                  'outcome: UPHELD, reasons: "x"}, tenant: "a\\u0000b") { position } }'}),
]


@pytest.fixture
async def served(settings: Settings, tmp_path: Path) -> AsyncIterator[Served]:
    async with congtam_serve(settings.database_url or "", tmp_path / "served",
                             CONGTAM_HEADER_TIMEOUT_S="1") as app:
        yield app


def _filled(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        for key, text in names.items():
            value = value.replace("{" + key + "}", text)
        return value
    if isinstance(value, dict):
        return {k: _filled(v, names) for k, v in value.items()}
    return value


async def test_every_malformed_request_is_answered_with_its_code(
    served: Served, runtime: Runtime, settings: Settings, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=1)
    names = {"staff": str(org.members[0])}
    tokens = {"hr_officer": token_for(settings, tenant.slug, org.hr, "hr_officer"),
              "auditor": (await granted_auditor(runtime, settings, tenant))[1]}
    wrong: list[str] = []
    async with httpx.AsyncClient(base_url=served.base, timeout=30) as client:
        for case in CASES:
            role = case.headers.get("x-role", "hr_officer")
            headers = {"Authorization": f"Bearer {tokens[role]}"}
            if case.content_type:
                headers["Content-Type"] = case.content_type
            body = case.body if case.payload is None else json.dumps(
                _filled(case.payload, names)).encode()
            rid = uuid.uuid4().hex
            response = await client.request(case.method, case.path, content=body,
                                            headers={**headers, "X-Request-Id": rid})
            found = _judged(response, case, rid)
            if found:
                wrong.append(f"{case.name}: {found}; got {response.status_code} "
                             f"{response.text[:300]}")
    assert not wrong, "\n".join(wrong)
    await asyncio.sleep(0.2)  # the last lines reach the log file
    logged = [json.loads(line) for line in served.logged().splitlines()
              if line.startswith("{")]
    unexpected = [line for line in logged if line.get("event") == "unexpected_error"
                  or line.get("level") in ("error", "critical")]
    assert not unexpected, unexpected[:3]
    refused = {line.get("code") for line in logged if line.get("event") == "request_refused"}
    assert {"INVALID_REQUEST", "JSON_TOO_DEEP", "UNSUPPORTED_MEDIA_TYPE"} <= refused
    assert all(line["level"] == "info" for line in logged
               if line.get("event") == "request_refused")


def _judged(response: httpx.Response, case: Case, rid: str) -> str:
    """What is wrong with the answer to ``case`` (empty when nothing)."""
    if response.status_code != case.status:
        return f"status {response.status_code}, expected {case.status}"
    if response.headers.get("x-request-id") != rid:
        return "no x-request-id"
    if not response.headers.get("content-type", "").startswith("application/json"):
        return f"content-type {response.headers.get('content-type')}"
    errors = response.json().get("errors") or [{}]
    extensions = errors[0].get("extensions") or {}
    if extensions.get("code") != case.code:
        return f"code {extensions.get('code')}, expected {case.code}"
    if not (extensions.get("messageVi") and extensions.get("messageEn")
            and errors[0].get("message") == extensions["messageVi"]):
        return "messages missing"
    return ""


async def test_a_client_that_never_finishes_its_headers_is_answered_408_and_closed(
    served: Served,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    started = time.monotonic()
    writer.write(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: appl")
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 10)  # until the server closes
    took = time.monotonic() - started
    writer.close()
    assert 0.9 <= took < 3, took
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), answer
    assert b"x-request-id:" in head.lower()
    assert json.loads(body)["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT"
    # A connection that sends nothing at all is closed too.
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    assert (await asyncio.wait_for(reader.read(), 10)).startswith(b"HTTP/1.1 408")
    writer.close()


async def test_a_kept_alive_connection_outlives_the_header_deadline(served: Served) -> None:
    """The deadline is for headers, not for idle keep-alive between requests."""
    async with httpx.AsyncClient(base_url=served.base, timeout=10) as client:
        assert (await client.get("/healthz")).status_code == 200
        await asyncio.sleep(1.5)
        assert (await client.get("/healthz")).status_code == 200
