"""Documents generated from the schema itself, so a field added tomorrow is attacked too.

For every root field: arguments filled from a pool of ids (all ID arguments get the same
candidate id, every candidate is tried), scalars with plausible values, nullable arguments
left out unless they are ids; the selection takes every scalar leaf, two levels deep.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)

SCALARS: dict[str, Any] = {"Int": 3, "Float": 80.0, "String": "x", "Boolean": False,
                           "Date": "2026-03-31", "DateTime": "2026-03-31T00:00:00+00:00"}
YEAR, MONTH = 2026, 3


@dataclass(frozen=True)
class Operation:
    name: str  # e.g. Mutation.openPeriod
    document: str
    variables: dict[str, Any]


def _value(type_: GraphQLInputType, name: str, the_id: str, depth: int = 0,
           named: dict[str, Any] | None = None) -> Any:
    named = named or {}
    required = isinstance(type_, GraphQLNonNull)
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLList):
        return [_value(inner.of_type, name, the_id, depth + 1, named)]
    if isinstance(inner, GraphQLInputObjectType):
        out: dict[str, Any] = {}
        for field_name, field in inner.fields.items():
            value = _value(field.type, field_name, the_id, depth + 1, named)
            if value is not None or isinstance(field.type, GraphQLNonNull):
                out[field_name] = value
        return out
    if isinstance(inner, GraphQLEnumType):
        return next(iter(inner.values))
    assert isinstance(inner, GraphQLScalarType)
    if inner.name == "ID":
        return the_id
    if name in named:
        return named[name]
    if not required:
        return None
    if name == "year":
        return YEAR
    if name == "month":
        return MONTH
    return SCALARS.get(inner.name, "x")


def _selection(type_: GraphQLOutputType, depth: int = 0) -> str:
    named = get_named_type(type_)
    if isinstance(named, (GraphQLScalarType, GraphQLEnumType)):
        return ""
    if isinstance(named, (GraphQLUnionType, GraphQLInterfaceType)) or depth >= 2:
        return "{ __typename }"
    assert isinstance(named, GraphQLObjectType)
    parts = []
    for field_name, field in named.fields.items():
        if any(isinstance(a.type, GraphQLNonNull) for a in field.args.values()):
            continue
        # A connection's edges and nodes are its wrapping, not a level of data: the rows
        # themselves are selected as deep as a plain list's would be.
        wrapping = field_name in ("edges", "node")
        parts.append(f"{field_name} {_selection(field.type, depth + (0 if wrapping else 1))}"
                     .strip())
    return "{ " + " ".join(parts or ["__typename"]) + " }"


def _type_ref(type_: GraphQLInputType) -> str:
    if isinstance(type_, GraphQLNonNull):
        return _type_ref(type_.of_type) + "!"
    if isinstance(type_, GraphQLList):
        return f"[{_type_ref(type_.of_type)}]"
    return str(get_named_type(type_).name)


def _operation(kind: str, name: str, field: GraphQLField, the_id: str,
               named: dict[str, Any], shallow: bool = False) -> Operation:
    variables: dict[str, Any] = {}
    decls, args = [], []
    for arg_name, arg in field.args.items():
        value = _value(arg.type, arg_name, the_id, 0, named)
        if value is None:
            continue
        variables[arg_name] = value
        decls.append(f"${arg_name}: {_type_ref(arg.type)}")
        args.append(f"{arg_name}: ${arg_name}")
    head = kind.lower() + (f"({', '.join(decls)})" if decls else "")
    call = name + (f"({', '.join(args)})" if args else "")
    if shallow:
        named_type = get_named_type(field.type)
        leaf = isinstance(named_type, (GraphQLScalarType, GraphQLEnumType))
        selection = "" if leaf else "{ __typename }"
    else:
        selection = _selection(field.type)
    return Operation(f"{kind}.{name}", f"{head} {{ {call} {selection} }}", variables)


def operations(schema: GraphQLSchema, ids: list[str],
               named: dict[str, Any] | None = None,
               kinds: tuple[str, ...] = ("Query", "Mutation"),
               shallow: bool = False) -> Iterator[Operation]:
    """``named`` fixes arguments by name wherever they appear (e.g. ``tenant``: the victim's
    slug, for operations that let a caller name a child tenant). ``kinds`` picks the roots;
    subscriptions are sent over a websocket, so their callers ask for them separately.
    ``shallow`` selects only ``__typename`` (for walks about arguments, not answers)."""
    roots = {"Query": schema.query_type, "Mutation": schema.mutation_type,
             "Subscription": schema.subscription_type}
    for kind, root in ((k, roots[k]) for k in kinds):
        if root is None:
            continue
        for name, field in root.fields.items():
            for the_id in ids:
                yield _operation(kind, name, field, the_id, named or {}, shallow)
