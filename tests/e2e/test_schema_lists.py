"""Lists at the root of the schema are Relay connections (edges/node/pageInfo, first/after).

The root lists that predate the dashboards are named here, each to be turned into a
connection; the set may only shrink. A new root list that is not a connection fails this
test, and so does one named here once it has become a connection (so the list stays true).
"""

from __future__ import annotations

import pytest

from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    get_named_type,
)
from services.gql.schema import schema

pytestmark = pytest.mark.unit

# Bounded by nature, not pages of data: a policy's quota rules, the published checkpoints,
# the handful of deadlines one person owes this month, the province's catalogue versions
# not yet applied.
BOUNDED = {"quotaUse", "auditCheckpoints", "myDeadlines", "pendingProvinceVersions"}
# Still plain lists, to become connections: none left.
NOT_YET_CONNECTIONS: set[str] = set()


def _is_list(type_: object) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _is_connection(type_: GraphQLOutputType) -> bool:
    named = get_named_type(type_)
    return (isinstance(named, GraphQLObjectType) and {"edges", "pageInfo"} <= set(named.fields)
            and get_named_type(named.fields["pageInfo"].type).name == "PageInfo")


def test_every_root_list_is_a_connection_with_cursor_arguments() -> None:
    query = schema._schema.query_type
    assert query is not None
    plain = {name for name, f in query.fields.items() if _is_list(f.type)}
    assert plain - BOUNDED - NOT_YET_CONNECTIONS == set(), "new root lists must be connections"
    assert NOT_YET_CONNECTIONS - plain == set(), "now a connection: remove it from the list"
    for name, field in query.fields.items():
        if _is_connection(field.type):
            assert {"first", "after"} <= set(field.args), name
