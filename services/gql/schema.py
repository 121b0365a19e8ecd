"""The schema: root types, limits, and error policy."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig

from services.gql.errors import ErrorPolicy
from services.gql.mutations import Mutation
from services.gql.queries import Query

MAX_DEPTH = 8
MAX_ALIASES = 30
MAX_TOKENS = 2000

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    config=StrawberryConfig(auto_camel_case=True),
    extensions=[
        QueryDepthLimiter(max_depth=MAX_DEPTH),
        MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        MaxTokensLimiter(max_token_count=MAX_TOKENS),
        ErrorPolicy,
    ],
)


def sdl() -> str:
    return schema.as_str() + "\n"
