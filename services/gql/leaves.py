"""Objects whose selected fields are all plain attribute reads, completed in one pass.

A board answers 41 rows of 12 fields each, inside a connection's edges: graphql-core would
build a resolve info, call a resolver and complete a value for every one of those ~540
fields, which is most of the request's CPU (a profile of the board). When every field
selected on an object is read straight from an attribute (strawberry's basic field: no
resolver, no arguments, no permission, the resolver ignores ``info``) and is a scalar or
enum, an object of one concrete type that is itself read this way, or a list of either,
the answer is the same if the attributes are read and completed directly, as graphql-core's
``complete_leaf_value``, ``complete_list_value`` and ``complete_object_value`` do.

Anything else — a field with a resolver or arguments, an interface or union, a type with
its own ``is_type_of``, a deferred fragment, a middleware — goes the general way, and so
does an object whose direct pass meets a null for a non-null field, a value that does not
coerce, or a list that is not one: it is completed again by graphql-core, which raises the
located error it always raised (the attribute reads have no effects, so reading them twice
answers the same). The authorisation runs on root fields only (services/gql/guard.py),
never on these, so no check is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from graphql.type.scalars import serialize_id, serialize_string
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
)

# graphql-core's own String and ID coercions, which answer a str with itself.
_STR_AS_ITSELF = (serialize_string, serialize_id)

# A selected field's value, completed; raises ``_GeneralWayError`` where graphql-core must answer.
Complete = Callable[[Any], Any]
# (response name, the value's read or None for __typename, completion or the type name,
# non-null)
Plan = tuple[tuple[str, Callable[[Any], Any] | None, Any, bool], ...]


class _GeneralWayError(Exception):
    """This object is graphql-core's to complete (it raises the located error)."""


class LeafExecution(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, with the one-pass completion of plain objects."""

    _plans: dict[int, tuple[Any, Plan | None]]

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any,
                       path: Any, grouped_field_set: Any, position_context: Any) -> Any:
        manager = self.middleware_manager
        if path is not None and (manager is None or not manager.middlewares):
            plan = self._plan_of(parent_type, grouped_field_set)
            if plan is not None:
                try:
                    return _direct(plan, source_value)
                except Exception:  # noqa: S110 - the general way answers, with its own error
                    pass
        return super().execute_fields(parent_type, source_value, path, grouped_field_set,
                                      position_context)

    def _plan_of(self, parent_type: GraphQLObjectType, grouped: Any) -> Plan | None:
        # Per request (the variables decide what @skip and @include leave), keyed by the
        # grouped field set graphql-core memoises, which is kept alive beside its plan.
        plans: dict[int, tuple[Any, Plan | None]] = self.__dict__.setdefault("_plans", {})
        found = plans.get(id(grouped))
        if found is None or found[0] is not grouped:
            found = plans[id(grouped)] = (grouped, self._plan(parent_type, grouped))
        plan: Plan | None = found[1]
        return plan

    def _plan(self, parent_type: GraphQLObjectType, grouped: dict[str, list[Any]]
              ) -> Plan | None:
        steps: list[tuple[str, Callable[[Any], Any] | None, Any, bool]] = []
        for response_name, details in grouped.items():
            node = details[0].node
            if node.arguments:
                return None
            name = node.name.value
            if name == "__typename":
                steps.append((response_name, None, parent_type.name, True))
                continue
            field = parent_type.fields.get(name)
            if field is None or field.args or not getattr(field.resolve, "_is_default", False):
                return None
            non_null = isinstance(field.type, GraphQLNonNull)
            complete = self._completion(field.type.of_type if non_null else field.type,
                                        details)
            if complete is None:
                return None
            steps.append((response_name, _read(field), complete, non_null))
        return tuple(steps)

    def _completion(self, type_: Any, details: list[Any]) -> Complete | None:
        """How a value of ``type_`` (nullability taken off) is completed directly, or None
        if graphql-core must complete it."""
        if isinstance(type_, (GraphQLScalarType, GraphQLEnumType)):
            if details[0].node.selection_set is not None:
                return None
            return _leaf(type_, self.complete_leaf_value)
        if isinstance(type_, GraphQLList):
            item_non_null = isinstance(type_.of_type, GraphQLNonNull)
            item = self._completion(
                type_.of_type.of_type if item_non_null else type_.of_type, details)
            if item is None:
                return None
            return _list_of(item, item_non_null)
        if isinstance(type_, GraphQLObjectType) and type_.is_type_of is None:
            grouped, deferred, forbidden = self.collect_subfields(type_, details)
            plan = None if deferred or forbidden else self._plan_of(type_, grouped)
            if plan is None:
                return None
            is_awaitable = self.is_awaitable
            return lambda value: _object(plan, value, is_awaitable)
        return None  # an interface or union, or a type that checks what it is given


def _leaf(leaf: Any, complete_leaf: Callable[[Any, Any], Any]) -> Complete:
    """graphql-core's ``complete_leaf_value`` for ``leaf``, short-cut where its answer is
    known: a str for String or ID is itself, and an enum's name for a value is the same
    for every row of the request (strawberry finds it by scanning the enum's values)."""
    if getattr(leaf, "coerce_output_value", None) in _STR_AS_ITSELF:
        def string(value: Any) -> Any:
            return value if type(value) is str else complete_leaf(leaf, value)
        return string
    if isinstance(leaf, GraphQLEnumType):
        names: dict[tuple[type, Any], Any] = {}

        def enum(value: Any) -> Any:
            key = (type(value), value)
            found = names.get(key)
            if found is None:
                found = names[key] = complete_leaf(leaf, value)
            return found
        return enum
    return lambda value: complete_leaf(leaf, value)


def _read(field: Any) -> Callable[[Any], Any]:
    """What strawberry's basic resolver of ``field`` does: its default resolver (``getattr``
    unless configured otherwise) on the attribute's Python name — as one C call when it is
    ``getattr``."""
    definition = field.extensions.get("strawberry-definition")
    if definition is not None and definition.base_resolver is None \
            and definition.default_resolver is getattr:
        return attrgetter(definition.python_name)
    resolve = field.resolve
    return lambda source: resolve(source, None)


def _direct(plan: Plan, source: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for response_name, resolve, complete, non_null in plan:
        if resolve is None:
            out[response_name] = complete  # __typename: the object type's name
            continue
        value = resolve(source)
        if value is None:
            if non_null:
                raise _GeneralWayError  # graphql-core raises the located error
            out[response_name] = None
        else:
            out[response_name] = complete(value)
    return out


def _object(plan: Plan, value: Any, is_awaitable: Callable[[Any], bool]) -> dict[str, Any]:
    if is_awaitable(value):
        raise _GeneralWayError  # graphql-core awaits it
    return _direct(plan, value)


def _list_of(item: Complete, item_non_null: bool) -> Complete:
    def complete(value: Any) -> list[Any]:
        if not isinstance(value, (list, tuple)):
            raise _GeneralWayError  # another iterable, or not a list: graphql-core decides
        out: list[Any] = []
        for element in value:
            if element is None:
                if item_non_null:
                    raise _GeneralWayError
                out.append(None)
            else:
                out.append(item(element))
        return out
    return complete
