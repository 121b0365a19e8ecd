"""Input objects built from their plan equal what strawberry builds field by field."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.types.arguments import convert_argument
from strawberry.types.base import StrawberryObjectDefinition

import graphql as gql
from services.gql.schema import build_schema

SCALARS: dict[str, Any] = {
    "String": "Quyết định số 12", "Int": 3, "Float": 87.5, "Boolean": True,
    "ID": "0b8f3c1e-6f8e-4c1a-9a55-2f1d9c5f7a10", "Date": "2026-11-30",
    "DateTime": "2026-11-30T08:00:00+07:00", "JSON": {"a": [1, "b"]},
}
schema = build_schema()


def _sample(type_: gql.GraphQLInputType, *, nulls: bool, depth: int = 0) -> Any:
    """A variable value for ``type_``: every field given (or, with ``nulls``, every
    nullable one null and every list empty), nested inputs three levels deep."""
    if isinstance(type_, gql.GraphQLNonNull):
        return _sample(type_.of_type, nulls=False, depth=depth)
    if nulls:
        return None
    if isinstance(type_, gql.GraphQLList):
        return [_sample(type_.of_type, nulls=False, depth=depth)]
    if isinstance(type_, gql.GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, gql.GraphQLScalarType):
        return SCALARS[type_.name]
    assert isinstance(type_, gql.GraphQLInputObjectType)
    return {name: _sample(field.type, nulls=depth > 2, depth=depth + 1)
            for name, field in type_.fields.items()}


def _input_types() -> list[tuple[str, StrawberryObjectDefinition]]:
    return sorted((name, concrete.definition)
                  for name, concrete in schema.schema_converter.type_map.items()
                  if isinstance(concrete.definition, StrawberryObjectDefinition)
                  and concrete.definition.is_input)


def _built(definition: StrawberryObjectDefinition, value: Any, *, planned: bool) -> Any:
    plan = definition.from_input
    definition.from_input = plan if planned else None
    try:
        return convert_argument(value, definition.origin,
                                schema.schema_converter.scalar_registry, schema.config)
    finally:
        definition.from_input = plan


def test_every_input_type_of_the_schema_has_a_plan() -> None:
    assert [name for name, definition in _input_types() if definition.from_input is None] == []


@pytest.mark.parametrize("nulls", [False, True], ids=["every-field", "nullable-fields-null"])
@pytest.mark.parametrize("name", [name for name, _ in _input_types()])
def test_an_input_built_from_its_plan_equals_strawberrys_own(name: str, nulls: bool) -> None:
    definition = dict(_input_types())[name]
    graphql_type = schema._schema.get_type(name)
    assert isinstance(graphql_type, gql.GraphQLInputObjectType)
    value = gql.coerce_input_value(
        {field: _sample(f.type, nulls=nulls, depth=1) for field, f in graphql_type.fields.items()},
        graphql_type)
    planned = _built(definition, value, planned=True)
    assert type(planned) is definition.origin
    assert planned == _built(definition, value, planned=False)


def test_a_field_left_out_gets_its_default_or_none_as_before() -> None:
    name = "DecideRatingInput"
    definition = dict(_input_types())[name]
    graphql_type = schema._schema.get_type(name)
    assert isinstance(graphql_type, gql.GraphQLInputObjectType)
    value = gql.coerce_input_value({"periodId": SCALARS["ID"], "staffId": SCALARS["ID"],
                                "level": "A", "score": 90.0}, graphql_type)
    assert "reasons" in value  # a published default
    assert "expectedVersion" in value
    assert _built(definition, value, planned=True) == _built(definition, value, planned=False)
