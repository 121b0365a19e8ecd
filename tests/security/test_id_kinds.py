"""Every id a client can pass says what kind of record it names (services/gql/ids.py), so the
guard checks it against a unit-scoped caller's reach without anyone listing it: an ``ID``
argument or input field added without a kind fails here, and until it gets one the guard
checks it as "any record" rather than letting it through."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import strawberry

from graphql import (
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
)
from services.gql.guard import record_ids
from services.gql.ids import Names, UnitID, id_field, names_of
from services.gql.schema import schema


def _named(type_: Any) -> Any:
    while isinstance(type_, (GraphQLNonNull, GraphQLList)):
        type_ = type_.of_type
    return type_


def _inputs(type_: Any, path: str, seen: set[str]) -> Iterator[tuple[str, Any]]:
    named = _named(type_)
    if isinstance(named, GraphQLInputObjectType) and named.name not in seen:
        seen.add(named.name)
        for name, field in named.fields.items():
            yield f"{path}.{name}", field
            yield from _inputs(field.type, f"{path}.{name}", seen)


def id_definitions(graphql_schema: GraphQLSchema) -> Iterator[tuple[str, Any]]:
    """Every argument and input field of the roots that carries an ``ID``, by path."""
    for root in (graphql_schema.query_type, graphql_schema.mutation_type,
                 graphql_schema.subscription_type):
        if root is None:
            continue
        for field_name, field in root.fields.items():
            for arg_name, arg in field.args.items():
                path = f"{root.name}.{field_name}({arg_name})"
                for where, definition in [(path, arg), *_inputs(arg.type, path, set())]:
                    named = _named(definition.type)
                    if isinstance(named, GraphQLScalarType) and named.name == "ID":
                        yield where, definition


def unclassified(graphql_schema: GraphQLSchema) -> list[str]:
    return [path for path, d in id_definitions(graphql_schema) if names_of(d) is None]


def test_every_id_a_client_can_pass_says_what_it_names() -> None:
    found = dict(id_definitions(schema._schema))
    assert len(found) >= 50  # the walk reaches arguments and nested input fields
    assert unclassified(schema._schema) == [], (
        "type these ids with services/gql/ids.py (UnitID, StaffID, …, or id_field(...))")
    # The receiving unit of a transfer inside the tenant is checked like any unit.
    assert names_of(found["Mutation.transferStaff(toUnitId)"]) is Names.UNIT
    assert names_of(found["Mutation.assignAppeal(appealId)"]) is Names.APPEAL
    assert names_of(found["Mutation.decideRatings(input).lines.staffId"]) is Names.STAFF


@strawberry.input
class _Input:
    unit_id: strawberry.ID = id_field(Names.UNIT)
    other_id: strawberry.ID


@strawberry.type
class _Query:
    @strawberry.field
    def probe(self, unit_id: UnitID, loose_id: strawberry.ID, input: _Input) -> int:
        return 0


def test_an_id_of_unknown_kind_is_refused_by_the_test_and_checked_as_any_record() -> None:
    probe = strawberry.Schema(query=_Query)._schema
    assert unclassified(probe) == ["Query.probe(looseId)", "Query.probe(input).otherId"]
    field = probe.query_type.fields["probe"]
    unit, loose, other = ("00000000-0000-4000-8000-00000000000" + str(i) for i in (1, 2, 3))
    checked = [(kind, str(value)) for kind, value in record_ids(field, {
        "unitId": unit, "looseId": loose, "input": {"unitId": unit, "otherId": other}})]
    assert checked == [(Names.UNIT, unit), (Names.RECORD, loose), (Names.UNIT, unit),
                       (Names.RECORD, other)]
