"""No text can stop a tenant: every String and ID argument of the schema, at any depth of
its inputs (generated from the schema, so tomorrow's fields are covered), refuses NUL and
the other C0 control characters with INVALID_TEXT naming the field, and writes nothing."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from graphql import GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLScalarType
from services.gql.permissions import TENANT_ROLES
from services.gql.schema import schema
from services.runtime import Runtime
from services.settings import Settings
from tests.security.schema_walk import operations
from tests.support.gql import gql, token_for
from tests.support.org import StaffedTenant
from tests.support.readmodels import event_count

pytestmark = pytest.mark.e2e

# Every C0 control character but TAB and LF, and DEL.
REFUSED = [chr(c) for c in range(0x20) if c not in (0x09, 0x0A)] + ["\x7f"]


def _text_paths(type_: Any, value: Any, path: tuple[Any, ...] = ()) -> Iterator[
        tuple[tuple[Any, ...], str]]:
    """Where ``value`` (built for ``type_``) holds a String or ID, with the field's name."""
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLList) and isinstance(value, list) and value:
        yield from _text_paths(inner.of_type, value[0], (*path, 0))
    elif isinstance(inner, GraphQLInputObjectType) and isinstance(value, dict):
        for name, field in inner.fields.items():
            if name in value:
                yield from _text_paths(field.type, value[name], (*path, name))
    elif isinstance(inner, GraphQLScalarType) and inner.name in ("String", "ID"):
        yield path, next(str(step) for step in reversed(path) if isinstance(step, str))


def _poisoned(variables: dict[str, Any], path: tuple[Any, ...], text: str) -> dict[str, Any]:
    out = copy.deepcopy(variables)
    target: Any = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = f"ok{text}ok"
    return out


async def test_every_text_argument_refuses_control_characters_and_writes_nothing(
    settings: Settings, runtime: Runtime, http: httpx.AsyncClient, staffed_tenant: StaffedTenant,
) -> None:
    tenant, org = await staffed_tenant(members=2)
    token = token_for(settings, tenant.slug, org.hr, *TENANT_ROLES)
    async with runtime.pool.acquire() as conn:
        before = await event_count(conn, tenant.schema)
    tried = 0
    for op in operations(schema._schema, [str(org.unit)], {"tenant": tenant.slug},
                             shallow=True):
        kind, _, name = op.name.partition(".")
        root = schema._schema.query_type if kind == "Query" else schema._schema.mutation_type
        field = root.fields[name]
        for arg_name, arg in field.args.items():
            if arg_name not in op.variables:
                continue
            for path, field_name in _text_paths(arg.type, op.variables[arg_name], (arg_name,)):
                # NUL everywhere; the other characters in turn over the fields.
                for char in {"\x00", REFUSED[tried % len(REFUSED)]}:
                    body = await gql(http, token, op.document,
                                     _poisoned(op.variables, path, char))
                    errors = body.get("errors") or []
                    assert errors, f"{op.name} {path} accepted {char!r}"
                    ext = errors[0]["extensions"]
                    assert ext["code"] == "INVALID_TEXT", f"{op.name} {path}: {errors[0]}"
                    assert ext["field"] == field_name, (op.name, path, ext)
                    assert f"U+{ord(char):04X}" in ext["messageVi"]
                    assert f"'{field_name}'" in ext["messageEn"]
                tried += 1
    # Every mutation that takes text was reached (a positive control: the walk is not empty).
    assert tried >= 100, tried
    async with runtime.pool.acquire() as conn:
        assert await event_count(conn, tenant.schema) == before


async def _unit_named(settings: Settings, http: httpx.AsyncClient,
                      staffed_tenant: StaffedTenant, name: str) -> dict[str, Any]:
    """The answer to an HR officer registering an office called ``name``."""
    tenant, org = await staffed_tenant(members=1)
    return await gql(http, token_for(settings, tenant.slug, org.hr, "hr_officer"),
                     "mutation($n: String!, $p: ID) { registerUnit(input: {name: $n, "
                     "kind: \"office\", parentId: $p}) { id } }",
                     {"n": name, "p": str(org.root)})


async def test_tab_newline_and_vietnamese_text_are_accepted(
    settings: Settings, http: httpx.AsyncClient, staffed_tenant: StaffedTenant,
) -> None:
    body = await _unit_named(settings, http, staffed_tenant, "Phòng Văn hoá\t– Thông tin\nxã")
    assert not body.get("errors"), body


async def test_an_over_long_name_is_refused_with_its_bound(
    settings: Settings, http: httpx.AsyncClient, staffed_tenant: StaffedTenant,
) -> None:
    body = await _unit_named(settings, http, staffed_tenant, "a" * 201)
    ext = body["errors"][0]["extensions"]
    assert (ext["code"], ext["field"], ext["limit"]) == ("TEXT_TOO_LONG", "name", 200)
