"""Objects whose selected fields are all plain leaves, completed in one pass.

A board answers 41 rows of 12 fields each: graphql-core would build a resolve info, call a
resolver and complete a value for every one of those ~500 fields, which is most of the
request's CPU (a py-spy profile of the board). When every field selected on an object is a
scalar or enum read straight from an attribute (strawberry's basic field: no resolver, no
arguments, no permission, the resolver ignores ``info``), the answer is the same if the
attribute is read and coerced directly, as graphql-core's ``complete_leaf_value`` does.

Anything else — a field with a resolver or arguments, an object or list below, a middleware
— goes the general way, and so does an object whose direct pass meets a null for a non-null
field or a value that does not coerce: it is completed again by graphql-core, which raises
the located error it always raised. The authorisation runs on root fields only
(services/gql/guard.py), never on these, so no check is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
)

# (response name, resolver or None for __typename, leaf type, non-null)
Plan = tuple[tuple[str, Callable[..., Any] | None, Any, bool], ...]


def _plan(parent_type: GraphQLObjectType, grouped: dict[str, list[Any]]) -> Plan | None:
    steps: list[tuple[str, Callable[..., Any] | None, Any, bool]] = []
    for response_name, details in grouped.items():
        node = details[0].node
        if node.arguments or node.selection_set is not None:
            return None
        name = node.name.value
        if name == "__typename":
            steps.append((response_name, None, parent_type.name, True))
            continue
        field = parent_type.fields.get(name)
        if field is None or field.args or not getattr(field.resolve, "_is_default", False):
            return None
        type_ = field.type
        non_null = isinstance(type_, GraphQLNonNull)
        leaf = type_.of_type if non_null else type_
        if not isinstance(leaf, (GraphQLScalarType, GraphQLEnumType)):
            return None
        steps.append((response_name, field.resolve, leaf, non_null))
    return tuple(steps)


class LeafExecution(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, with the one-pass completion of plain leaf objects."""

    _plans: dict[int, tuple[Any, Plan | None]]

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any,
                       path: Any, grouped_field_set: Any, position_context: Any) -> Any:
        manager = self.middleware_manager
        if path is not None and (manager is None or not manager.middlewares):
            plans = self.__dict__.setdefault("_plans", {})
            found = plans.get(id(grouped_field_set))
            if found is None or found[0] is not grouped_field_set:
                found = plans[id(grouped_field_set)] = (
                    grouped_field_set, _plan(parent_type, grouped_field_set))
            plan = found[1]
            if plan is not None:
                done = self._direct(plan, source_value)
                if done is not None:
                    return done
        return super().execute_fields(parent_type, source_value, path, grouped_field_set,
                                      position_context)

    def _direct(self, plan: Plan, source: Any) -> dict[str, Any] | None:
        out: dict[str, Any] = {}
        complete = self.complete_leaf_value
        try:
            for response_name, resolve, leaf, non_null in plan:
                if resolve is None:
                    out[response_name] = leaf  # __typename: the object type's name
                    continue
                value = resolve(source, None)
                if value is None:
                    if non_null:
                        return None  # graphql-core raises the located error
                    out[response_name] = None
                else:
                    out[response_name] = complete(leaf, value)
        except Exception:
            return None  # the general way, with its own error
        return out
