"""Schema-wide guards: the permission matrix on every root field, and the cost limit.

``authorised`` runs before each root resolver (query, mutation), put there once per root
field when the schema is built (``guard_root_fields``): it asks the permission
matrix (services/gql/permissions.py) whether the caller's roles may call the field, so a new
resolver is covered even if its author forgets to check. Resolvers then ask
``access_of(info)`` for the scope to apply to the ids they are given; for a caller whose
grants reach some units only, the hook also checks every id argument by the kind of record
its type names (services/gql/ids.py, ``ids_in_scope``), so a field whose resolver forgets
it still answers NOT_FOUND, and a new id argument is checked without being listed here.
A subscription's root field gets the same check when it starts, put on its ``subscribe``
(``guard_subscriptions``), with its refusals shaped there (the per-operation error policy
does not see subscriptions); its resolver calls ``access_of`` itself too, and again before
every message (services/gql/subscriptions.py).

``CostLimit`` bounds the work one document can ask for: every field costs 1, and a list
field multiplies the cost of what is selected under it by ``LIST_FACTOR`` (the page size a
client can expect). Fragments are expanded where they are spread, each at most once per
path, so neither fragment cycles nor fragment amplification escape the count.
"""

from __future__ import annotations

import contextlib
import json
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator
from inspect import isawaitable
from typing import Any, ClassVar
from uuid import UUID

from strawberry.extensions import SchemaExtension

from domain.actor import Actor
from domain.errors import DomainError, NotFoundError
from domain.text import check_texts
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    default_field_resolver,
    get_named_type,
)
from services.gql.connections import empty, is_connection
from services.gql.context import access_of, ctx_of
from services.gql.errors import domain_error
from services.gql.ids import UNSCOPED, Names, names_of
from services.gql.scope import REQUIRE

MAX_COST = 5000
AUDITOR = "auditor"
# Fields whose resolvers log the read themselves (with what they read), or that read
# nothing of the tenant's records.
LOGGED_BY_RESOLVER = frozenset({
    "Query.auditHistory", "Query.auditVerify", "Query.auditCheckpoints",
    "Query.auditUnitBoardAsOf", "Query.auditAggregateAsOf", "Query.me"})


def _target(arguments: dict[str, Any]) -> str:
    """What a read asked for, as logged: its arguments (bounded)."""
    return json.dumps(arguments, sort_keys=True, default=str, ensure_ascii=False)[:1000]
LIST_FACTOR = 20


GUARDED = "__congtam_guarded__"  # marks a resolver already wrapped (never wrapped twice)


def guard_root_fields(schema: GraphQLSchema) -> None:
    """Put ``authorised`` in front of every root query and mutation field of ``schema``.

    Only the root fields are wrapped, at schema build time: a nested field is covered by its
    root's check, so graphql-core calls it directly (a ``resolve`` extension would wrap all
    of a board's hundreds of field calls). Introspection fields are not in ``fields`` and
    reveal nothing of a tenant. Subscriptions are guarded at their start
    (``guard_subscriptions``)."""
    for root in (schema.query_type, schema.mutation_type):
        if root is None:
            continue
        for field in root.fields.values():
            inner = field.resolve or default_field_resolver
            if not getattr(inner, GUARDED, False):
                field.resolve = authorised(inner)
    guard_subscriptions(schema)


def guard_subscriptions(schema: GraphQLSchema) -> None:
    """Put ``authorised`` in front of every subscription's start (its ``subscribe``): the
    matrix, the texts and the scope of its ids, as for a query, before any stream opens."""
    root = schema.subscription_type
    if root is None:
        return
    for field in root.fields.values():
        inner = field.subscribe
        if inner is not None and not getattr(inner, GUARDED, False):
            field.subscribe = _shaped(authorised(inner))


def _shaped(guarded: Callable[..., Any]) -> Callable[..., Any]:
    """A subscription refused by the guard (an id out of scope, a text refused) gets its
    stable code and both languages: subscriptions bypass the per-operation error policy
    (ErrorPolicy) that shapes the refusals of queries and mutations."""

    async def shaped(root: Any, info: Any, **kwargs: Any) -> Any:
        try:
            return await guarded(root, info, **kwargs)
        except DomainError as error:
            raise domain_error(error) from None

    setattr(shaped, GUARDED, True)
    return shaped


def authorised(_next: Callable[..., Any]) -> Callable[..., Any]:
    """``_next`` behind the permission matrix, the text check and the scope of its ids."""

    async def guarded(root: Any, info: Any, **kwargs: Any) -> Any:
        # Every text of every root field, at any depth of its inputs, before anything else
        # reads it (the tenant: argument included): one place for what text may enter.
        check_texts(kwargs)
        access = await access_of(info)
        if AUDITOR in access.roles and info.operation.operation.value == "query" \
                and access.operation not in LOGGED_BY_RESOLVER:
            # Audit of access: an auditor's read, through any field, is itself an event of
            # the platform log — before the read, so an attempt is on record too.
            await ctx_of(info).runtime.platform.record_access(
                Actor(access.principal.user_id, AUDITOR), access.tenant.slug,
                info.field_name, _target(kwargs))
        # Also when one of the caller's roles reaches their own records only: their own
        # staff id passes (visible_staff), any other id must lie in the scoped units.
        if access.units and not access.whole_tenant:
            try:
                await ids_in_scope(info, kwargs)
            except NotFoundError:
                # Answer as the field answers an id that does not exist: a read of a list
                # is empty, a nullable read is null; a write, or a required value, is
                # NOT_FOUND. Out of scope and absent look the same either way.
                if info.operation.operation.value != "query":
                    raise
                if _is_list(info.return_type):
                    return []
                if is_connection(info.return_type):
                    return empty()
                if not isinstance(info.return_type, GraphQLNonNull):
                    return None
                raise
        result = _next(root, info, **kwargs)
        return await result if isawaitable(result) else result

    setattr(guarded, GUARDED, True)
    return guarded


VALID_DOCUMENTS = 512


class ValidDocuments(SchemaExtension):
    """Parsing and validation once per document text and schema, not once per request.

    Every rule here (the GraphQL rules, depth, aliases, cost, introspection in production)
    judges the document alone, never the variables or the caller, so a text that passed
    once passes again against the same schema: its parsed document is reused and
    validation is skipped. Only passes are remembered (a refused document is parsed and
    judged afresh each time, with its own errors); the memory is bounded and kept per
    schema object (production and development schemas never share verdicts). A parsed
    document is only read by graphql-core, never changed, so requests can share it.
    (strawberry's ``ParserCache`` parses in its hook, ahead of strawberry's own handling of
    parse errors, and keeps texts that validation then refuses; hence this one memory.)
    """

    _passed: ClassVar[weakref.WeakKeyDictionary[Any, OrderedDict[str, DocumentNode]]] = (
        weakref.WeakKeyDictionary())

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        passed = self._passed.get(context.schema)
        if passed is not None and context.query is not None:
            document = passed.get(context.query)
            if document is not None:
                context.graphql_document = document  # strawberry skips parsing it again
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        passed = self._passed.setdefault(context.schema, OrderedDict())
        query = context.query
        if query is not None and query in passed:
            passed.move_to_end(query)
            context.pre_execution_errors = []  # judged before: strawberry skips validation
            yield
            return
        yield
        document = context.graphql_document
        if query is not None and document is not None and context.pre_execution_errors == []:
            passed[query] = document
            if len(passed) > VALID_DOCUMENTS:
                passed.popitem(last=False)


def record_ids(field: GraphQLField, arguments: dict[str, Any]
               ) -> Iterator[tuple[Names, UUID]]:
    """Every id ``arguments`` pass to ``field``, at any depth of its inputs, with the kind
    of record its definition says it names (services/gql/ids.py). An ``ID`` declared with
    no kind counts as ``RECORD``: checked, never skipped."""
    for name, value in arguments.items():
        definition = field.args.get(name)
        if definition is not None:
            yield from _ids_in(definition.type, names_of(definition), value)


def _ids_in(type_: Any, kind: Names | None, value: Any) -> Iterator[tuple[Names, UUID]]:
    if value is None:
        return
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        for inner in value if isinstance(value, (list, tuple)) else [value]:
            yield from _ids_in(type_.of_type, kind, inner)
    elif isinstance(type_, GraphQLInputObjectType) and isinstance(value, dict):
        for name, inner in value.items():
            definition = type_.fields.get(name)
            if definition is not None:
                yield from _ids_in(definition.type, names_of(definition), inner)
    elif isinstance(type_, GraphQLScalarType) and (kind is not None or type_.name == "ID"):
        kind = kind or Names.RECORD
        if kind not in UNSCOPED and isinstance(value, str):
            with contextlib.suppress(ValueError):
                yield kind, UUID(value)  # a malformed id is the resolver's to refuse


async def ids_in_scope(info: Any, arguments: dict[str, Any]) -> None:
    """A caller whose grants reach some units only: every id they pass, in any resolver,
    must lie inside them — else NOT_FOUND, as if absent (and an absent id is refused the
    same way, by the same check, so the two answers cannot differ). Resolvers that filter
    lists do so themselves; this covers the ids of every field, including ones added
    later, by the kind their type declares."""
    field = info.parent_type.fields[info.field_name]
    for kind, value in record_ids(field, arguments):
        await REQUIRE[kind](info, value)


def _is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def document_cost(schema: GraphQLSchema, root: GraphQLObjectType,
                  selection_set: SelectionSetNode,
                  fragments: dict[str, FragmentDefinitionNode],
                  seen: frozenset[str] = frozenset(),
                  memo: dict[str, int] | None = None) -> int:
    """Linear in the document: each fragment's cost is computed once (``memo``), so nested
    fragments spread many times cannot make the count itself exponential."""
    memo = {} if memo is None else memo
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            if name.startswith("__"):
                continue  # introspection: free here, switched off in production
            field = root.fields.get(name)
            if field is None:
                continue  # an unknown field is the other rules' business
            cost = 1
            inner = get_named_type(field.type)
            if selection.selection_set is not None and isinstance(inner, GraphQLObjectType):
                below = document_cost(schema, inner, selection.selection_set, fragments, seen,
                                      memo)
                cost += below * (LIST_FACTOR if _is_list(field.type) else 1)
            total += cost
        elif isinstance(selection, InlineFragmentNode):
            target = root
            if selection.type_condition is not None:
                named = schema.get_type(selection.type_condition.name.value)
                target = named if isinstance(named, GraphQLObjectType) else root
            total += document_cost(schema, target, selection.selection_set, fragments, seen,
                                   memo)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in seen:
                continue  # a cycle: refused by NoFragmentCycles, not counted twice here
            if name not in memo:
                named = schema.get_type(fragment.type_condition.name.value)
                target = named if isinstance(named, GraphQLObjectType) else root
                memo[name] = document_cost(schema, target, fragment.selection_set, fragments,
                                           seen | {name}, memo)
            total += memo[name]
    return total


class CostLimit(ValidationRule):
    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        context: ValidationContext = self.context
        schema = context.schema
        root = schema.get_root_type(node.operation)
        if root is None:
            return
        fragments = {d.name.value: d for d in context.document.definitions
                     if isinstance(d, FragmentDefinitionNode)}
        cost = document_cost(schema, root, node.selection_set, fragments)
        if cost > MAX_COST:
            vi = f"Truy vấn quá tốn kém (chi phí {cost}, tối đa {MAX_COST}); hãy chia nhỏ."
            context.report_error(GraphQLError(vi, node, extensions={
                "code": "COST_LIMIT", "messageVi": vi,
                "messageEn": f"Query cost {cost} exceeds {MAX_COST}; split it."}))
