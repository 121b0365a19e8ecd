"""What a parent tenant can ask of its children is fixed by the schema: every type reachable
from ``childTenantTrend`` holds counts and shares — none of them can name a person, whatever
a client selects or however the resolvers change."""

from __future__ import annotations

import pytest

from graphql import GraphQLNamedType, GraphQLObjectType, get_named_type
from services.gql.schema import schema

pytestmark = pytest.mark.unit

# Reviewed one by one: tenant, month and counts only. A type added under the cross-tenant
# query must be added here, by someone who checked it names nobody.
AGGREGATE_TYPES = {"ChildTenantPointConnection", "ChildTenantPointEdge", "ChildTenantPoint",
                   "PageInfo", "TrendPoint", "LevelCount", "Level", "Int", "Float", "String",
                   "Boolean"}
PERSON_FIELDS = {"staffId", "staffName", "fullName", "decidedBy", "actor", "reviewer",
                 "leaderId", "userId", "name"}


def _reachable(root: GraphQLNamedType) -> dict[str, GraphQLNamedType]:
    seen: dict[str, GraphQLNamedType] = {}
    todo = [root]
    while todo:
        named = todo.pop()
        if named.name in seen:
            continue
        seen[named.name] = named
        if isinstance(named, GraphQLObjectType):
            todo += [get_named_type(f.type) for f in named.fields.values()]
    return seen


def test_no_person_level_field_is_reachable_from_a_parents_aggregates() -> None:
    query = schema._schema.query_type
    assert query is not None
    field = query.fields["childTenantTrend"]
    reachable = _reachable(get_named_type(field.type))
    assert set(reachable) <= AGGREGATE_TYPES, set(reachable) - AGGREGATE_TYPES
    fields = {name for t in reachable.values() if isinstance(t, GraphQLObjectType)
              for name in t.fields}
    assert fields & PERSON_FIELDS == set()
    # Nor can a client narrow the aggregates down to one person.
    assert not {"staffId", "unitId"} & set(field.args)
