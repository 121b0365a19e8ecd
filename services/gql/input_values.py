"""Input objects built from a plan made once per type, not worked out on every request.

strawberry converts an input value field by field, and for each field it resolves the
field's type, its GraphQL name and what kind of type it is, on every request: about
0.1 ms for a decision's seven fields, more than the guard's own checks. The answer is
the same every time, so each input type gets a plan at schema build time: which fields
arrive as they are (scalars, enums, IDs, and their optional forms: graphql-core has
already parsed and checked them), and which go through strawberry's own conversion
(lists of inputs, nested inputs, anything else). The value built is the one strawberry
builds: the same class, the same keyword arguments, ``None`` for a field without a
default that the client left out. Types with a ``Maybe`` field keep strawberry's path
(its null check depends on it), as does any type that already builds its own values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any

import strawberry
from strawberry.relay.types import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.arguments import InputContext
from strawberry.types.base import (
    StrawberryMaybe,
    StrawberryObjectDefinition,
    StrawberryOptional,
    StrawberryType,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition

FromInput = Callable[[type, Mapping[str, Any], InputContext], Any]
# graphql name, python name, the field's type where strawberry converts it (else None)
Step = tuple[str, str, "StrawberryType | type | None"]


def _arrives_as_is(type_: StrawberryType | type, registry: Mapping[object, Any]) -> bool:
    """A value strawberry would hand on unchanged: a scalar or enum, optional or not."""
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    if type_ is GlobalID:  # decoded from its text by strawberry
        return False
    return (isinstance(type_, StrawberryEnumDefinition) or has_enum_definition(type_)
            or is_scalar(type_, registry))


def planned(definition: StrawberryObjectDefinition, schema: strawberry.Schema
            ) -> FromInput | None:
    """``from_input`` for ``definition``, or None where strawberry's path must stay."""
    registry = schema.schema_converter.scalar_registry
    steps: list[Step] = []
    for field in definition.fields:
        type_ = field.resolve_type(type_definition=definition)
        if isinstance(type_, StrawberryMaybe):
            return None
        steps.append((schema.config.name_converter.from_field(field), field.python_name,
                      None if _arrives_as_is(type_, registry) else type_))
    unset = {field.python_name: None for field in definition.fields
             if field.default_value is MISSING and field.default_factory is MISSING}
    plan = tuple(steps)

    def from_input(cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
        kwargs: dict[str, Any] = dict(unset)
        for name, python_name, convert in plan:
            if name in value:
                given = value[name]
                kwargs[python_name] = (given if convert is None
                                       else context.convert(given, convert, name))
        return cls(**kwargs)

    return from_input


def plan_inputs(schema: strawberry.Schema) -> None:
    """Give every input type of ``schema`` that strawberry builds field by field its plan."""
    for concrete in schema.schema_converter.type_map.values():
        definition = concrete.definition
        if (isinstance(definition, StrawberryObjectDefinition) and definition.is_input
                and definition.from_input is None):
            definition.from_input = planned(definition, schema)
